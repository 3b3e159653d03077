import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from customers.models import Address, User
from orders.services import place_order
from shop.mail import written
from shop.models import OutboxEmail
from tests.customers.factories import AddressFactory
from tests.factories import UserFactory
from tests.registration import PASSWORD as REGISTERED
from tests.registration import confirmation_path, register, register_and_confirm

# Registrations count confirmation e-mails per address in the cache (a rate limit).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

PASSWORD = "secret-pass-123"


def test_registration_proves_the_address_before_anyone_logs_in(client):
    """The account logs in only through the link sent to its address, with the password
    chosen at the registration (a stranger who registers someone's address gets nothing:
    "Download my data" hands out the guest orders under it)."""
    response = register(client, "New.Customer@Example.com")
    assert response["Location"] == reverse("customers:login")
    user = User.objects.get(email="new.customer@example.com")
    assert not user.is_confirmed and user.customer_number == str(100000 + user.pk)
    assert client.get(reverse("customers:account")).status_code == 302  # not logged in
    refused = client.post(
        reverse("customers:login"), {"username": user.email, "password": REGISTERED}
    )
    assert "not activated yet" in refused.content.decode()  # refused until confirmed
    mail = written(OutboxEmail.objects.get(template="customer_confirm"))
    assert "thank you for registering" in mail.body_text
    assert "the account is not activated without this link" in mail.body_text
    path = confirmation_path(user.email)
    page = client.get(path).content.decode()
    assert 'name="password"' in page and 'name="password1"' not in page
    wrong = client.post(path, {"password": "not-the-one-2026"})
    assert "not the password chosen at the registration" in wrong.content.decode()
    assert not User.objects.get(pk=user.pk).is_confirmed
    client.post(path, {"password": REGISTERED})
    assert User.objects.get(pk=user.pk).is_confirmed
    page = client.get(reverse("customers:account"))
    assert page.status_code == 200 and user.customer_number in page.content.decode()


def test_registering_a_pending_address_again_replaces_the_registration(client):
    """A stranger's registration of the address (or an old one of the customer) blocks
    nobody: the newest registration's password and link count, and the link of another's
    registration activates nothing without that registration's password."""
    register(client, "erika@example.com", "strangers-Pass-2026", first_name="Not")
    strangers_link = confirmation_path("erika@example.com")
    register(client, "erika@example.com", "erikas-Pass-2026", first_name="Erika")
    user = User.objects.get(email="erika@example.com")
    assert user.first_name == "Erika" and user.check_password("erikas-Pass-2026")
    assert client.get(strangers_link).status_code == 410  # replaced by the newer link
    register_and_confirm(client, "erika@example.com", "erikas-Pass-2026", first_name="Erika")
    assert User.objects.get(pk=user.pk).is_confirmed
    assert User.objects.filter(email="erika@example.com").count() == 1


