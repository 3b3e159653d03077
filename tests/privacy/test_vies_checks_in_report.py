"""A VIES check of a buyer's VAT ID (``customers.VatIdCheck``) is personal data of a sole
trader — their VAT ID, registered name and address — and has no customer column: one VAT
ID's confirmation serves every buyer of that company for VIES_CACHE_HOURS. The access
report, the DPO's export and the customer's own download contain the checks of the VAT IDs
that are the person's (their account's, their orders' and invoices'), never another
person's; an erasure keeps them — tax proof of the invoices without VAT, deleted with them
by the retention — and the report says so. The export shows what the customer paid,
part payments included."""

import html
import io
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from customers import services as customer_services
from customers.models import VatIdCheck
from orders.models import Invoice, Order
from orders.services import create_invoice, mark_paid
from tests.conftest import BILLING
from tests.factories import StaffFactory, UserFactory, settle_open_business

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"  # tests.factories.UserFactory
VAT_ID = "ATU13585627"  # an Austrian sole trader's (checksum-valid) VAT ID
OTHER_VAT_ID = "DE136695976"
VIENNA = {
    "first_name": "Anna",
    "last_name": "Huber",
    "company": "Anna Huber Handel e.U.",
    "street": "Graben 1",
    "postcode": "1010",
    "city": "Wien",
    "country": "AT",
}
PLACE = "VIES checks of VAT IDs"


@pytest.fixture(autouse=True)
def _no_counted_downloads():
    cache.clear()  # the own-data download's limits
    yield
    cache.clear()


@pytest.fixture
def anna(db):
    return UserFactory(email="anna.huber@example.com", first_name="Anna", last_name="Huber")


@pytest.fixture
def max_(db):
    return UserFactory(email="max.other@example.com", first_name="Max", last_name="Anders")


def check_of(vat_id, at, name="Anna Huber Handel e.U.", number="WAPIAAAAZ1234567"):
    return VatIdCheck.objects.create(
        vat_id=vat_id,
        checked_at=at,
        result=VatIdCheck.Result.CONFIRMED,
        name=name,
        address="Graben 1\n1010 Wien",
        request_identifier=number,
    )


@pytest.fixture
def anna_check(make_order, anna):
    """Anna's reverse-charge order with her VAT ID, and the VIES check it rests on."""
    order = make_order(customer=anna, email=anna.email, billing=dict(VIENNA), vat_id=VAT_ID)
    assert order.billing_vat_id == VAT_ID and order.reverse_charge
    return order, check_of(VAT_ID, order.created - timedelta(hours=2))


@pytest.fixture
def max_check(make_order, max_):
    """Max's order with another VAT ID, and its check."""
    billing = dict(BILLING, company="Max Anders GmbH")
    order = make_order(customer=max_, email=max_.email, billing=billing, vat_id=OTHER_VAT_ID)
    return check_of(OTHER_VAT_ID, order.created, name="Max Anders GmbH", number="WAPIAAAAZ7654321")


def dpo_export(client, ref):
    response = client.get(reverse("admin:privacy_subject_export", args=[ref]))
    assert response.status_code == 200
    return json.loads(response.content.decode("utf-8"))


def own_download(client, customer):
    client.force_login(customer)
    response = client.post(reverse("privacy:own_data"), {"password": PASSWORD})
    assert response.status_code == 200 and "Content-Disposition" in response
    return json.loads(response.content.decode("utf-8"))


def place(data, name):
    return next((p for p in data["storage_places"] if p["place"] == name), None)


def pdf_text(data):
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages
    )


