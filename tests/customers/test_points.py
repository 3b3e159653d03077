from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from customers import loyalty, services
from customers.models import LoyaltyAccount, LoyaltyEntry
from shop import events
from shop.models import ShopSettings
from tests.factories import ProductFactory
from tests.formtokens import fresh

pytestmark = pytest.mark.django_db


def _ledger_sum(customer):
    return sum(LoyaltyEntry.objects.filter(customer=customer).values_list("points", flat=True))


@pytest.fixture
def rate():
    shop = ShopSettings.load()
    shop.loyalty_points_per_euro = Decimal("2.00")
    shop.save()
    return shop


def test_points_are_earned_when_the_order_is_paid(make_order, customer, pay, rate):
    product = ProductFactory(price=Decimal("12.34"))
    order = make_order({product.pk: 2}, customer=customer)  # goods 24.68, shipping not counted
    assert loyalty.points_balance(customer) == 0
    pay(order)
    assert loyalty.points_balance(customer) == 49  # floor(24.68 × 2)
    entry = LoyaltyEntry.objects.get(customer=customer)
    assert (entry.reason, entry.order_id, entry.points) == ("earn", order.pk, 49)
    # A second "paid" event for the same order earns nothing more.
    loyalty.earn_points_for_order(order)
    assert loyalty.points_balance(customer) == 49 == _ledger_sum(customer)


def test_guest_orders_earn_nothing(make_order, pay, rate):
    order = pay(make_order())
    assert not LoyaltyEntry.objects.filter(order=order).exists()


def test_cancel_reverses_what_the_order_earned(make_order, customer, pay, cancel, rate):
    loyalty.adjust_points(customer, 10, "bonus")
    order = pay(make_order(customer=customer))  # 20.00 × 2 = 40 points
    assert loyalty.points_balance(customer) == 50
    cancel(order)
    assert loyalty.points_balance(customer) == 10
    reverse = LoyaltyEntry.objects.get(order=order, reason="reverse")
    assert reverse.points == -40
    loyalty.reverse_points_for_order(order)  # idempotent
    assert loyalty.points_balance(customer) == 10 == _ledger_sum(customer)


def test_reversal_takes_back_everything_when_points_were_spent(
    make_order, customer, pay, cancel, rate
):
    order = pay(make_order(customer=customer))  # 40 points
    loyalty.spend_points(customer, 30, [events.part("Discount code ABC")])
    cancel(order)
    # No code bought with them to void (tests/customers/test_hf_points_reversal.py): owed.
    assert loyalty.points_balance(customer) == -30
    reverse = LoyaltyEntry.objects.get(order=order, reason="reverse")
    assert reverse.points == -40
    assert "already spent" not in reverse.note
    assert _ledger_sum(customer) == -30


def test_spend_points(customer):
    loyalty.adjust_points(customer, 100, "bonus")
    entry = loyalty.spend_points(customer, 60, [events.part("Code SAVE5")])
    assert (entry.points, entry.reason, entry.note) == (-60, "spend", "Code SAVE5")
    assert loyalty.points_balance(customer) == 40
    with pytest.raises(services.CustomerError):
        loyalty.spend_points(customer, 41, [events.part("too much")])
    with pytest.raises(services.CustomerError):
        loyalty.spend_points(customer, 0, [events.part("nothing")])
    assert loyalty.points_balance(customer) == 40 == _ledger_sum(customer)


def test_spend_rolls_back_with_the_callers_transaction(customer):
    loyalty.adjust_points(customer, 100, "bonus")
    with pytest.raises(RuntimeError), transaction.atomic():
        loyalty.spend_points(customer, 50, [events.part("code")])
        raise RuntimeError("code could not be assigned")
    assert loyalty.points_balance(customer) == 100
    assert not LoyaltyEntry.objects.filter(reason="spend").exists()


def test_database_refuses_an_entry_whose_sign_does_not_match_its_reason(customer):
    # The balance may be negative (points owed); each reason keeps its sign.
    with pytest.raises(IntegrityError), transaction.atomic():
        LoyaltyEntry.objects.create(customer=customer, points=5, reason="spend")
    LoyaltyAccount.objects.create(customer=customer, balance=-1)


def test_negative_adjustment_below_zero_is_refused(customer):
    loyalty.adjust_points(customer, 5, "bonus")
    with pytest.raises(services.CustomerError):
        loyalty.adjust_points(customer, -6, "correction")
    assert loyalty.points_balance(customer) == 5


