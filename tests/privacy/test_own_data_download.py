"""The customer's own download (account → Download my data) holds their orders, addresses,
invoices and e-mails as the person can read and reuse them — not the shop's internals: no
database references, table or model names, row ids, outbox sending state, parts of document
numbers, the seller's own details or e-invoice codes; every moment in the shop's time zone
to the second and each record's currency beside its amounts. The data protection officer's
export keeps what the shop stores."""

import json
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from orders.services import create_invoice, create_shipment
from shop.models import OutboxEmail
from tests.customers.factories import AddressFactory
from tests.helpdesk.factories import ThreadFactory
from tests.orders.factories import ship_all

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"  # tests.factories.UserFactory
URL = reverse("privacy:own_data")
# Moments as the shop's time zone writes them (settings.TIME_ZONE), to the second.
LOCAL_MOMENT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


@pytest.fixture(autouse=True)
def _no_counted_downloads():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def bought(erika, make_order, staff):
    """Erika's order (invoiced and shipped), her address and a helpdesk thread."""
    order = make_order(customer=erika, email=erika.email, customer_note="Bitte klingeln")
    create_invoice(order, user=staff)
    create_shipment(order, ship_all(order))
    AddressFactory(customer=erika, street="Lindenallee 9", city="Kiel")
    ThreadFactory(customer=erika, email=erika.email, name=erika.get_full_name())
    return order


def own_download(client, erika):
    client.force_login(erika)
    response = client.post(URL, {"password": PASSWORD})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content.decode("utf-8"))


def by_place(data):
    return {p["place"]: p["records"] for p in data["storage_places"]}


def test_the_download_holds_the_customers_orders_and_addresses(client, erika, bought):
    places = by_place(own_download(client, erika))
    (order,) = places["Orders"]
    assert order["title"] == f"Order {bought.number}"
    assert order["fields"]["number"] == bought.number
    assert order["fields"]["customer_note"] == "Bitte klingeln"
    assert order["fields"]["grand_total"] == str(bought.grand_total)
    assert order["fields"]["currency"] == bought.currency  # the amount says what money
    line = bought.lines.get()
    assert order["fields"]["items"] == f"{line.quantity} × {line.name} ({line.sku})"
    (address,) = places["Addresses"]
    assert address["fields"]["street"] == "Lindenallee 9"
    assert address["fields"]["city"] == "Kiel"
    (invoice,) = places["Invoices"]
    assert invoice["fields"]["order"] == bought.number  # the order by its number
    assert invoice["fields"]["buyer_email"] == erika.email
    assert invoice["fields"]["lines"][0]["name"] == line.name
    (shipment,) = places["Shipments"]
    assert shipment["fields"]["order"] == bought.number
    assert places["Outbox"], "the order confirmation"
    assert places["Threads"]


def test_the_download_has_none_of_the_shops_internals(client, erika, bought):
    data = own_download(client, erika)
    assert data["subject"] == {"kind": "customer", "name": "Erika Mustermann", "email": erika.email}
    for place in [*data["storage_places"], *data["summary"]["categories"]]:
        assert "table" not in place and "model" not in place, place
    for records in by_place(data).values():
        for record in records:
            fields = record["fields"]
            assert "id" not in fields, record["title"]
            for value in fields.values():  # other records by number or name, not row ids
                assert not (isinstance(value, dict) and "id" in value), (record["title"], value)
    places = by_place(data)
    emails = places["Outbox"]
    assert emails and all(e["fields"]["to"] == [erika.email] for e in emails)
    # whether it went out is the person's business, how the queue sends it is not
    assert {e["fields"]["status"] for e in emails} <= {"pending", "sent", "failed"}
    (email,) = [e for e in emails if e["fields"].get("attachments")]  # the confirmation
    for internal in ("template", "attempts", "last_error", "next_attempt_at", "render_later"):
        assert internal not in email["fields"], internal
    for attachment in email["fields"].get("attachments", []):
        assert set(attachment) == {"filename"}, attachment
    (invoice,) = places["Invoices"]
    for internal in ("year", "sequence", "seller"):
        assert internal not in invoice["fields"], internal
    for row in [*invoice["fields"]["lines"], *invoice["fields"]["tax_rows"]]:
        assert "category" not in row and "unit_code" not in row, row
    (thread,) = places["Threads"]
    assert "sla_due_at" not in thread["fields"] and "waiting_since" not in thread["fields"]
    text = json.dumps(data, ensure_ascii=False)
    assert f"customer:{erika.pk}" not in text
    assert "orders_order" not in text and "orders.order" not in text


def test_every_moment_is_local_time_to_the_second(client, erika, bought):
    data = own_download(client, erika)
    moments = [data["generated"], data["first_seen"]]
    moments += [c["since"] for c in data["summary"]["categories"] if c["since"]]
    for records in by_place(data).values():
        moments += [r["created"] for r in records if r["created"]]
    (order,) = by_place(data)["Orders"]
    moments.append(order["fields"]["created"])
    for moment in moments:
        assert LOCAL_MOMENT.match(moment), moment
    assert order["created"] == order["fields"]["created"]  # one moment, written once


def test_the_data_protection_officers_export_keeps_what_the_shop_stores(client, erika, bought, dpo):
    """The DPO's JSON shows the shop's records as stored — table, model, row ids, the
    outbox's state — while the customer's own file leaves those out."""
    staff_client = Client()
    staff_client.force_login(dpo)
    response = staff_client.get(
        reverse("admin:privacy_subject_export", args=[f"customer:{erika.pk}"])
    )
    dpo_export = json.loads(response.content.decode("utf-8"))
    assert dpo_export["subject"]["reference"] == f"customer:{erika.pk}"
    places = {p["model"]: p for p in dpo_export["storage_places"]}
    assert places["orders.order"]["table"] == "orders_order"
    (invoice,) = places["orders.invoice"]["records"]
    assert invoice["fields"]["order"] == {"id": bought.pk, "number": bought.number}
    assert {"year", "sequence", "seller"} <= set(invoice["fields"])
    assert all("template" in r["fields"] for r in places["shop.outboxemail"]["records"])
    assert OutboxEmail.objects.filter(to__contains=[erika.email]).exists()
