"""The customer's login address and password (the defect: the profile took a new e-mail
address at once, without the password, a confirmation or a notice).

A new address asks for the current password, is kept pending in a signed, dated link e-mailed
to it and becomes the login only when the customer opens that link in their account; the old
address hears of the request and of the change. A new password asks for the current one."""

import threading
import time

import pytest
from django.conf import settings as django_settings
from django.core import signing
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from customers import services
from customers.models import User
from shop.models import OutboxEmail
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"  # tests.factories.UserFactory


@pytest.fixture(autouse=True)
def _no_password_counts():
    """The wrong-password counter lives in Redis, keyed by account id; ids repeat between
    runs of the suite."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def customer(db):
    return UserFactory(email="erika@example.com", first_name="Erika", language="en")


def profile_data(customer, **changes):
    return {
        "email": customer.email,
        "current_password": "",
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "company": customer.company,
        "vat_id": customer.vat_id,
        "buyer_reference": customer.buyer_reference,
        "purchase_order_reference": customer.purchase_order_reference,
        "phone": customer.phone,
        "language": customer.language,
        **changes,
    }


def post_profile(client, customer, **changes):
    return client.post(reverse("customers:profile"), profile_data(customer, **changes))


def request_change(client, customer, new_email, **changes):
    response = post_profile(client, customer, email=new_email, current_password=PASSWORD, **changes)
    assert response.status_code == 302, response.content.decode()[:2000]
    return confirmation_path(new_email)


def confirmation_path(new_email):
    email = OutboxEmail.objects.filter(template="account_email_confirm", to=[new_email]).latest(
        "pk"
    )
    url = next(line for line in email.body_text.splitlines() if "/profile/email/" in line)
    return url.strip().removeprefix(django_settings.SITE_URL)


def can_log_in(email, password=PASSWORD):
    response = Client().post(reverse("customers:login"), {"username": email, "password": password})
    return response.status_code == 302


def templates_sent():
    return list(OutboxEmail.objects.order_by("pk").values_list("template", "to"))


# -- the profile form ------------------------------------------------------------------


def test_other_details_save_without_the_password(client, customer):
    client.force_login(customer)
    response = post_profile(client, customer, first_name="Erika Maria", language="de")
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.first_name, customer.language) == ("Erika Maria", "de")
    assert customer.email == "erika@example.com"
    assert not OutboxEmail.objects.exists()


def test_the_same_address_in_other_letters_is_no_change(client, customer):
    client.force_login(customer)
    assert post_profile(client, customer, email=" Erika@Example.COM ").status_code == 302
    customer.refresh_from_db()
    assert customer.email == "erika@example.com"
    assert not OutboxEmail.objects.exists()


def test_profile_page_shows_the_password_field_and_links_the_password_change(client, customer):
    client.force_login(customer)
    page = client.get(reverse("customers:profile")).content.decode()
    assert 'name="current_password"' in page
    assert 'autocomplete="current-password"' in page
    assert reverse("customers:password_change") in page


def test_a_new_address_without_the_password_changes_nothing(client, customer):
    client.force_login(customer)
    response = post_profile(client, customer, email="new@example.com", first_name="Mallory")
    assert response.status_code == 200
    assert "enter your current password" in response.content.decode()
    customer.refresh_from_db()
    assert (customer.email, customer.first_name) == ("erika@example.com", "Erika")
    assert not OutboxEmail.objects.exists()


def test_a_wrong_password_is_a_form_error_and_changes_nothing(client, customer):
    client.force_login(customer)
    response = post_profile(
        client,
        customer,
        email="new@example.com",
        current_password="wrong-guess",
        first_name="Mallory",
        language="de",
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["current_password"] == ["The password is not correct."]
    customer.refresh_from_db()
    assert (customer.email, customer.first_name, customer.language) == (
        "erika@example.com",
        "Erika",
        "en",
    )
    assert not OutboxEmail.objects.exists()


def test_wrong_passwords_are_limited_per_account(client, customer, settings):
    settings.ACCOUNT_PASSWORD_CHECK_LIMIT = 3
    client.force_login(customer)
    for _attempt in range(3):
        post_profile(client, customer, email="new@example.com", current_password="guess")
    response = post_profile(client, customer, email="new@example.com", current_password=PASSWORD)
    assert response.status_code == 200
    assert "Too many attempts" in response.content.decode()
    customer.refresh_from_db()
    assert customer.email == "erika@example.com"
    assert not OutboxEmail.objects.exists()
    # The limit is the account's, not the session's: a new session of the same account waits.
    other = Client()
    other.force_login(customer)
    response = post_profile(other, customer, email="new@example.com", current_password=PASSWORD)
    assert "Too many attempts" in response.content.decode()


def test_an_address_of_another_account_is_refused_in_any_case(client, customer):
    UserFactory(email="taken@example.com")
    client.force_login(customer)
    response = post_profile(client, customer, email="Taken@Example.COM", current_password=PASSWORD)
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "Another account already uses this e-mail address."
    ]
    assert not OutboxEmail.objects.exists()


# -- pending until confirmed -----------------------------------------------------------


def test_new_address_is_pending_until_the_customer_opens_the_link(client, customer):
    client.force_login(customer)
    response = post_profile(
        client, customer, email="New@Example.com", current_password=PASSWORD, phone="+49 30 1"
    )
    assert response.status_code == 302
    follow = client.get(response["Location"]).content.decode()
    assert "new@example.com" in follow and "erika@example.com" in follow
    customer.refresh_from_db()
    assert customer.email == "erika@example.com"  # still the login
    assert customer.phone == "+49 30 1"  # the other details are saved at once
    assert templates_sent() == [
        ("account_email_confirm", ["new@example.com"]),
        ("account_email_change_requested", ["erika@example.com"]),
    ]
    notice = OutboxEmail.objects.get(template="account_email_change_requested")
    assert "new@example.com" in notice.body_text
    assert "/account/password-reset/" in notice.body_text  # what to do if it was not them
    assert can_log_in("erika@example.com") and not can_log_in("new@example.com")

    path = confirmation_path("new@example.com")
    page = client.get(path)  # opening the link shows what will change; a mail scanner's
    assert page.status_code == 200  # visit (no session) or this view changes nothing
    assert "new@example.com" in page.content.decode()
    customer.refresh_from_db()
    assert customer.email == "erika@example.com"

    response = client.post(path)
    assert response.status_code == 302 and response["Location"] == reverse("customers:profile")
    customer.refresh_from_db()
    assert customer.email == "new@example.com"
    assert can_log_in("new@example.com") and not can_log_in("erika@example.com")
    done = OutboxEmail.objects.get(template="account_email_changed")
    assert done.to == ["erika@example.com"]
    assert "new@example.com" in done.body_text
    assert "_auth_user_id" in client.session  # still logged in


def test_a_new_address_alone_is_not_reported_as_saved_details(client, customer):
    client.force_login(customer)
    response = post_profile(client, customer, email="new@example.com", current_password=PASSWORD)
    page = client.get(response["Location"]).content.decode()
    assert "Your details have been saved." not in page
    assert "We have sent a link to new@example.com" in page


def test_the_link_works_only_in_the_customers_own_account(client, customer):
    client.force_login(customer)
    path = request_change(client, customer, "new@example.com")
    client.logout()
    # Without a session: the login page, which leads back to the link.
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("customers:login"))
    assert client.post(path).status_code == 302
    customer.refresh_from_db()
    assert customer.email == "erika@example.com"
    # Someone else's account (whoever reads a mistyped mailbox): 404, nothing changes.
    stranger = UserFactory(email="stranger@example.com")
    client.force_login(stranger)
    assert client.get(path).status_code == 404
    assert client.post(path).status_code == 404
    customer.refresh_from_db(), stranger.refresh_from_db()
    assert (customer.email, stranger.email) == ("erika@example.com", "stranger@example.com")
    # The customer logs in with the current address and confirms.
    login = Client()
    response = login.post(
        f"{reverse('customers:login')}?next={path}",
        {"username": "erika@example.com", "password": PASSWORD, "next": path},
    )
    assert response["Location"] == path
    assert login.post(path).status_code == 302
    customer.refresh_from_db()
    assert customer.email == "new@example.com"


def test_a_link_works_once(client, customer):
    client.force_login(customer)
    path = request_change(client, customer, "new@example.com")
    assert client.post(path).status_code == 302
    again = client.post(path)
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    assert OutboxEmail.objects.filter(template="account_email_changed").count() == 1


def test_a_confirmed_change_ends_the_other_links(client, customer):
    client.force_login(customer)
    typo = request_change(client, customer, "erika@exmaple.com")
    right = request_change(client, customer, "erika.new@example.com")
    assert client.post(right).status_code == 302
    response = client.post(typo)
    assert response.status_code == 410
    customer.refresh_from_db()
    assert customer.email == "erika.new@example.com"


def test_a_new_password_ends_every_pending_link(client, customer):
    client.force_login(customer)
    path = request_change(client, customer, "new@example.com")
    # The notice to the old address says: choose a new password.
    customer.set_password("a-Brand-new-pass-9")
    customer.save()
    client.force_login(customer)
    response = client.post(path)
    assert response.status_code == 410
    assert "password has changed" in response.content.decode()
    customer.refresh_from_db()
    assert customer.email == "erika@example.com"


def test_an_expired_link_changes_nothing(client, customer, monkeypatch):
    client.force_login(customer)
    four_days_ago = time.time() - 4 * 86400
    with monkeypatch.context() as m:
        m.setattr(signing.time, "time", lambda: four_days_ago)
        token = services.start_email_change(customer, "new@example.com")
    path = reverse("customers:email_confirm", args=[token])
    assert client.get(path).status_code == 410
    response = client.post(path)
    assert response.status_code == 410 and "expired" in response.content.decode()
    customer.refresh_from_db()
    assert customer.email == "erika@example.com"


def test_a_link_just_inside_its_days_still_works(client, customer, monkeypatch):
    client.force_login(customer)
    almost = time.time() - services.EMAIL_CHANGE_DAYS * 86400 + 60
    with monkeypatch.context() as m:
        m.setattr(signing.time, "time", lambda: almost)
        token = services.start_email_change(customer, "new@example.com")
    assert client.post(reverse("customers:email_confirm", args=[token])).status_code == 302
    customer.refresh_from_db()
    assert customer.email == "new@example.com"


def test_a_tampered_link_is_refused(client, customer):
    client.force_login(customer)
    path = request_change(client, customer, "new@example.com")
    token = path.rstrip("/").split("/")[-1]
    forged_payload = signing.TimestampSigner(salt="another-salt").sign_object(
        {"id": customer.pk, "email": "attacker@example.com", "state": "x"}
    )
    for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), forged_payload, "garbage"):
        response = client.post(reverse("customers:email_confirm", args=[bad]))
        assert response.status_code == 400, bad
    customer.refresh_from_db()
    assert customer.email == "erika@example.com"


def test_a_link_signed_with_the_previous_secret_key_still_works(client, customer, settings):
    client.force_login(customer)
    path = request_change(client, customer, "new@example.com")
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-after-rotation-" + "x" * 40
    client.force_login(customer)  # the session was signed with the old key
    assert client.post(path).status_code == 302
    customer.refresh_from_db()
    assert customer.email == "new@example.com"


def test_an_address_taken_meanwhile_is_refused_at_confirmation(client, customer):
    client.force_login(customer)
    path = request_change(client, customer, "new@example.com")
    UserFactory(email="NEW@example.com")  # someone registered it in the meantime
    response = client.post(path)
    assert response.status_code == 409
    assert "Another account already uses" in response.content.decode()
    customer.refresh_from_db()
    assert customer.email == "erika@example.com"
    assert not OutboxEmail.objects.filter(template="account_email_changed").exists()


@pytest.mark.parametrize("language", ["de", "pl"])
def test_the_emails_and_the_link_are_in_the_customers_language(client, customer, language):
    client.force_login(customer)
    # The language chosen in the same form counts already.
    request_change(client, customer, "new@example.com", language=language)
    for email in OutboxEmail.objects.all():
        assert f'<html lang="{language}"' in email.body_html, email.template
        assert email.body_text.strip() and email.subject
    assert confirmation_path("new@example.com").startswith(f"/{language}/")
    notice = OutboxEmail.objects.get(template="account_email_change_requested")
    assert f"/{language}/account/password-reset/" in notice.body_text


# -- two requests at the same moment (real threads and connections) -------------------


@pytest.mark.django_db(transaction=True)
def test_two_accounts_confirming_the_same_address_at_once_get_one_winner():
    alice = UserFactory(email="alice@example.com")
    bob = UserFactory(email="bob@example.com")
    tokens = {
        user.pk: services.start_email_change(user, "shared@example.com") for user in (alice, bob)
    }
    barrier = threading.Barrier(2)
    results = {}

    def confirm(user):
        try:
            barrier.wait()
            services.confirm_email_change(user, tokens[user.pk])
            results[user.pk] = "changed"
        except services.EmailChangeError as exc:
            results[user.pk] = exc.reason
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(user,)) for user in (alice, bob)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == ["changed", "taken"]
    owners = User.objects.filter(email__iexact="shared@example.com")
    assert owners.count() == 1
    assert owners.get().pk == next(pk for pk, result in results.items() if result == "changed")


# -- the password ----------------------------------------------------------------------


def test_password_change_needs_the_current_password(client, customer):
    client.force_login(customer)
    url = reverse("customers:password_change")
    new = "a-Brand-new-pass-9"
    response = client.post(
        url, {"old_password": "wrong", "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["old_password"] == ["The password is not correct."]
    customer.refresh_from_db()
    assert customer.check_password(PASSWORD)
    assert not OutboxEmail.objects.exists()


def test_a_password_change_sent_twice_is_made_once(client, customer):
    """The second send of a double click answered "The password is not correct" (and
    counted a wrong attempt) though the change was made (an audit)."""
    client.force_login(customer)
    new = "a-Brand-new-pass-9"
    data = {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    assert client.post(reverse("customers:password_change"), data).status_code == 302
    again = client.post(reverse("customers:password_change"), data)
    assert again.status_code == 302
    customer.refresh_from_db()
    assert customer.check_password(new)
    assert OutboxEmail.objects.count() == 1


def test_password_change_keeps_this_session_ends_others_and_tells_the_customer(client, customer):
    elsewhere = Client()
    elsewhere.force_login(customer)
    client.force_login(customer)
    customer.language = "de"
    customer.save()
    new = "a-Brand-new-pass-9"
    response = client.post(
        reverse("customers:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.check_password(new)
    assert client.get(reverse("customers:account")).status_code == 200
    assert elsewhere.get(reverse("customers:account")).status_code == 302  # to the login
    notice = OutboxEmail.objects.get(template="account_email_password_changed")
    assert notice.to == ["erika@example.com"]
    assert '<html lang="de"' in notice.body_html
    assert "/de/account/password-reset/" in notice.body_text


def test_password_change_checks_the_new_password(client, customer):
    client.force_login(customer)
    response = client.post(
        reverse("customers:password_change"),
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    assert response.status_code == 200 and response.context["form"].errors["new_password2"]
    customer.refresh_from_db()
    assert customer.check_password(PASSWORD)


def test_wrong_current_passwords_count_together_on_both_forms(client, customer, settings):
    settings.ACCOUNT_PASSWORD_CHECK_LIMIT = 2
    client.force_login(customer)
    post_profile(client, customer, email="new@example.com", current_password="guess-1")
    new = "a-Brand-new-pass-9"
    url = reverse("customers:password_change")
    client.post(url, {"old_password": "guess-2", "new_password1": new, "new_password2": new})
    response = client.post(
        url, {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert "Too many attempts" in response.content.decode()
    customer.refresh_from_db()
    assert customer.check_password(PASSWORD)


def test_pages_render_in_every_language(client, customer):
    client.force_login(customer)
    path = request_change(client, customer, "new@example.com")
    token = path.rstrip("/").split("/")[-1]
    for language, _name in django_settings.LANGUAGES:
        with translation.override(language):
            for url in (
                reverse("customers:profile"),
                reverse("customers:password_change"),
                reverse("customers:email_confirm", args=[token]),
            ):
                assert client.get(url).status_code == 200, url


def test_erasure_deletes_the_emails_to_the_address_before_the_change(client, customer):
    """The notices went to the old address, the confirmation to the new one: after the
    change the account remembers the old address (``previous_emails``), so an erasure
    deletes what went there too."""
    from django.utils import timezone

    client.force_login(customer)
    client.post(request_change(client, customer, "new@example.com"))
    customer.refresh_from_db()
    assert customer.email == "new@example.com"
    assert customer.previous_emails == ["erika@example.com"]
    OutboxEmail.objects.update(status=OutboxEmail.Status.SENT, sent_at=timezone.now())

    services.delete_customer(customer)
    assert not OutboxEmail.objects.filter(template__startswith="account_email_").exists()


def test_a_link_does_not_come_back_to_life_when_the_address_changes_back(client, customer):
    client.force_login(customer)
    first = request_change(client, customer, "b@example.com")
    client.post(first)
    customer.refresh_from_db()
    client.post(request_change(client, customer, "erika@example.com"))
    customer.refresh_from_db()
    assert customer.email == "erika@example.com"
    assert customer.previous_emails == ["erika@example.com", "b@example.com"]
    again = client.post(first)
    customer.refresh_from_db()
    assert customer.email == "erika@example.com" and again.status_code == 410


def test_erasure_keeps_the_emails_of_another_account_that_holds_an_earlier_address(
    client, customer
):
    """X moved from A to B; Y registered with A later. Erasing X must not delete Y's mail."""
    from django.utils import timezone

    client.force_login(customer)
    client.post(request_change(client, customer, "b@example.com"))
    customer.refresh_from_db()
    other = UserFactory(email="erika@example.com")
    OutboxEmail.objects.create(
        to=[other.email],
        subject="Y's order",
        body_text="…",
        template="order_confirmation",
        status=OutboxEmail.Status.SENT,
        sent_at=timezone.now(),
    )
    services.delete_customer(customer)
    assert OutboxEmail.objects.filter(subject="Y's order").exists()


