"""Tracking numbers as they arrive in the backoffice, typed or in the carrier's list, are
checked the same way and never crash the page (found by an audit of the shipping pages):

- the order's Ship page preselects DHL in its first tracking row; sent without a number it
  refused to ship, although numbers are added later and the page says rows may stay empty —
  a row without a number is an empty row, whatever carrier it shows;
- the tracking import ("all lines or none, each wrong line named", README) was a 500 for a
  file holding a NUL (PostgreSQL refuses it) and for a very long cell (the csv module's
  field limit); a stray double quote, read as CSV quoting, made the following lines one
  "number" — stored with its line breaks, e-mailed, the next parcel silently without its
  number and the page saying "1 added"; a wrong first line (a mistyped shipment number, a
  missing cell) was taken for a heading and dropped without a word.

Now each line of the list is one parcel, a tracking number never holds a line break, a
control character or a quote, and every wrong line — the first too — is named with nothing
saved.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from orders import services
from orders.errors import OrderError
from orders.models import Shipment, TrackingNumber
from shop.models import OutboxEmail
from tests.formtokens import fresh, page_token
from tests.orders.factories import ship_all
from tests.pages import message_texts

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:orders_shipment_import_tracking")
NOT_A_NUMBER = "A tracking number cannot hold a line break, a control character or a quote."


def refused(response):
    """The import page shown again with its errors; nothing added, nothing e-mailed."""
    assert response.status_code == 200
    assert not TrackingNumber.objects.exists()
    assert not OutboxEmail.objects.filter(template="order_tracking").exists()
    return " ".join(response.context["form"].non_field_errors())


def upload(content, name="list.csv"):
    return SimpleUploadedFile(name, content, content_type="text/csv")


# The Ship page


def test_the_ship_page_as_shown_ships_without_a_tracking_number(admin_client, make_order, product):
    order = make_order({product.pk: 2})
    line = order.lines.get()
    url = reverse("admin:orders_order_ship", args=[order.pk])
    page = admin_client.get(url)
    assert '<option value="dhl" selected>' in page.content.decode()
    sent = {
        f"qty_{line.pk}": "2",
        "carrier": ["dhl", "", ""],  # the rows as the browser sends them untouched
        "tracking_number": ["", "", ""],
        "form_token": page_token(page),
    }
    response = admin_client.post(url, sent, follow=True)
    shipment = Shipment.objects.get(order=order)
    assert response.redirect_chain[-1][0] == reverse(
        "admin:orders_shipment_change", args=[shipment.pk]
    )
    assert (
        f"Shipment {shipment.number} created. Tracking has not been e-mailed yet."
        in message_texts(response)
    )
    assert not shipment.tracking.exists()
    # The number is added later, on the shipment page.
    add = reverse("admin:orders_shipment_add_tracking", args=[shipment.pk])
    admin_client.post(add, {"carrier": "dhl", "tracking_number": "00340434"})
    assert list(shipment.tracking.values_list("carrier", "number")) == [("dhl", "00340434")]


def test_a_row_with_a_number_still_needs_its_carrier(admin_client, make_order):
    order = make_order()
    line = order.lines.get()
    url = reverse("admin:orders_order_ship", args=[order.pk])
    sent = {
        f"qty_{line.pk}": str(line.quantity),
        "carrier": ["dhl", "pigeon"],
        "tracking_number": ["", "123"],
    }
    response = admin_client.post(url, fresh(sent))
    assert response.status_code == 200
    assert "Unknown carrier pigeon." in message_texts(response)
    assert not Shipment.objects.exists()


@pytest.mark.parametrize(
    "number", ["0034\n0434", "0034\r0434", "0034\t0434", "0034\x0b0434", '0034"', "„0034“"]
)
def test_a_number_with_a_line_break_control_character_or_quote_is_refused(
    admin_client, make_order, number
):
    order = make_order()
    line = order.lines.get()
    url = reverse("admin:orders_order_ship", args=[order.pk])
    sent = {f"qty_{line.pk}": str(line.quantity), "carrier": "dhl", "tracking_number": number}
    response = admin_client.post(url, fresh(sent))
    assert response.status_code == 200
    assert NOT_A_NUMBER in message_texts(response)
    assert not Shipment.objects.exists()
    shipment = services.create_shipment(order, ship_all(order))
    with pytest.raises(OrderError, match="cannot hold a line break"):
        services.add_tracking(shipment, [("dhl", number)])
    add = reverse("admin:orders_shipment_add_tracking", args=[shipment.pk])
    assert NOT_A_NUMBER in message_texts(
        admin_client.post(add, {"carrier": "dhl", "tracking_number": number})
    )
    assert not TrackingNumber.objects.exists()


def test_a_number_keeps_its_spaces_and_loses_the_ends_of_a_paste(make_order):
    order = make_order()
    shipment = services.create_shipment(
        order, ship_all(order), [("dhl", " JJD 0034 0434\r\n"), ("dpd", "")]
    )
    assert list(shipment.tracking.values_list("carrier", "number")) == [("dhl", "JJD 0034 0434")]


# The import: NUL, a file that is no text


def test_an_uploaded_list_with_a_nul_is_refused(admin_client, shipped):
    shipment = shipped()
    content = f"{shipment.number};DHL;12\x0034\n".encode()
    error = refused(admin_client.post(IMPORT, {"file": upload(content), "send": "on"}))
    assert error == (
        "The file cannot be read as a text list (it holds a NUL character or bytes that are "
        "not text): save the list as CSV and choose that file."
    )


def test_a_spreadsheet_file_is_refused_not_read_as_text(admin_client, shipped):
    shipped()
    content = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\x81\x8d"  # an .xlsx
    error = refused(admin_client.post(IMPORT, {"file": upload(content, "list.xlsx")}))
    assert error.startswith("The file cannot be read as a text list")


def test_a_spreadsheets_unicode_text_is_read(admin_client, shipped):
    shipment = shipped()
    content = f"Sendung\tTräger\tNummer\r\n{shipment.number}\tDHL\tÄ-1\r\n".encode("utf-16")
    response = admin_client.post(IMPORT, {"file": upload(content, "list.txt")}, follow=True)
    assert "1 tracking number added." in message_texts(response)
    assert list(shipment.tracking.values_list("number", flat=True)) == ["Ä-1"]


# The import: long cells, stray quotes


@pytest.mark.parametrize("how", ["pasted", "uploaded"])
def test_a_very_long_cell_names_its_line(admin_client, shipped, how):
    shipment = shipped()
    text = f"{shipment.number};DHL;123\n{shipment.number};DHL;{'9' * 140_000}\n"
    if how == "pasted":
        response = admin_client.post(IMPORT, {"text": text, "send": "on"})
    else:
        response = admin_client.post(IMPORT, {"file": upload(text.encode()), "send": "on"})
    assert refused(response) == "Line 2 is too long (at most 1000 characters)."


def test_a_stray_quote_is_no_quoting_each_line_is_a_line(admin_client, shipped):
    one, two = shipped(), shipped()
    text = f'{one.number};DHL;"00340434\n{two.number};DHL;00340999\n'
    error = refused(admin_client.post(IMPORT, {"text": text, "send": "on"}))
    assert error == f"Line 1: {NOT_A_NUMBER}"  # line 2 is right: it is not named


def test_a_stray_quote_before_a_long_rest_names_its_line(admin_client, shipped):
    # Read as CSV, the quote made the rest of the file one cell: beyond the csv field limit.
    one, two = shipped(), shipped()
    rest = "".join(f"{two.number};DHL;{n};{'x' * 900}\n" for n in range(1, 150))
    text = f'{one.number};DHL;"00340434\n{rest}'
    assert len(text) > 131_072
    assert refused(admin_client.post(IMPORT, {"text": text})) == f"Line 1: {NOT_A_NUMBER}"


def test_a_quote_in_the_reference_or_carrier_names_its_line(admin_client, shipped):
    one = shipped()
    text = f'{one.number}";DHL;1\n{one.number};"DHL;2\n{one.number};DHL;3\'\n'
    error = refused(admin_client.post(IMPORT, {"text": text}))
    assert f'Line 1: no shipment {one.number}" (an order must be shipped first).' in error
    assert 'Line 2: unknown carrier "DHL' in error
    assert f"Line 3: {NOT_A_NUMBER}" in error


def test_cells_quoted_as_a_whole_are_read(admin_client, shipped):
    one, two = shipped(), shipped()
    text = (
        '"Sendung";"Versender";"Sendungsnummer"\r\n'
        f'"{one.number}";"DHL";"00340434"\r\n'
        f'{two.number};DPD; "0199 1" \r\n'
    )
    response = admin_client.post(IMPORT, {"text": text}, follow=True)
    assert "2 tracking numbers added." in message_texts(response)
    assert list(one.tracking.values_list("carrier", "number")) == [("dhl", "00340434")]
    assert list(two.tracking.values_list("carrier", "number")) == [("dpd", "0199 1")]


def test_a_line_without_its_number_is_named(admin_client, shipped):
    # An empty number is an empty row on the Ship page; in the list it is a parcel without it.
    one = shipped()
    text = f"{one.number};DHL;123\n{one.number};DHL;\n{one.number};DHL;  \n"
    error = refused(admin_client.post(IMPORT, {"text": text}))
    assert error == (
        "Line 2: Enter a tracking number (up to 64 characters). "
        "Line 3: Enter a tracking number (up to 64 characters)."
    )


# The import: the first line


@pytest.mark.parametrize(
    "first, error",
    [
        ("100999-1;DHL Paket;00340434111", "Line 1: no shipment 100999-1 (an order must be"),
        ("{one};00340434111", "Line 1: enter order or shipment number, carrier and tracking"),
        ("{one};DHL Paket;00340434111", "Line 1: unknown carrier DHL Paket (known: DHL,"),
    ],
)
def test_a_wrong_first_line_is_named_not_taken_for_a_heading(admin_client, shipped, first, error):
    one, two = shipped(), shipped()
    text = first.format(one=one.number) + f"\n{two.number};DHL;00340999\n"
    assert error in refused(admin_client.post(IMPORT, {"text": text, "send": "on"}))


@pytest.mark.parametrize(
    "heading",
    ["Order;Carrier;Tracking number", "Sendung\tVersender\tSendungsnummer", "\ufeffNr.,Träger"],
)
def test_a_heading_line_is_still_left_out(admin_client, shipped, heading):
    one = shipped()
    delimiter = "\t" if "\t" in heading else "," if "," in heading else ";"
    text = f"{heading}\n{delimiter.join([one.number, 'GLS', 'G-1'])}\n"
    response = admin_client.post(IMPORT, {"text": text}, follow=True)
    assert "1 tracking number added." in message_texts(response)
    assert list(one.tracking.values_list("number", flat=True)) == ["G-1"]


def test_only_the_first_line_can_be_a_heading(admin_client, shipped):
    one = shipped()
    text = f"Order;Carrier;Tracking number\nOrder;Carrier;Tracking number\n{one.number};DHL;1\n"
    error = refused(admin_client.post(IMPORT, {"text": text}))
    assert error == "Line 2: no shipment Order (an order must be shipped first)."
