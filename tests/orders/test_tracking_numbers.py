"""Tracking numbers after the parcel left: added on the shipment page, imported as the
carrier's list (order or shipment number; carrier; number) — all lines or none — and
e-mailed for many shipments at once."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from orders import services
from orders.models import OrderComment, TrackingNumber
from shop.models import OutboxEmail
from tests.factories import RoleUserFactory
from tests.pages import message_texts

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:orders_shipment_import_tracking")


def numbers(shipment):
    return list(shipment.tracking.values_list("carrier", "number"))


def test_a_tracking_number_is_added_on_the_shipment_page(admin_client, shipped):
    shipment = shipped()
    url = reverse("admin:orders_shipment_add_tracking", args=[shipment.pk])
    page = admin_client.get(reverse("admin:orders_shipment_change", args=[shipment.pk]))
    assert url in page.content.decode()
    response = admin_client.post(url, {"carrier": "dhl", "tracking_number": " 00340434 "})
    assert "Tracking number DHL 00340434 added. It has not been e-mailed yet." in message_texts(
        response
    )
    assert numbers(shipment) == [("dhl", "00340434")]
    assert OrderComment.objects.filter(order=shipment.order, text__contains="00340434").exists()
    # The same number again, an unknown carrier, an empty number: an error, nothing added.
    for carrier, number, error in [
        ("dhl", "00340434", "The shipment already has this tracking number."),
        ("pigeon", "1", "Unknown carrier pigeon."),
        ("dhl", "", "Enter a tracking number (up to 64 characters)."),
    ]:
        response = admin_client.post(url, {"carrier": carrier, "tracking_number": number})
        assert error in message_texts(response)
    assert numbers(shipment) == [("dhl", "00340434")]
    assert not OutboxEmail.objects.filter(template="order_tracking").exists()


def test_view_only_roles_cannot_add_or_import_tracking(client, shipped):
    shipment = shipped()
    client.force_login(RoleUserFactory(role="Support"))
    url = reverse("admin:orders_shipment_add_tracking", args=[shipment.pk])
    assert client.post(url, {"carrier": "dhl", "tracking_number": "1"}).status_code == 403
    assert client.post(IMPORT, {"text": f"{shipment.number};DHL;1"}).status_code == 403
    assert not TrackingNumber.objects.exists()


def test_the_carriers_list_is_imported_and_emailed(admin_client, shipped):
    one, two = shipped(), shipped()
    text = (
        "Sendung;Versender;Sendungsnummer\n"  # a heading line is left out
        f"{one.order.number};DHL;00340434161094042557\n"  # an order: its last shipment
        f"{two.number};postnord;AB123\n"  # a shipment
        f"{two.number};PostNord;AB124\n"
        "\n"
    )
    response = admin_client.post(IMPORT, {"text": text, "send": "on"}, follow=True)
    assert (
        "3 tracking numbers added. 2 shipments' tracking information is being e-mailed."
        in message_texts(response)
    )
    assert numbers(one) == [("dhl", "00340434161094042557")]
    assert numbers(two) == [("postnord", "AB123"), ("postnord", "AB124")]
    mails = OutboxEmail.objects.filter(template="order_tracking")
    assert sorted(m.to[0] for m in mails) == sorted([one.order.email, two.order.email])
    assert mails.count() == 2  # one e-mail per shipment, with both of its parcels
    # The same list again adds nothing and e-mails nobody twice.
    response = admin_client.post(IMPORT, {"text": text, "send": "on"}, follow=True)
    assert "0 tracking numbers added. 3 were there already." in message_texts(response)
    assert OutboxEmail.objects.filter(template="order_tracking").count() == 2


def test_a_wrong_line_adds_nothing_and_is_named(admin_client, shipped, make_order):
    shipment = shipped()
    unshipped = make_order()
    text = (
        f"{shipment.number};DHL;111\n"
        f"{unshipped.number};DHL;222\n"
        f"{shipment.number};Pigeon;333\n"
        "just one cell\n"
        f"{shipment.number};DHL;{'9' * 65}\n"
    )
    response = admin_client.post(IMPORT, {"text": text, "send": "on"})
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Line 2: no shipment {unshipped.number} (an order must be shipped first)." in page
    assert "Line 3: unknown carrier Pigeon (known: DHL, DPD, UPS, GLS, PostNord, InPost" in page
    assert "Line 4: enter order or shipment number, carrier and tracking number." in page
    assert "Line 5: Enter a tracking number (up to 64 characters)." in page
    assert not TrackingNumber.objects.exists()
    assert not OutboxEmail.objects.filter(template="order_tracking").exists()
    assert admin_client.post(IMPORT, {"text": "  "}).context["form"].non_field_errors() == [
        "Paste the tracking list or choose a file."
    ]


def test_a_csv_file_from_a_spreadsheet_is_read(admin_client, shipped):
    shipment = shipped()
    content = f"Nummer\tTräger\tSendungsnummer\r\n{shipment.number}\tGLS\tÄ-77\r\n"
    upload = SimpleUploadedFile("dhl.csv", content.encode("cp1252"), content_type="text/csv")
    response = admin_client.post(IMPORT, {"file": upload}, follow=True)
    assert "1 tracking number added." in message_texts(response)
    assert numbers(shipment) == [("gls", "Ä-77")]
    assert not OutboxEmail.objects.filter(template="order_tracking").exists()  # not ticked


def test_tracking_is_emailed_for_many_shipments_at_once(admin_client, shipped):
    with_number, without, sent = shipped(), shipped(), shipped()
    for shipment in (with_number, sent):
        services.add_tracking(shipment, [("dhl", f"N{shipment.pk}")])
    services.send_tracking(sent)
    response = admin_client.post(
        reverse("admin:orders_shipment_changelist"),
        {
            "action": "bulk_send_tracking",
            ACTION_CHECKBOX_NAME: [s.pk for s in (with_number, without, sent)],
        },
    )
    messages = message_texts(response)
    assert "Tracking information of 1 shipment is being e-mailed." in messages
    skipped = next(m for m in messages if "skipped" in m)
    assert f"{without.number} (This shipment has no tracking number to send.)" in skipped
    assert f"{sent.number} (already e-mailed)" in skipped
    assert OutboxEmail.objects.filter(template="order_tracking").count() == 2