def test_points_shown_in_account_and_backoffice(client, admin_client, customer):
    loyalty.adjust_points(customer, 123, "Welcome bonus")
    from django.test import Client
    from django.urls import reverse

    shopper = Client()
    shopper.force_login(customer)
    assert "<strong>123</strong>" in shopper.get(reverse("customers:account")).content.decode()
    page = admin_client.get(reverse("admin:customers_user_change", args=[customer.pk]))
    body = page.content.decode()
    assert "Welcome bonus" in body and "<strong>123</strong>" in body


def test_backoffice_points_adjustment(admin_client, customer):
    from django.urls import reverse

    url = reverse("admin:customers_user_points", args=[customer.pk])
    response = admin_client.post(url, fresh({"points": "-5", "note": "typo"}))
    assert response.status_code == 200 and "Not enough loyalty points" in response.content.decode()
    response = admin_client.post(url, fresh({"points": "20", "note": "goodwill"}))
    assert response.status_code == 302
    assert loyalty.points_balance(customer) == 20
    assert LoyaltyEntry.objects.get(customer=customer).note.startswith("goodwill (")


def test_the_shops_own_notes_are_written_in_the_customers_language(
    make_order, customer, pay, cancel, rate
):
    """The customer reads the notes in their points history: an operator working in English
    (or a worker) books them in the customer's language; an operator's own text stays."""
    customer.language = "pl"
    customer.save(update_fields=["language"])
    order = make_order(customer=customer)
    with translation.override("en"):
        pay(order)
        cancel(order)
        loyalty.adjust_points(customer, 5, "Goodwill, phone call")
    notes = list(
        LoyaltyEntry.objects.filter(customer=customer).order_by("pk").values_list("note", flat=True)
    )
    assert notes == [
        f"Zamówienie {order.number}",
        f"Zamówienie {order.number} anulowane",
        "Goodwill, phone call",
    ]
    spent = loyalty.spend_points(
        customer,
        5,
        [events.part("Discount code %(code)s (%(campaign)s)", code="ABC", campaign="Lato")],
    )
    assert spent.note == "Kod rabatowy ABC (Lato)"


def test_the_shops_own_notes_are_read_in_the_readers_language(
    client, make_order, customer, pay, cancel, rate
):
    """Written in the Polish customer's language, read by a German clerk in German and by
    the customer, browsing the Danish storefront, in Danish; the shortfall an older reversal
    noted too. A note an operator typed stays as typed."""
    from django.urls import reverse

    from tests.factories import StaffFactory

    customer.language = "pl"
    customer.save(update_fields=["language"])
    order = pay(make_order(customer=customer))  # 40 points
    loyalty.spend_points(customer, 30, [events.part("Discount code %(code)s", code="ABC")])
    cancel(order)
    loyalty.adjust_points(customer, 5, "Kulanz")
    reverse_entry = LoyaltyEntry.objects.get(order=order, reason="reverse")
    assert reverse_entry.note == f"Zamówienie {order.number} anulowane"
    # Reversals before everything was taken back noted the points already spent.
    reverse_entry.message += [events.part("(%(missing)d points already spent)", missing=30)]
    reverse_entry.save(update_fields=["message"])
    with translation.override("de"):
        assert reverse_entry.display_note == (
            f"Bestellung {order.number} storniert (30 Punkte bereits eingelöst)"
        )
    staff = StaffFactory(is_superuser=True, language="de")
    client.force_login(staff)
    page = client.get(reverse("admin:customers_user_change", args=[customer.pk]))
    text = page.content.decode()
    assert f"<td>Bestellung {order.number}</td>" in text
    assert "Zamówienie" not in text and "<td>Kulanz" in text
    client.force_login(customer)
    text = client.get("/da/account/").content.decode()
    assert f"<td>Ordre {order.number}</td>" in text
    assert f"<td>Ordre {order.number} annulleret (30 point allerede brugt)</td>" in text


def test_the_access_report_shows_a_points_note_as_text_without_its_stored_values(
    make_order, customer, pay, rate
):
    from privacy.subjects.people import resolve
    from privacy.subjects.records import collect_places

    order = pay(make_order(customer=customer))
    places = collect_places(resolve(f"customer:{customer.pk}"))
    entries = [p for p in places if p["key"].startswith("customers.loyaltyentry")]
    fields = {f["name"]: f["value"] for f in entries[0]["records"][0]["fields"]}
    assert "message" not in fields and "%(" not in str(fields)
    assert fields["note"] == f"Order {order.number}"