def test_the_dpos_export_contains_the_check_of_the_customers_order(
    admin_client, anna, anna_check, max_check
):
    _order, check = anna_check
    data = dpo_export(admin_client, f"customer:{anna.pk}")
    (record,) = place(data, PLACE)["records"]
    fields = record["fields"]
    assert fields["vat_id"] == VAT_ID
    assert fields["checked_at"] == timezone.localtime(check.checked_at).isoformat(
        timespec="seconds"
    )
    assert fields["result"] == "confirmed"
    assert fields["name"] == "Anna Huber Handel e.U."
    assert fields["address"] == "Graben 1\n1010 Wien"
    assert fields["request_identifier"] == "WAPIAAAAZ1234567"
    assert record["title"] == "VIES check of a VAT ID"
    assert record["created"] == check.checked_at.isoformat()  # its "since" in the summary
    text = json.dumps(data, ensure_ascii=False)
    assert OTHER_VAT_ID not in text and "Max Anders GmbH" not in text
    # and the order shows the VAT ID it was placed with
    (order,) = place(data, "Orders")["records"]
    assert order["fields"]["billing_vat_id"] == VAT_ID
    assert order["fields"]["reverse_charge"] is True


def test_another_customers_report_has_only_their_own_check(
    admin_client, anna, max_, anna_check, max_check
):
    data = dpo_export(admin_client, f"customer:{max_.pk}")
    (record,) = place(data, PLACE)["records"]
    assert record["fields"]["vat_id"] == OTHER_VAT_ID
    text = json.dumps(data, ensure_ascii=False)
    assert VAT_ID not in text and "Anna Huber Handel" not in text and "WAPIAAAAZ1234567" not in text


def test_a_customer_without_a_vat_id_has_no_checks(admin_client, make_order, anna_check):
    plain = UserFactory(email="plain@example.com")
    make_order(customer=plain, email=plain.email)
    data = dpo_export(admin_client, f"customer:{plain.pk}")
    assert place(data, PLACE) is None


def test_the_customers_own_download_contains_the_check(client, anna, anna_check, max_check):
    _order, check = anna_check
    data = own_download(client, anna)
    (record,) = place(data, PLACE)["records"]
    assert record["fields"] == {
        "vat_id": VAT_ID,
        "checked_at": timezone.localtime(check.checked_at).isoformat(timespec="seconds"),
        "result": "confirmed",
        "name": "Anna Huber Handel e.U.",
        "address": "Graben 1\n1010 Wien",
        "request_identifier": "WAPIAAAAZ1234567",
    }
    assert OTHER_VAT_ID not in json.dumps(data)


def test_the_printed_report_lists_the_check(admin_client, anna, anna_check, max_check):
    pdf = admin_client.get(reverse("admin:privacy_subject_report", args=[f"customer:{anna.pk}"]))
    text = pdf_text(pdf.content)
    assert PLACE in text and "VIES check of a VAT ID" in text
    assert "WAPIAAAAZ1234567" in text and "Anna Huber Handel e.U." in text
    assert "Max Anders GmbH" not in text


def test_the_check_of_the_vat_id_in_the_customers_profile_is_theirs(admin_client, anna):
    anna.vat_id = VAT_ID
    anna.save()
    check_of(VAT_ID, timezone.now() - timedelta(days=3))
    data = dpo_export(admin_client, f"customer:{anna.pk}")
    assert len(place(data, PLACE)["records"]) == 1


def test_a_guests_report_contains_the_check_of_their_order(admin_client, make_order):
    order = make_order(email="guest.huber@example.com", billing=dict(VIENNA), vat_id=VAT_ID)
    check_of(VAT_ID, order.created - timedelta(minutes=5))
    data = dpo_export(admin_client, "email:guest.huber@example.com")
    (record,) = place(data, PLACE)["records"]
    assert record["fields"]["vat_id"] == VAT_ID


def test_the_invoices_copy_of_the_vat_id_leads_to_the_check(admin_client, anna, anna_check):
    """An order whose own VAT ID is gone (as an erased order's is): its invoice's copy."""
    order, _check = anna_check
    create_invoice(order)
    Order.objects.filter(pk=order.pk).update(billing_vat_id="Deleted")
    assert Invoice.objects.get(order=order).buyer_vat_id == VAT_ID
    data = dpo_export(admin_client, f"customer:{anna.pk}")
    assert len(place(data, PLACE)["records"]) == 1


