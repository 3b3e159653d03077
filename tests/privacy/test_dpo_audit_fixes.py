"""The data protection officer's audit (Danish backoffice, Polish customer): an erased
customer's invoices and credit notes are found by name and e-mail, with why they are kept;
the report reads as people read (document lines, VAT rows, the seller, codes by their label,
related records by their number); the report form keeps its choices after an error; the
retention policy speaks the reader's language; the PDF footer's page number stays on one
line."""

import io
import logging
import re

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from pypdf import PdfReader

from helpdesk.models import Message
from orders.models import Invoice, Order
from orders.services import create_credit_note, create_invoice, create_shipment
from privacy import subjects
from privacy.subjects import search_other
from shop import retention
from shop.models import RetentionPolicy

pytestmark = pytest.mark.django_db

ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def ship_all(order):
    return {line.pk: line.quantity for line in order.lines.all()}


@pytest.fixture
def invoiced(make_order, erika, staff):
    """Erika's order with its invoice (issued by a staff member) and a credit note."""
    order = make_order(customer=erika, email=erika.email)
    invoice = create_invoice(order, user=staff)
    create_shipment(order, ship_all(order))
    line = order.lines.get()
    note = create_credit_note(Order.objects.get(pk=order.pk), {line.pk: 1}, reason="Defective")
    return Order.objects.get(pk=order.pk), invoice, note


def _erase(order, erika):
    """What the erasure leaves: the order anonymised, without its customer; the invoice keeps
    its buyer (tax law)."""
    Order.objects.filter(pk=order.pk).update(
        customer=None, email="", billing_first_name="", billing_last_name=""
    )


# --- 1. the browser finds invoices and credit notes -----------------------------------------


def test_an_erased_customers_invoices_are_found_by_name_and_email(admin_client, invoiced, erika):
    order, invoice, note = invoiced
    _erase(order, erika)
    url = reverse("admin:privacy_subject_changelist")
    for query in ("Erika Mustermann", "mustermann", erika.email):
        response = admin_client.get(url, {"q": query})
        assert response.status_code == 200
        hits = {h.place: h for h in response.context["others"]}
        assert f"Invoice {invoice.number}" in hits, query
        assert f"Credit note {note.number}" in hits, query
        for hit in (hits[f"Invoice {invoice.number}"], hits[f"Credit note {note.number}"]):
            assert hit.name == "Erika Mustermann" and hit.email == erika.email
            assert hit.person_ref == f"email:{erika.email}"
            assert "Invoices and credit notes" in hit.kept and "§ 147 AO" in hit.kept
    html = response.content.decode()
    assert "Retention and legal basis" in html and "§ 147 AO" in html


def test_an_invoice_belongs_to_its_customer_not_to_the_staff_member_who_issued_it(
    invoiced, erika, staff
):
    _order, invoice, note = invoiced
    assert invoice.created_by == staff
    hits = {h.place: h for h in search_other("Mustermann")}
    assert hits[f"Invoice {invoice.number}"].person_ref == f"customer:{erika.pk}"
    assert hits[f"Credit note {note.number}"].person_ref == f"customer:{erika.pk}"


def test_the_person_of_an_erased_customer_is_named_after_the_invoice(invoiced, erika):
    order, _invoice, _note = invoiced
    _erase(order, erika)
    Invoice.objects.filter(order=order).update(buyer_email="erika.alt@example.com")
    person = subjects.resolve("email:erika.alt@example.com")
    assert person.name == "Erika Mustermann"


# --- 2. the report reads as people read -----------------------------------------------------


def _records(person, model):
    data = subjects.collect(person)
    return next(p["records"] for p in data["places"] if p["model"] == model), data


def _field(record, name):
    return next(f for f in record["fields"] if f["name"] == name)


def test_the_invoice_in_the_report_is_readable(invoiced, erika):
    order, invoice, _note = invoiced
    person = subjects.resolve(f"customer:{erika.pk}")
    records, data = _records(person, "orders.invoice")
    record = records[0]
    assert record["title"] == f"Invoice {invoice.number}"
    line = invoice.lines[0]
    lines = _field(record, "lines")["value"]
    assert f"1 × {line['name']} ({line['sku']})" in lines
    assert "{" not in lines and "is_giftcard" not in lines and "unit_code" not in lines
    vat = _field(record, "tax_rows")["value"]
    assert vat.startswith("VAT 19%: net ") and "{" not in vat
    seller = _field(record, "seller")["value"]
    assert "{" not in seller and "Legal name: " in seller
    assert _field(record, "payment_method_kind")["value"] == "Credit card"
    assert _field(record, "order")["value"] == order.number  # not "#<id>"
    # for machines: codes, the structure itself, the related row's id with its number
    assert _field(record, "payment_method_kind")["data"] == "card"
    assert _field(record, "lines")["data"] == invoice.lines
    exported = subjects.as_json(subjects.build(person))
    place = next(p for p in exported["storage_places"] if p["model"] == "orders.invoice")
    assert place["records"][0]["fields"]["order"] == {"id": order.pk, "number": order.number}


