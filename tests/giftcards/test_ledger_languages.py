"""The reasons the shop writes into the gift-card ledger ("Order 100131", "Expired",
"Redeemed into K-…") are read in the reader's language (``shop.events``): written during
a Polish checkout, a German clerk reads them in German; a reason staff typed stays as typed.
"""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import formats, timezone, translation

from customers import services as customer_services
from giftcards import services
from giftcards.models import CreditAccount, GiftCard, LedgerEntry
from orders import services as order_services
from tests.factories import StaffFactory
from tests.pages import ok_page as page

pytestmark = pytest.mark.django_db


def card_page(client, card):
    return page(client, reverse("admin:giftcards_giftcard_change", args=[card.pk]))


def test_a_reason_written_in_polish_is_read_in_german_and_danish(client, make_card, make_order):
    card = make_card("30.00")
    with translation.override("pl"):
        order = make_order(giftcard_number=card.number)
    spend = card.ledger.get(kind="spend")
    assert spend.reason == f"Zamówienie {order.number}"  # as it read when it was written
    staff = StaffFactory(is_superuser=True, language="de")
    client.force_login(staff)
    german = card_page(client, card)
    assert f"<td>Bestellung {order.number}</td>" in german
    assert "<td>Vom Shop ausgegeben</td>" in german
    assert "Zamówienie" not in german
    staff.language = "da"
    staff.save()
    danish = card_page(client, card)
    assert f"<td>Ordre {order.number}</td>" in danish
    assert "<td>Udstedt af butikken</td>" in danish
    # The ledger list and an entry's own page too.
    listing = page(client, reverse("admin:giftcards_ledgerentry_changelist"))
    assert f"Ordre {order.number}" in listing and "Zamówienie" not in listing
    entry = page(client, reverse("admin:giftcards_ledgerentry_change", args=[spend.pk]))
    assert f"Ordre {order.number}" in entry and "−24,90\xa0€" in entry
    with translation.override("de"):  # the entry's title (breadcrumbs, history) too
        assert str(spend) == "Für Bestellung verwendet −24,90\xa0€"  # was "… -24.90"


def test_a_reason_staff_typed_is_shown_as_typed(client, make_card):
    payments = StaffFactory(is_superuser=True, language="de")
    card = make_card("30.00", reason="Tombola 2026")
    services.adjust_card(card, D("-5.00"), "Karte beschädigt", payments)
    assert list(card.ledger.values_list("message", flat=True)) == [[], []]
    client.force_login(payments)
    text = card_page(client, card)
    assert "<td>Tombola 2026</td>" in text and "<td>Karte beschädigt</td>" in text


def test_redeeming_refunds_and_expiry_follow_the_reader(make_card, make_order, customer):
    card = make_card("40.00")
    with translation.override("da"):
        card, account, _amount = services.redeem_to_account(card.number, customer)
        order = make_order(customer=customer, use_credit=True)
        order_services.cancel_order(order)
    other = make_card("10.00")
    GiftCard.objects.filter(pk=other.pk).update(
        valid_until=timezone.localdate() - timedelta(days=2)
    )
    with translation.override("pl"):
        assert services.expire_cards() == 1
    readings = {}
    for language in ("de", "pl", "en"):
        with translation.override(language):
            readings[language] = {
                "redeemed": card.ledger.get(kind="redeem_to_account").display_reason,
                "source": account.ledger.get(kind="redeem_to_account").display_reason,
                "spend": account.ledger.get(kind="spend").display_reason,
                "refund": account.ledger.get(kind="refund").display_reason,
                "expired": other.ledger.get(kind="expire").display_reason,
            }
    number = account.customer_number
    assert readings["de"] == {
        "redeemed": f"Eingelöst im Kundenkonto {number}",
        "source": f"Geschenkgutschein {card.display_number}",
        "spend": f"Bestellung {order.number}",
        "refund": f"Bestellung {order.number} storniert",
        "expired": "Abgelaufen",
    }
    assert readings["en"]["refund"] == f"Order {order.number} canceled"
    assert readings["en"]["expired"] == "Expired"
    assert readings["pl"]["spend"] == f"Zamówienie {order.number}"
    # What was stored as text is the language of the moment.
    assert account.ledger.get(kind="refund").reason.startswith("Ordre ")


def test_the_extension_of_an_expired_card_is_dated_in_the_readers_format(make_card, make_order):
    card = make_card("30.00", valid_until=timezone.localdate() + timedelta(days=3))
    order = make_order(giftcard_number=card.number)
    GiftCard.objects.filter(pk=card.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    with translation.override("en"):
        order_services.cancel_order(order)
    refund = card.ledger.get(kind="refund")
    card.refresh_from_db()
    with translation.override("de"):
        day = formats.date_format(card.valid_until)
        assert refund.display_reason == (
            f"Bestellung {order.number} storniert (abgelaufener Gutschein verlängert bis {day})"
        )


def test_cards_issued_by_the_command_name_it_in_the_readers_language(tmp_path):
    call_command(
        "issue_giftcards", "--amount", "15.00", "--count", "2", "-o", str(tmp_path / "c.csv")
    )
    entry = LedgerEntry.objects.filter(kind="issue").first()
    assert entry.reason == "Issued with manage.py issue_giftcards"
    with translation.override("pl"):
        assert entry.display_reason == "Wydana poleceniem manage.py issue_giftcards"
    call_command(
        "issue_giftcards", "--amount", "15.00", "--reason", "Messe", "-o", str(tmp_path / "d.csv")
    )
    typed = LedgerEntry.objects.get(reason="Messe")
    assert typed.message == [] and typed.display_reason == "Messe"


def test_a_reason_that_cannot_be_written_again_falls_back_to_its_text(make_card):
    card = make_card("30.00")
    entry = card.ledger.get()
    LedgerEntry.objects.filter(pk=entry.pk).update(message=[["Order %(number)s", {}]])
    entry.refresh_from_db()
    with translation.override("de"):
        assert entry.display_reason == entry.reason == "Issued by the shop"


def test_erasure_scrubs_the_account_ledger_text_and_values(make_card, customer):
    services.redeem_to_account(make_card("20.00").number, customer)
    account = CreditAccount.objects.get(customer=customer)
    services.adjust_account(
        account, D("-20.00"), f"Paid out to {customer.email}", StaffFactory(is_superuser=True)
    )
    entry = account.ledger.get(kind="redeem_to_account")
    # A value that holds the customer's address (as a typed reference might).
    LedgerEntry.objects.filter(pk=entry.pk).update(
        message=[["Gift card %(number)s", {"number": customer.email}]]
    )
    email = customer.email
    customer_services.delete_customer(customer)
    for row in LedgerEntry.objects.filter(account=account):
        assert email not in row.reason
        assert email not in str(row.message)