def test_the_profile_does_not_tell_whose_address_is_taken_without_the_password(client, customer):
    UserFactory(email="other@example.com")
    client.force_login(customer)
    page = post_profile(client, customer, email="Other@Example.COM").content.decode()
    assert "Please enter your current password" in page
    assert "Another account already uses this e-mail address." not in page
    page = post_profile(
        client, customer, email="other@example.com", current_password=PASSWORD
    ).content.decode()
    assert "Another account already uses this e-mail address." in page


# -- only the latest request's link works ----------------------------------------------


def assert_refused_as_no_longer_valid(client, path):
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 410
        page = response.content.decode()
        assert "This link is no longer valid" in page


def test_a_newer_request_ends_the_link_of_the_one_before(client, customer):
    """Asked for a@, corrected to b@: whoever got the first mail cannot confirm it."""
    client.force_login(customer)
    first = request_change(client, customer, "a@example.com")
    newest = request_change(client, customer, "b@example.com")
    assert_refused_as_no_longer_valid(client, first)
    response = client.post(first)
    assert "you asked for another change" in response.content.decode()
    customer.refresh_from_db()
    assert customer.email == "erika@example.com"
    assert customer.pending_email == "b@example.com"
    assert not OutboxEmail.objects.filter(template="account_email_changed").exists()

    assert client.post(newest).status_code == 302
    customer.refresh_from_db()
    assert customer.email == "b@example.com"
    assert (customer.pending_email, customer.pending_email_requested_at) == ("", None)
    assert client.post(first).status_code == 410  # still dead after the change