def test_related_records_are_named_not_numbered_by_database_id(invoiced, erika):
    order, _invoice, _note = invoiced
    person = subjects.resolve(f"customer:{erika.pk}")
    data = subjects.collect(person)
    values = [
        f["value"]
        for p in data["places"]
        for r in p["records"]
        for f in r["fields"]
        if f["name"] in ("order", "shipment", "order_line", "invoice")
    ]
    assert values and not [v for v in values if re.fullmatch(r"#\d+", v)]
    shipment = order.shipments.get()
    assert shipment.number in values


def test_a_helpdesk_message_names_its_thread_in_the_readers_language():
    field = Message._meta.get_field("thread")
    with translation.override("de"):
        assert str(field.verbose_name) == "Anfrage"


# --- 4. the report form keeps its choices after an error ------------------------------------


def test_the_report_form_keeps_what_was_posted_after_an_error(client, dpo, erika, invoiced):
    client.force_login(dpo)
    key = "orders.invoice"
    url = reverse("admin:privacy_subject_report", args=[f"customer:{erika.pk}"])
    response = client.post(
        url,
        {
            "format": "json",
            "language": "pl",
            f"withhold:{key}": "on",  # without a reason: an error
            "reason:orders.order": "kept for later",
            "staff_names": "on",
            "staff_names_reason": "Art. 15 request of 3 March",
        },
    )
    assert response.status_code == 302
    show = client.get(response.url)
    form = show.context["report_form"]
    assert form.is_bound and form.errors
    assert form["language"].value() == "pl" and form["format"].value() == "json"
    assert form[f"withhold:{key}"].value() is True
    assert form["staff_names"].value() is True
    assert form["staff_names_reason"].value() == "Art. 15 request of 3 March"
    html = show.content.decode()
    assert "Give the reason for withholding this category" in html
    assert "Art. 15 request of 3 March" in html
    # once: the next visit starts afresh
    assert not client.get(response.url).context["report_form"].is_bound


# --- 5. the retention policy in the reader's language ----------------------------------------


def test_retention_rule_names_are_translatable_and_runs_keep_the_english_key():
    for rule in retention.rules():
        assert isinstance(rule.name, Promise), rule.key
        assert rule.key == str(rule.name)  # English in the tests
        assert retention.rule_name(rule.key) == str(rule.name)
    _run, results = retention.run(dry_run=True)
    assert {r["rule"] for r in results} == {r.key for r in retention.rules()}


def test_the_policy_page_writes_days_and_rule_names_as_the_reader_does():
    from shop.admin import RetentionPolicyAdmin, backoffice

    policy = RetentionPolicy.load()
    with translation.override("da"):
        table = str(RetentionPolicyAdmin(RetentionPolicy, backoffice).in_effect(policy))
        invoices = retention.cutoff(retention.INVOICES, policy=policy)
        day = formats.date_format(timezone.localtime(invoices).date(), "DATE_FORMAT")
        names = [str(rule.name) for rule in retention.rules()]
    assert not ISO_DAY.findall(table)
    assert day in table  # the invoices' cutoff: "01.01.2016"
    assert all(name in table for name in names)


def test_a_dry_run_is_not_logged_twice(caplog):
    with caplog.at_level(logging.INFO, logger="shop.retention"):
        retention.run(dry_run=True)
    assert not [r for r in caplog.records if "dry run" in r.getMessage()]
    with caplog.at_level(logging.INFO, logger="shop.retention"):
        retention.run()
    assert [r for r in caplog.records if "guest orders" in r.getMessage()]


# --- 6. the PDF footer ------------------------------------------------------------------------


def test_the_page_number_of_a_long_polish_report_stays_on_one_line(admin_client, make_order, erika):
    for _ in range(9):
        make_order(customer=erika, email=erika.email)
    erika.language = "pl"
    erika.save(update_fields=["language"])
    response = admin_client.get(
        reverse("admin:privacy_subject_report", args=[f"customer:{erika.pk}"])
    )
    pages = PdfReader(io.BytesIO(response.content)).pages
    total = len(pages)
    assert total >= 10
    text = pages[total - 1].extract_text()
    assert f"{total} / {total}" in text