def test_registration_refuses_duplicate_email_and_weak_password(client, customer):
    response = client.post(
        reverse("customers:register"),
        {
            "email": customer.email.upper(),
            "first_name": "X",
            "last_name": "Y",
            "password1": "a-long-Pass-2026",
            "password2": "a-long-Pass-2026",
        },
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    response = client.post(
        reverse("customers:register"),
        {
            "email": "weak@example.com",
            "first_name": "X",
            "last_name": "Y",
            "password1": "123",
            "password2": "123",
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="weak@example.com").exists()


def test_login_and_logout(client, customer):
    response = client.post(
        reverse("customers:login"), {"username": customer.email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("customers:account")).status_code == 200
    client.post(reverse("customers:logout"))
    assert client.get(reverse("customers:account")).status_code == 302


def test_wrong_password_is_refused(client, customer):
    response = client.post(
        reverse("customers:login"), {"username": customer.email, "password": "wrong"}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    # Says what is wrong — not "please enter", not that an e-mail address is case-sensitive.
    assert "The e-mail address or the password is not correct." in response.content.decode()
    german = client.post(
        "/de" + reverse("customers:login"), {"username": customer.email, "password": "wrong"}
    )
    assert "Die E-Mail-Adresse oder das Passwort ist nicht korrekt." in german.content.decode()


def test_rejected_customer_cannot_log_in_and_sees_clear_message(client):
    user = UserFactory(is_rejected=True)
    response = client.post(
        reverse("customers:login"), {"username": user.email, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "blocked" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_rejected_message_needs_the_right_password(client):
    user = UserFactory(is_rejected=True)
    response = client.post(reverse("customers:login"), {"username": user.email, "password": "x"})
    assert "blocked" not in response.content.decode()


def test_session_opened_before_rejection_stops_working(client, customer):
    client.force_login(customer, backend="customers.backends.ShopUserBackend")
    assert client.get(reverse("customers:account")).status_code == 200
    User.objects.filter(pk=customer.pk).update(is_rejected=True)
    response = client.get(reverse("customers:account"))
    assert response.status_code == 302 and "/login/" in response.url


def test_rejected_customer_cannot_place_order_even_with_stale_object(
    checkout_data, product, customer
):
    from customers.services import CustomerError
    from orders.models import Order

    User.objects.filter(pk=customer.pk).update(is_rejected=True)
    # `customer` is the stale in-memory object of a session opened before the flag was set.
    assert customer.is_rejected is False
    with pytest.raises(CustomerError):
        place_order({product.pk: 1}, checkout_data(), customer=customer)
    assert Order.objects.count() == 0


def test_login_is_throttled_with_clear_page(client, settings, customer):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    url = reverse("customers:login")
    for _ in range(3):
        client.post(url, {"username": customer.email, "password": "wrong"})
    response = client.post(url, {"username": customer.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many login attempts" in response.content.decode()
    assert "try again later" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_goes_through_outbox_and_sets_new_password(
    client, customer, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("customers:password_reset"), {"email": customer.email})
    assert response.status_code == 302
    email = OutboxEmail.objects.get(template="customer_password_reset")
    assert email.to == [customer.email]
    assert len(mailoutbox) == 1
    link = next(line for line in email.body_text.splitlines() if "/password-reset/" in line)
    path = link.strip().removeprefix(django_settings.SITE_URL)
    response = client.get(path, follow=True)
    assert response.status_code == 200
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "brand-New-pass-77", "new_password2": "brand-New-pass-77"},
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.check_password("brand-New-pass-77")


def test_password_reset_sends_nothing_for_unknown_or_rejected(client):
    rejected = UserFactory(is_rejected=True)
    client.post(reverse("customers:password_reset"), {"email": "nobody@example.com"})
    client.post(reverse("customers:password_reset"), {"email": rejected.email})
    assert not OutboxEmail.objects.filter(template="customer_password_reset").exists()


def test_profile_update(client, customer):
    client.force_login(customer)
    other = UserFactory()
    response = client.post(
        reverse("customers:profile"),
        {
            "email": other.email,
            "first_name": "A",
            "last_name": "B",
            "company": "",
            "phone": "",
            "language": "de",
            "current_password": PASSWORD,
        },
    )
    assert response.status_code == 200 and "already uses" in response.content.decode()
    response = client.post(
        reverse("customers:profile"),
        {
            "email": customer.email,
            "first_name": "Anna",
            "last_name": "Berg",
            "company": "Berg AG",
            "phone": "+49 1",
            "language": "de",
        },
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.first_name, customer.company, customer.language) == ("Anna", "Berg AG", "de")
    # A new address is a request confirmed by e-mail: tests/customers/test_email_change.py


ADDRESS = {
    "first_name": "Erika",
    "last_name": "Mustermann",
    "company": "",
    "street": "Weg 2",
    "postcode": "10115",
    "city": "Berlin",
    "country": "de",
    "phone": "",
}


def test_addresses_add_edit_default_delete(client, customer):
    client.force_login(customer)
    client.post(reverse("customers:address_add"), ADDRESS)
    first = Address.objects.get(customer=customer)
    assert first.is_default and first.country == "DE"  # the first address becomes default
    client.post(reverse("customers:address_add"), {**ADDRESS, "street": "Platz 3"})
    second = Address.objects.get(customer=customer, street="Platz 3")
    assert not second.is_default
    client.post(reverse("customers:address_default", args=[second.pk]))
    first.refresh_from_db(), second.refresh_from_db()
    assert second.is_default and not first.is_default
    client.post(reverse("customers:address_edit", args=[first.pk]), {**ADDRESS, "city": "Köln"})
    first.refresh_from_db()
    assert first.city == "Köln"
    client.post(reverse("customers:address_delete", args=[second.pk]))
    first.refresh_from_db()
    assert first.is_default and customer.addresses.count() == 1
    page = client.get(reverse("customers:addresses")).content.decode()
    assert "Köln" in page


def test_address_of_another_customer_is_404(client, customer):
    foreign = AddressFactory()
    client.force_login(customer)
    assert client.get(reverse("customers:address_edit", args=[foreign.pk])).status_code == 404
    response = client.post(reverse("customers:address_delete", args=[foreign.pk]))
    assert response.status_code == 404
    assert Address.objects.filter(pk=foreign.pk).exists()


def test_bad_country_code_is_a_form_error(client, customer):
    client.force_login(customer)
    response = client.post(reverse("customers:address_add"), {**ADDRESS, "country": "1"})
    assert response.status_code == 200
    assert not Address.objects.exists()


def test_self_delete_needs_password_and_emails_the_operator(
    client, customer, settings, django_capture_on_commit_callbacks, mailoutbox
):
    settings.OPERATOR_EMAIL = "ops@example.com"
    client.force_login(customer)
    url = reverse("customers:delete_account")
    response = client.post(url, {"password": "wrong", "confirm": "on"})
    assert response.status_code == 200 and "not correct" in response.content.decode()
    assert User.objects.filter(pk=customer.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=customer.pk).exists()
    assert "_auth_user_id" not in client.session
    assert [m.to for m in mailoutbox] == [["ops@example.com"]]
    assert customer.customer_number in mailoutbox[0].subject


def test_account_page_shows_nav_and_points_panel(client, customer):
    client.force_login(customer)
    page = client.get(reverse("customers:account")).content.decode()
    assert reverse("customers:profile") in page
    assert reverse("customers:addresses") in page
    assert 'id="loyalty-points"' in page


def test_deleting_the_account_limits_wrong_passwords_like_the_profile(client, customer, settings):
    """A stolen session must not be a way to guess the password and then erase the account:
    the same per-account limit as the login-address change."""
    from django.core.cache import cache

    cache.clear()
    settings.ACCOUNT_PASSWORD_CHECK_LIMIT = 2
    client.force_login(customer)
    url = reverse("customers:delete_account")
    for _ in range(2):
        client.post(url, {"password": "wrong", "confirm": "on"})
    blocked = client.post(url, {"password": PASSWORD, "confirm": "on"})
    assert blocked.status_code == 200 and "Too many attempts" in blocked.content.decode()
    assert User.objects.filter(pk=customer.pk).exists()
    cache.clear()


def test_a_registration_nobody_confirmed_is_deleted_after_thirty_days(client, make_order):
    """It holds what somebody typed about a person whose address never answered; an
    operator's invitation and a confirmed account stay."""
    from datetime import timedelta

    from django.utils import timezone

    from customers import confirmation
    from customers.models import AccountConfirmation

    register(client, "never@example.com")
    register(client, "recent@example.com")
    invited = confirmation.invite_customer(UserFactory.build(email="invited@example.com"))
    old = timezone.now() - timedelta(days=31)
    AccountConfirmation.objects.exclude(customer__email="recent@example.com").update(sent_at=old)
    assert confirmation.purge_unconfirmed_registrations() == 1
    assert not User.objects.filter(email="never@example.com").exists()
    assert User.objects.filter(email="recent@example.com").exists()
    assert User.objects.filter(pk=invited.pk).exists()


def test_one_address_gets_at_most_three_registration_links_a_day(client):
    """The form e-mails an address anybody can type: it is no way to flood a mailbox."""
    for attempt in range(3):
        register(client, "flooded@example.com", f"a-long-Pass-{attempt}-2026")
    refused = register(client, "flooded@example.com", "a-long-Pass-9-2026")
    assert "several links today already" in refused.content.decode()
    assert OutboxEmail.objects.filter(template="customer_confirm").count() == 3


def test_one_address_gets_at_most_three_password_reset_links_a_day(client, customer):
    """ "Forgot your password?" e-mails an address anybody can type (an audit: eight sends,
    eight e-mails); the page answers the same."""
    for _attempt in range(5):
        response = client.post(reverse("customers:password_reset"), {"email": customer.email})
        assert response.status_code == 302
    assert OutboxEmail.objects.filter(template="customer_password_reset").count() == 3
