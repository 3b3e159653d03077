import time
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from customers import confirmation as confirmations
from customers.models import AccountConfirmation, User
from shop.models import OutboxEmail

pytestmark = pytest.mark.django_db


def _link_path(email):
    url = next(line for line in email.body_text.splitlines() if "/account/confirm/" in line)
    return url.strip().removeprefix(django_settings.SITE_URL)


@pytest.fixture
def visitor():
    """A browser of its own (``client`` is the operator's, logged in by ``admin_client``)."""
    return Client()


@pytest.fixture
def invited(admin_client):
    """A customer created by the operator in the backoffice add form."""
    response = admin_client.post(
        reverse("admin:customers_user_add"),
        {
            "email": "New.Person@Example.com",
            "first_name": "New",
            "last_name": "Person",
            "company": "",
            "phone": "",
            "language": "de",
            "group": "",
            "open_amount_limit": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    return User.objects.get(email="new.person@example.com")


def test_operator_created_customer_gets_link_and_cannot_log_in(visitor, invited):
    assert not invited.is_confirmed and not invited.has_usable_password()
    email = OutboxEmail.objects.get(template="customer_confirm")
    assert email.to == ["new.person@example.com"]
    assert invited.customer_number in email.body_text
    assert "/account/confirm/" in email.body_html
    response = visitor.post(
        reverse("customers:login"), {"username": invited.email, "password": "anything"}
    )
    assert "_auth_user_id" not in visitor.session
    assert response.status_code == 200
    # Even with a password set by some other way, the unconfirmed account stays locked.
    invited.set_password("secret-pass-123")
    invited.save()
    visitor.post(
        reverse("customers:login"), {"username": invited.email, "password": "secret-pass-123"}
    )
    assert "_auth_user_id" not in visitor.session


def test_valid_link_sets_password_and_logs_in(visitor, invited):
    path = _link_path(OutboxEmail.objects.get(template="customer_confirm"))
    page = visitor.get(path)
    assert page.status_code == 200 and invited.email in page.content.decode()
    response = visitor.post(path, {"password1": "my-Secret-2026", "password2": "my-Secret-2026"})
    assert response.status_code == 302
    invited.refresh_from_db()
    assert invited.is_confirmed and invited.check_password("my-Secret-2026")
    assert visitor.session["_auth_user_id"] == str(invited.pk)
    assert AccountConfirmation.objects.get(customer=invited).confirmed_at is not None


def test_used_link_says_so(visitor, invited):
    path = _link_path(OutboxEmail.objects.get(template="customer_confirm"))
    visitor.post(path, {"password1": "my-Secret-2026", "password2": "my-Secret-2026"})
    visitor.logout()
    response = visitor.get(path)
    assert response.status_code == 410
    # The link opens the page in the customer's language (German: /de/account/confirm/…).
    assert path.startswith("/de/account/confirm/")
    with translation.override("de"):
        assert gettext("This link has already been used") in response.content.decode()
    response = visitor.post(path, {"password1": "other-Secret-1", "password2": "other-Secret-1"})
    invited.refresh_from_db()
    assert invited.check_password("my-Secret-2026")


def test_expired_link_says_so_and_offers_a_new_one(visitor, invited, monkeypatch, settings):
    settings.ACCOUNT_CONFIRMATION_DAYS = 3
    confirmation = AccountConfirmation.objects.get(customer=invited)
    four_days_ago = time.time() - 4 * 86400
    with monkeypatch.context() as m:
        m.setattr(signing.time, "time", lambda: four_days_ago)
        token = confirmations.confirmation_token(confirmation)
    path = reverse("customers:confirm", args=[token])
    response = visitor.get(path)
    assert response.status_code == 410
    body = response.content.decode()
    assert "expired" in body
    assert reverse("customers:confirm_resend", args=[token]) in body
    response = visitor.post(path, {"password1": "my-Secret-2026", "password2": "my-Secret-2026"})
    invited.refresh_from_db()
    assert not invited.is_confirmed and not invited.has_usable_password()
    # "Send me a new link": a fresh e-mail whose link works; the old one is replaced.
    visitor.post(reverse("customers:confirm_resend", args=[token]))
    emails = OutboxEmail.objects.filter(template="customer_confirm").order_by("pk")
    assert emails.count() == 2
    assert visitor.get(_link_path(emails.last())).status_code == 200
    assert visitor.get(_link_path(emails.first())).status_code == 410


def test_link_just_inside_the_expiry_still_works(visitor, invited, monkeypatch, settings):
    settings.ACCOUNT_CONFIRMATION_DAYS = 3
    confirmation = AccountConfirmation.objects.get(customer=invited)
    almost = time.time() - 3 * 86400 + 60
    with monkeypatch.context() as m:
        m.setattr(signing.time, "time", lambda: almost)
        token = confirmations.confirmation_token(confirmation)
    assert visitor.get(reverse("customers:confirm", args=[token])).status_code == 200


def test_tampered_link_says_so(visitor, invited):
    path = _link_path(OutboxEmail.objects.get(template="customer_confirm"))
    token = path.rstrip("/").split("/")[-1]
    customer_id, rest = token.split(":", 1)
    forged = f"{int(customer_id) + 1}:{rest}"
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), forged, "garbage"):
        response = visitor.get(reverse("customers:confirm", args=[bad]))
        assert response.status_code == 400
        assert "not valid" in response.content.decode()
    # A forged link cannot request a new e-mail either.
    visitor.post(reverse("customers:confirm_resend", args=[forged]))
    assert OutboxEmail.objects.filter(template="customer_confirm").count() == 1


