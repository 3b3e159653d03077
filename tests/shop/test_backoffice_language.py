"""Issue 22: every staff member works in their own language. The language is stored on the
staff user (``language``), chosen on the "My language" page or by an admin on the staff user
page; the middleware applies it on /backoffice/ only. Before login, the backoffice follows
the browser's Accept-Language. E-mails to staff go out in each recipient's language."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from customers.models import User
from shop.mail import queue_staff_email
from shop.models import OutboxEmail
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

# (string, its German, its Polish): our own backoffice strings and Django's.
INDEX = [
    ("My language", "Meine Sprache", "Mój język"),
    ("Needs attention", "Zu erledigen", "Do zrobienia"),
    ("Log out", "Abmelden", "Wyloguj"),
]
ORDER_LIST = [
    ("New-orders feed", "Feed neuer Bestellungen", "Kanał nowych zamówień"),
    (
        "First order (new customer)",
        "Erstbestellung (Neukunde)",
        "Pierwsze zamówienie (nowy klient)",
    ),
]
ORDER_DETAIL = [
    ("Comment history", "Kommentarverlauf", "Historia komentarzy"),
    ("Add comment", "Kommentar hinzufügen", "Dodaj komentarz"),
    ("Cancel order", "Bestellung stornieren", "Anuluj zamówienie"),
    ("Not invoiced yet.", "Noch nicht in Rechnung gestellt.", "Jeszcze nie zafakturowano."),
]
COLUMN = {"de": 1, "pl": 2}


def staff_client(client, language):
    staff = StaffFactory(is_superuser=True, language=language)
    client.force_login(staff)
    return client, staff


@pytest.mark.parametrize("language", ["de", "pl"])
def test_index_order_list_and_order_page_speak_the_staff_language(client, make_order, language):
    order = make_order()
    client, _staff = staff_client(client, language)
    pages = [
        (reverse("admin:index"), INDEX),
        (reverse("admin:orders_order_changelist"), ORDER_LIST),
        (reverse("admin:orders_order_change", args=[order.pk]), ORDER_DETAIL),
    ]
    for url, strings in pages:
        # The browser asks for English: the staff member's own choice wins.
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, url
        assert response["Content-Language"] == language
        page = response.content.decode()
        for row in strings:
            assert row[COLUMN[language]] in page, (url, row)
            assert f">{row[0]}<" not in page, (url, row[0])


def test_english_staff_get_english_whatever_the_browser_says(client, make_order):
    client, _staff = staff_client(client, "en")
    page = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "My language" in page and "Meine Sprache" not in page


@pytest.mark.parametrize(
    ("accept", "expected", "text"),
    [
        ("pl-PL,pl;q=0.9,en;q=0.5", "pl", "Zaloguj się"),
        ("de-DE,de;q=0.9", "de", "Anmelden"),
        ("da,en;q=0.5", "da", "Log ind"),
        ("fr-FR,fr;q=0.9", "en", "Log in"),
        ("", "en", "Log in"),
    ],
)
def test_login_page_follows_the_browser(client, accept, expected, text):
    response = client.get(reverse("admin:login"), HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 200
    assert response["Content-Language"] == expected
    assert text in response.content.decode()
    assert "Accept-Language" in response["Vary"]


def test_language_cookie_of_the_storefront_does_not_decide_the_login_page(client):
    client.cookies["django_language"] = "da"
    response = client.get(reverse("admin:login"), HTTP_ACCEPT_LANGUAGE="de")
    assert response["Content-Language"] == "de"


def test_staff_member_changes_their_language_on_my_language_page(client):
    client, staff = staff_client(client, "en")
    page = client.get(reverse("admin:my_language")).content.decode()
    assert 'value="da"' in page and "Dansk" in page and "Polski" in page

    response = client.post(reverse("admin:my_language"), {"language": "da"}, follow=True)
    staff.refresh_from_db()
    assert staff.language == "da"
    page = response.content.decode()
    assert "Dit backoffice-sprog er nu dansk." in page  # the message already in Danish
    assert "Mit sprog" in page
    assert client.get(reverse("admin:index"))["Content-Language"] == "da"


def test_unknown_language_is_refused_and_changes_nothing(client):
    client, staff = staff_client(client, "de")
    response = client.post(reverse("admin:my_language"), {"language": "xx"})
    assert response.status_code == 200
    assert response.context["form"].errors["language"]
    staff.refresh_from_db()
    assert staff.language == "de"


def test_my_language_page_needs_a_staff_login(client):
    customer = User.objects.create_user("kunde@example.com", "pw-12345678", language="de")
    client.force_login(customer)
    response = client.post(reverse("admin:my_language"), {"language": "pl"})
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]
    customer.refresh_from_db()
    assert customer.language == "de"


def test_admin_sets_the_language_of_another_staff_user(admin_client):
    clerk = StaffFactory(first_name="Ola", last_name="Nowak", language="en")
    url = reverse("admin:customers_staffuser_change", args=[clerk.pk])
    assert 'name="language"' in admin_client.get(url).content.decode()
    response = admin_client.post(
        url,
        {
            "email": clerk.email,
            "first_name": "Ola",
            "last_name": "Nowak",
            "phone": "",
            "language": "pl",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    clerk.refresh_from_db()
    assert clerk.language == "pl"
    admin_client.force_login(clerk)
    assert admin_client.get(reverse("admin:index"))["Content-Language"] == "pl"


def test_staff_emails_go_out_in_each_recipients_language():
    StaffFactory(email="anna@example.com", language="de")
    StaffFactory(email="piotr@example.com", language="pl")
    StaffFactory(email="bo@example.com", language="da")
    context = {
        "entry_id": 7,
        "hash": "ab" * 32,
        "time": datetime(2026, 11, 30, 12, 0, tzinfo=UTC),
        "shop_url": "https://shop.example",
    }
    queue_staff_email(
        "privacy_access_log_digest",
        ["Anna@example.com", "piotr@example.com", "bo@example.com", "dpo@example.com"],
        context,
    )
    mails = {
        tuple(m.to): m for m in OutboxEmail.objects.filter(template="privacy_access_log_digest")
    }
    assert set(mails) == {
        ("Anna@example.com",),
        ("piotr@example.com",),
        ("bo@example.com",),
        ("dpo@example.com",),  # no staff account: the shop's default language
    }
    bodies = {to[0]: mails[to].body_text for to in mails}
    assert (
        "Access log" not in bodies["Anna@example.com"]
        and "Zugriffsprotokoll" in (bodies["Anna@example.com"])
    )
    assert "dziennik" in bodies["piotr@example.com"]
    assert "adgangslog" in bodies["bo@example.com"].lower()
    assert "access log" in bodies["dpo@example.com"]


def test_storefront_language_is_untouched_by_the_staff_language(client):
    client, _staff = staff_client(client, "pl")
    client.post(reverse("set_language"), {"language": "da", "next": "/"})
    # the chosen storefront language (the cookie) brings the cart to its Danish URL
    page = client.get(reverse("shop:cart"), follow=True).content.decode()
    assert "Din kurv er tom." in page and '<html lang="da"' in page


def test_operator_hears_of_a_deleted_account_in_the_operators_language(settings):
    from customers.services import delete_own_account

    settings.OPERATOR_EMAIL = "ops@example.com"
    StaffFactory(email="ops@example.com", language="pl")
    customer = User.objects.create_user("leaving@example.com", "pw-12345678", language="de")
    with translation.override("de"):  # the customer deletes the account in German
        delete_own_account(customer, "pw-12345678")
    mail = OutboxEmail.objects.get(template="customer_deleted_operator")
    assert mail.to == ["ops@example.com"]
    assert mail.subject.startswith("Klient ") and "usunął swoje konto" in mail.subject


def test_third_party_two_factor_screens_are_named_in_the_staff_language(client):
    client, _staff = staff_client(client, "de")
    page = client.get(reverse("admin:otp_totp_totpdevice_changelist")).content.decode()
    assert "Authenticator-App" in page and "TOTP device" not in page
    page = client.get(reverse("admin:otp_static_staticdevice_changelist")).content.decode()
    assert "Wiederherstellungscodes" in page and "static device" not in page
    # django-otp's field names are plain English: the columns and the device page say them
    device = TOTPDevice.objects.create(user=_staff, name="Handy", confirmed=True)
    page = client.get(reverse("admin:otp_totp_totpdevice_changelist")).content.decode()
    assert "Mitarbeiter" in page and "Zuletzt benutzt" in page and "Last used at" not in page
    page = client.get(
        reverse("admin:otp_totp_totpdevice_change", args=[device.pk])
    ).content.decode()
    assert "Hinzugefügt" in page and "Created at" not in page and "Handy" in page
    # the values as the admin shows a field's: a local date, nothing for "never used"
    added = timezone.localtime(device.created_at).strftime("%d.%m.%Y")
    assert added in page and ">None<" not in page and "+00:00" not in page