def test_the_report_says_the_checks_are_kept_as_long_as_the_invoices(
    admin_client, anna, anna_check
):
    data = dpo_export(admin_client, f"customer:{anna.pk}")
    (retention,) = place_summary(data, PLACE)["retention"]
    assert retention["category"] == "Invoices and credit notes"
    assert retention["then"] == "deleted"
    assert "§ 147 AO" in retention["law"]
    assert retention["oldest_record_due"]  # counted from the check's own date


def place_summary(data, name):
    return next(c for c in data["summary"]["categories"] if c["category"] == name)


def test_the_erasure_keeps_the_check_while_the_invoice_is_kept(anna, anna_check, max_check):
    order, check = anna_check
    create_invoice(order)
    settle_open_business(order)
    customer_services.delete_customer(anna, by=StaffFactory())

    assert not type(anna).objects.filter(pk=anna.pk).exists()
    assert VatIdCheck.objects.filter(pk=check.pk).exists()  # the invoice's tax proof
    invoice = Invoice.objects.get(order=order)
    assert invoice.buyer_vat_id == VAT_ID and invoice.reverse_charge
    assert VatIdCheck.objects.filter(pk=max_check.pk).exists()


def test_the_download_page_names_the_checks(client, anna):
    client.force_login(anna)
    page = html.unescape(client.get(reverse("privacy:own_data")).content.decode())
    assert "the checks of your VAT ID with the EU's VIES service" in page


# ------------------------------------------------------------------ what the customer paid


def test_the_export_contains_the_part_payments_of_a_partly_paid_order(
    client, admin_client, make_order, anna, prepayment
):
    order = make_order(customer=anna, email=anna.email, payment_method_id=prepayment.pk)
    mark_paid(order, amount=Decimal("10.00"))
    order.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.PARTLY_PAID

    (record,) = place(dpo_export(admin_client, f"customer:{anna.pk}"), "Orders")["records"]
    assert record["fields"]["received_total"] == "10.00"
    assert record["fields"]["payment_status"] == "partly_paid"

    (own,) = place(own_download(Client(), anna), "Orders")["records"]
    fields = own["fields"]
    assert fields["received_total"] == "10.00" and fields["grand_total"] == str(order.grand_total)
    assert fields["currency"] == "EUR"
    for name in ("giftcard_total", "credit_total", "payout_due", "overpaid_total"):
        assert fields[name] == "0.00", name
    assert fields["payout_done_at"] == "" and fields["paid_at"] == ""  # not yet


def test_the_export_says_what_a_canceled_order_owes_back_and_when_it_was_paid_back(
    admin_client, make_order, anna, prepayment
):
    from orders.services import cancel_order, mark_cancellation_refunded

    order = make_order(customer=anna, email=anna.email, payment_method_id=prepayment.pk)
    mark_paid(order, amount=Decimal("10.00"))
    cancel_order(order)
    mark_cancellation_refunded(order)
    order.refresh_from_db()

    (record,) = place(dpo_export(admin_client, f"customer:{anna.pk}"), "Orders")["records"]
    assert record["fields"]["payout_due"] == "10.00"
    assert record["fields"]["payout_done_at"] == timezone.localtime(order.payout_done_at).isoformat(
        timespec="seconds"
    )


def test_the_export_contains_the_consent_to_deliver_downloads_early(client, make_order, anna):
    order = make_order(customer=anna, email=anna.email)
    text = "I agree that delivery begins before the withdrawal period ends."
    Order.objects.filter(pk=order.pk).update(
        digital_consent_at=timezone.now(), digital_consent_text=text
    )
    (own,) = place(own_download(Client(), anna), "Orders")["records"]
    assert own["fields"]["digital_consent_text"] == text
    assert own["fields"]["digital_consent_at"]