def test_resend_by_email_does_not_reveal_accounts(visitor, invited, customer):
    for email in ("nobody@example.com", customer.email, invited.email):
        response = visitor.post(reverse("customers:confirm_request"), {"email": email})
        assert response.status_code == 302
    assert OutboxEmail.objects.filter(template="customer_confirm").count() == 2


def test_backoffice_resend_button(admin_client, invited):
    response = admin_client.post(reverse("admin:customers_user_resend", args=[invited.pk]))
    assert response.status_code == 302
    assert OutboxEmail.objects.filter(template="customer_confirm").count() == 2


def test_unconfirmed_customer_is_not_offered_password_reset(visitor, invited):
    visitor.post(reverse("customers:password_reset"), {"email": invited.email})
    assert not OutboxEmail.objects.filter(template="customer_password_reset").exists()


def test_a_corrected_address_kills_the_link_sent_to_the_mistyped_one(admin_client, invited):
    """The operator corrects a mistyped address: whoever reads the mistyped mailbox must not
    set the password of the real customer's account (an audit: the old link still worked);
    the new address gets a link of its own."""
    from tests.html_forms import FormParser, post_data

    old_link = _link_path(OutboxEmail.objects.get(template="customer_confirm"))
    url = reverse("admin:customers_user_change", args=[invited.pk])
    parser = FormParser(url)
    parser.feed(admin_client.get(url).content.decode())
    data = post_data(max(parser.forms, key=lambda f: len(f.fields)).fields)
    data["email"] = ["right.person@example.com"]
    for button in ("_addanother", "_continue", "_saveasnew"):
        data.pop(button, None)
    assert admin_client.post(url, data).status_code == 302
    stranger = Client()
    password = {"password1": "Stranger-Pass-2026", "password2": "Stranger-Pass-2026"}
    assert stranger.post(old_link, password).status_code in (400, 410)
    invited.refresh_from_db()
    assert not invited.is_confirmed and not invited.has_usable_password()
    new = OutboxEmail.objects.filter(template="customer_confirm").latest("pk")
    assert new.to == ["right.person@example.com"]
    assert Client().post(_link_path(new), password).status_code == 302


@pytest.mark.usefixtures("fresh_cache")
def test_a_blocked_account_is_not_activated_by_its_link():
    from tests.registration import PASSWORD, confirmation_path, register

    register(Client(), "blocked@example.com")
    User.objects.filter(email="blocked@example.com").update(is_rejected=True)
    response = Client().post(confirmation_path("blocked@example.com"), {"password": PASSWORD})
    assert response.status_code == 400
    assert not User.objects.get(email="blocked@example.com").is_confirmed


@pytest.mark.usefixtures("fresh_cache")
def test_a_registration_sent_twice_keeps_its_first_link():
    """A double click on "Create account" sent two e-mails, and the first link was dead."""
    from tests.registration import PASSWORD, confirmation_path, register

    register(Client(), "twice@example.com")
    first = confirmation_path("twice@example.com")
    register(Client(), "twice@example.com")
    assert OutboxEmail.objects.filter(template="customer_confirm").count() == 1
    assert Client().post(first, {"password": PASSWORD}).status_code == 302


@pytest.mark.usefixtures("fresh_cache")
def test_registering_an_invited_address_sends_the_invitation_again(invited):
    """The operator's account stays as it was (group, names); its link lets the customer
    choose the password, and nothing is purged later as an unconfirmed registration."""
    from tests.registration import register

    register(Client(), invited.email, first_name="Somebody")
    invited.refresh_from_db()
    assert invited.first_name == "New" and not invited.has_usable_password()
    assert OutboxEmail.objects.filter(template="customer_confirm").count() == 2
    assert (
        confirmations.purge_unconfirmed_registrations(now=timezone.now() + timedelta(days=60)) == 0
    )