def test_a_new_request_to_the_same_address_ends_the_earlier_link_too(client, customer):
    client.force_login(customer)
    first = request_change(client, customer, "b@example.com")
    # later than a double click (that keeps the link sent: the test below)
    User.objects.filter(pk=customer.pk).update(
        pending_email_requested_at=timezone.now() - services.REPEAT_WINDOW
    )
    newest = request_change(client, customer, "b@example.com")
    assert first != newest
    assert_refused_as_no_longer_valid(client, first)
    assert client.post(newest).status_code == 302
    customer.refresh_from_db()
    assert customer.email == "b@example.com"


def test_a_request_sent_twice_keeps_its_link_and_mails_once(client, customer):
    """A double click on "Save" e-mailed the new and the old address twice, and the first
    link was dead (an audit)."""
    client.force_login(customer)
    first = request_change(client, customer, "b@example.com")
    post_profile(client, customer, email="b@example.com", current_password=PASSWORD)
    assert OutboxEmail.objects.filter(template="account_email_confirm").count() == 1
    assert OutboxEmail.objects.filter(template="account_email_change_requested").count() == 1
    assert client.post(first).status_code == 302
    customer.refresh_from_db()
    assert customer.email == "b@example.com"


def test_a_registration_nobody_confirmed_blocks_no_change_to_its_address(client, customer):
    """A stranger registered the address and never confirmed it: the customer who proves
    it (the link) takes it, and the pending registration goes (an audit)."""
    from tests.registration import register

    register(Client(), "b@example.com")
    client.force_login(customer)
    link = request_change(client, customer, "b@example.com")
    assert client.post(link).status_code == 302
    customer.refresh_from_db()
    assert customer.email == "b@example.com"
    assert User.objects.filter(email__iexact="b@example.com").count() == 1


