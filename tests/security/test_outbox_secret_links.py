"""Secret links in the outbox: whoever may read the outbox (Order clerk, Sales …) must not
find a link in it that opens a customer's account, order or file — a password-reset or
confirmation link, a download token, a guest's signed link. The backoffice shows every
e-mail with those links hidden, to superusers too; "Send again" sends them as written."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from orders import links as order_links
from orders import services as order_services
from orders.models import DownloadLink
from shop import mail
from shop.models import OutboxEmail
from tests.factories import RoleUserFactory, UserFactory
from tests.orders.factories import downloadable_product
from tests.security.test_ownership import OWNED, TOKEN_ACTIONS, TOKENS

pytestmark = pytest.mark.django_db

RESET_LINK = re.compile(r"https?://\S+/account/password-reset/[^/\s]+/[^/\s]+/")


def _outbox_page(client, email):
    response = client.get(reverse("admin:shop_outboxemail_change", args=[email.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _readers(admin_user):
    return [
        RoleUserFactory(role="Order clerk"),
        RoleUserFactory(role="Sales"),
        admin_user,  # superusers too: nobody needs a customer's key
    ]


def test_every_token_link_of_the_storefront_is_declared_secret():
    """The bearer links of tests/security/test_ownership.py (a new one fails there until it is
    listed) and the e-mail-change confirmation are all hidden in the outbox."""
    token_links = set(TOKENS) | TOKEN_ACTIONS | {"customers:email_confirm"}
    assert "customers:email_confirm" in OWNED
    missing = token_links - mail.secret_url_names()
    assert not missing, f"declare with shop.mail.declare_secret_urls(): {missing}"


def test_password_reset_link_is_hidden_in_the_outbox_and_sent_in_full(
    client, admin_user, django_capture_on_commit_callbacks, mailoutbox
):
    customer = UserFactory(email="victim@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("customers:password_reset"), {"email": customer.email})
    email = OutboxEmail.objects.get(template="customer_password_reset")
    link = RESET_LINK.search(email.body_text).group(0)
    uid, token = link.rstrip("/").split("/")[-2:]
    assert token in email.body_html

    for reader in _readers(admin_user):
        client.force_login(reader)
        page = _outbox_page(client, email)
        assert token not in page and uid not in page, reader
        assert "/account/password-reset/[hidden]/[hidden]/" in page
        assert "victim@example.com" in page  # the rest of the e-mail is shown
    client.logout()

    # "Send again" sends the stored e-mail with its working link.
    email.refresh_from_db()
    assert link in email.body_text  # looking at it changed nothing
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert mail.send_again([email.pk]) == 1
    assert link in mailoutbox[-1].body
    response = client.get(link.removeprefix(settings.SITE_URL))
    assert response.status_code == 302  # Django moves a valid token into the session
    assert response["Location"].endswith("/set-password/")


def test_download_and_guest_order_links_are_hidden_in_the_outbox(client, admin_user, make_order):
    ebook = downloadable_product()
    order = make_order(items={ebook.pk: 1}, email="guest@example.com")  # a guest order
    order_services.mark_paid(order)
    download_token = DownloadLink.objects.get(order=order).token
    signed = order_links.signed_status_value(order)
    downloads = OutboxEmail.objects.get(template="order_downloads")
    assert download_token in downloads.body_text
    # The confirmation is written when sent: the page writes it to show it (not saved).
    confirmation = OutboxEmail.objects.get(template="order_confirmation")
    assert confirmation.render_later

    client.force_login(RoleUserFactory(role="Order clerk"))
    page = _outbox_page(client, downloads)
    assert download_token not in page
    assert "/downloads/[hidden]/" in page
    page = _outbox_page(client, confirmation)
    assert order.number in page
    assert signed not in page
    assert "/order-status/[hidden]/" in page


@pytest.mark.parametrize(
    "written, shown",
    [
        # text part, trailing punctuation, a link without its slash (APPEND_SLASH opens it)
        (
            "{site}/account/password-reset/MQ/abc-123/.",
            "{site}/account/password-reset/[hidden]/[hidden]/.",
        ),
        ("({site}/downloads/tok3n)", "({site}/downloads/[hidden])"),
        # a language prefix, another host (SITE_URL may have changed), query and fragment
        (
            "http://old.example/pl/order-status/sig:n-ed/?x=1#y",
            "http://old.example/pl/order-status/[hidden]/",
        ),
        # HTML attributes and root-relative links
        ('<a href="/helpdesk/t/s1gned/">go</a>', '<a href="/helpdesk/t/[hidden]/">go</a>'),
        (
            '<a href="{site}/order-status/s1g/credit-notes/GS-1.pdf">',
            '<a href="{site}/order-status/[hidden]/credit-notes/[hidden].pdf">',
        ),
        # links that are no key stay as they are
        (
            "{site}/products/coffee/ and {site}/account/",
            "{site}/products/coffee/ and {site}/account/",
        ),
        ("https://partner.example/x", "https://partner.example/x"),
    ],
)
def test_without_secret_links(written, shown):
    site = settings.SITE_URL.rstrip("/")
    assert mail.without_secret_links(written.format(site=site)) == shown.format(site=site)


def test_personal_data_report_shows_the_outbox_without_secret_links(
    client, django_capture_on_commit_callbacks
):
    """The data protection officer's "Show" page and the subject's report list the e-mails
    sent to the person — without the keys in them."""
    from privacy import subjects

    customer = UserFactory(email="subject@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("customers:password_reset"), {"email": customer.email})
    email = OutboxEmail.objects.get(template="customer_password_reset")
    token = RESET_LINK.search(email.body_text).group(0).rstrip("/").split("/")[-1]

    person = subjects.resolve(f"customer:{customer.pk}")
    places = {p["model"]: p for p in subjects.collect(person)["places"]}
    shown = " ".join(
        str(field["value"])
        for record in places["shop.outboxemail"]["records"]
        for field in record["fields"]
    )
    assert "/account/password-reset/[hidden]/[hidden]/" in shown
    assert token not in shown


# -- secret values: gift-card numbers and personal discount codes ------------------------


def _changelist(client):
    response = client.get(reverse("admin:shop_outboxemail_changelist"))
    assert response.status_code == 200
    return response.content.decode()


def test_gift_card_numbers_are_hidden_in_the_outbox_and_sent_in_full(
    client, admin_user, make_order, django_capture_on_commit_callbacks, mailoutbox
):
    """A role that may read the outbox (Order clerk, Sales …) must not read a customer's card
    numbers there: whoever knows one can spend the card."""
    from decimal import Decimal

    from giftcards.models import GiftCard
    from tests.factories import ProductFactory

    giftcard = ProductFactory(price=Decimal("25.00"), tax_rate=Decimal("0"), is_giftcard=True)
    order = make_order({giftcard.pk: 2}, email="buyer@example.com")
    order_services.mark_paid(order)
    cards = list(GiftCard.objects.filter(issued_by_order=order))
    assert len(cards) == 2
    email = OutboxEmail.objects.get(template="giftcard_issued")
    assert all(c.display_number in email.body_text for c in cards)
    assert all(c.display_number in email.body_html for c in cards)

    for reader in [*_readers(admin_user), RoleUserFactory(role="Shop manager")]:
        client.force_login(reader)
        page = _outbox_page(client, email)
        for card in cards:
            assert card.display_number not in page and card.number not in page, reader
        assert "[hidden]" in page
        assert order.number in page and "buyer@example.com" in page  # the rest is shown
        assert all(c.number not in _changelist(client) for c in cards)
    client.logout()

    # "Send again" sends the real numbers; looking at the e-mail changed nothing.
    email.refresh_from_db()
    assert all(c.display_number in email.body_text for c in cards)
    OutboxEmail.objects.filter(pk=email.pk).update(status="sent", sent_at=email.created)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert mail.send_again([email.pk]) == 1
    resent = mailoutbox[-1]
    assert all(c.display_number in resent.body for c in cards)
    html = resent.alternatives[0][0] if resent.alternatives else ""
    assert all(c.display_number in html for c in cards)
    copy = OutboxEmail.objects.exclude(pk=email.pk).get(template="giftcard_issued")
    assert sorted(copy.secret_values) == sorted(email.secret_values)  # still hidden


def test_a_personal_discount_code_is_hidden_in_the_outbox(client):
    from tests.vouchers.factories import CampaignFactory, CodeFactory
    from vouchers import services as voucher_services

    customer = UserFactory(email="fan@example.com")
    code = CodeFactory(campaign=CampaignFactory(kind="assigned"), text="PERSONAL7Q2X")
    code.assigned_to = customer
    code.save()
    voucher_services.notify_assigned([code.pk])
    email = OutboxEmail.objects.get(template="voucher_assigned")
    assert code.text in email.body_text

    client.force_login(RoleUserFactory(role="Sales"))
    page = _outbox_page(client, email)
    assert code.text not in page and "[hidden]" in page
    assert "fan@example.com" in page


def test_personal_data_report_shows_the_outbox_without_card_numbers(make_order):
    """The data protection officer's pages list the e-mails with the same values hidden."""
    from decimal import Decimal

    from giftcards.models import GiftCard
    from privacy import subjects
    from tests.factories import ProductFactory

    customer = UserFactory(email="holder@example.com")
    giftcard = ProductFactory(price=Decimal("25.00"), tax_rate=Decimal("0"), is_giftcard=True)
    order = make_order({giftcard.pk: 1}, customer=customer, email=customer.email)
    order_services.mark_paid(order)
    card = GiftCard.objects.get(issued_by_order=order)

    person = subjects.resolve(f"customer:{customer.pk}")
    places = {p["model"]: p for p in subjects.collect(person)["places"]}
    shown = " ".join(
        str(field["value"])
        for record in places["shop.outboxemail"]["records"]
        for field in record["fields"]
    )
    assert order.number in shown
    assert card.display_number not in shown and card.number not in shown
    assert "[hidden]" in shown