def test_the_pending_change_is_shown_on_the_account_pages(client, customer):
    client.force_login(customer)
    for name in ("customers:account", "customers:profile"):
        assert "is waiting for confirmation" not in client.get(reverse(name)).content.decode()
    request_change(client, customer, "b@example.com")
    customer.refresh_from_db()
    for name in ("customers:account", "customers:profile"):
        page = client.get(reverse(name)).content.decode()
        assert "A change of your e-mail address to <strong>b@example.com</strong>" in page
        assert "is waiting for confirmation" in page
        assert reverse("customers:email_change_cancel") in page
        assert 'name="csrfmiddlewaretoken"' in page


def test_an_expired_request_is_no_longer_shown(client, customer):
    from datetime import timedelta

    from django.utils import timezone

    client.force_login(customer)
    request_change(client, customer, "b@example.com")
    User.objects.filter(pk=customer.pk).update(
        pending_email_requested_at=timezone.now()
        - timedelta(days=services.EMAIL_CHANGE_DAYS, minutes=1)
    )
    page = client.get(reverse("customers:account")).content.decode()
    assert "is waiting for confirmation" not in page


def test_the_customer_can_cancel_the_pending_change(client, customer):
    client.force_login(customer)
    path = request_change(client, customer, "b@example.com")
    url = reverse("customers:email_change_cancel")
    assert client.get(url).status_code == 405  # a link in a mail cannot cancel it
    response = client.post(url, {"next": reverse("customers:account")})
    assert response.status_code == 302 and response["Location"] == reverse("customers:account")
    page = client.get(response["Location"]).content.decode()
    assert "The change of your e-mail address to b@example.com has been cancelled" in page
    assert "is waiting for confirmation" not in page
    customer.refresh_from_db()
    assert (customer.pending_email, customer.pending_email_requested_at) == ("", None)

    assert_refused_as_no_longer_valid(client, path)
    assert "was cancelled" in client.post(path).content.decode()
    customer.refresh_from_db()
    assert customer.email == "erika@example.com"
    # Nothing to cancel: no message, back to the profile (a foreign "next" is not followed).
    response = client.post(url, {"next": "https://evil.example/"})
    assert response["Location"] == reverse("customers:profile")


def test_cancelling_needs_the_csrf_token(customer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer)
    services.start_email_change(customer, "b@example.com")
    response = client.post(reverse("customers:email_change_cancel"))
    assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.pending_email == "b@example.com"


def test_a_password_change_ends_the_pending_change(client, customer):
    client.force_login(customer)
    path = request_change(client, customer, "b@example.com")
    new = "a-Brand-new-pass-9"
    response = client.post(
        reverse("customers:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.pending_email, customer.pending_email_requested_at) == ("", None)
    assert (
        "is waiting for confirmation"
        not in client.get(reverse("customers:profile")).content.decode()
    )
    response = client.post(path)
    assert response.status_code == 410 and "password has changed" in response.content.decode()
    customer.refresh_from_db()
    assert customer.email == "erika@example.com"


def test_a_password_reset_ends_the_pending_change(client, customer):
    """The notice to the current address advises a password reset: it ends the request."""
    from django.contrib.auth.forms import SetPasswordForm

    client.force_login(customer)
    path = request_change(client, customer, "b@example.com")
    customer.refresh_from_db()
    new = "a-Brand-new-pass-9"
    form = SetPasswordForm(customer, {"new_password1": new, "new_password2": new})
    assert form.is_valid()
    form.save()
    customer.refresh_from_db()
    assert customer.pending_email == ""
    client.force_login(customer)
    assert client.post(path).status_code == 410
    customer.refresh_from_db()
    assert customer.email == "erika@example.com"


def test_a_link_cannot_be_used_twice_nor_after_the_change_is_made(client, customer):
    client.force_login(customer)
    path = request_change(client, customer, "b@example.com")
    assert client.post(path).status_code == 302
    customer.refresh_from_db()
    assert customer.email == "b@example.com"
    assert services.pending_email_change(customer) is None
    again = client.post(path)
    assert again.status_code == 410 and "already been used" in again.content.decode()
    assert OutboxEmail.objects.filter(template="account_email_changed").count() == 1