@pytest.mark.parametrize(
    "written, values, shown",
    [
        (
            "Card: 1234 5678 9012 3456.",
            ["1234567890123456", "1234 5678 9012 3456"],
            "Card: [hidden].",
        ),
        # HTML-escaped in the HTML part; the longer value is replaced before a shorter one
        ("<td>A&amp;B-1</td><td>A&B</td>", ["A&B", "A&B-1"], "<td>[hidden]</td><td>[hidden]</td>"),
        # no values: the links only; empty values hide nothing
        ("{site}/downloads/tok3n 42", ["", None], "{site}/downloads/[hidden] 42"),
    ],
)
def test_without_secrets(written, values, shown):
    site = settings.SITE_URL.rstrip("/")
    assert mail.without_secrets(written.format(site=site), values) == shown.format(site=site)


def test_gift_card_e_mails_already_in_the_outbox_get_their_numbers_hidden():
    """Migration giftcards/0003 names the numbers of e-mails written before this rule."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("giftcards.migrations.0003_h3_outbox_card_numbers_secret")
    old = OutboxEmail.objects.create(
        to=["buyer@example.com"],
        subject="Your gift card from order 10001",
        body_text="Here are your gift card numbers:\n\n1234 5678 9012 3456   25,00 €\n",
        body_html="<td>1234 5678 9012 3456</td>",
        template="giftcard_issued",
    )
    migration.name_card_numbers(apps, None)
    old.refresh_from_db()
    assert sorted(old.secret_values) == ["1234 5678 9012 3456", "1234567890123456"]
    assert "1234" not in mail.without_secrets(old.body_text, old.secret_values)


def test_voucher_e_mails_already_in_the_outbox_get_their_codes_hidden():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("vouchers.migrations.0010_h3_outbox_personal_codes_secret")
    old = OutboxEmail.objects.create(
        to=["fan@example.com"],
        subject="Your personal discount code",
        body_text="Hello Fan,\n\nas a thank-you …\n\n    PERSONAL7Q2X\n\nEnter it in your cart.\n",
        template="voucher_assigned",
    )
    migration.name_personal_codes(apps, None)
    old.refresh_from_db()
    assert old.secret_values == ["PERSONAL7Q2X"]
