"""CSV files a person opens in a spreadsheet (backoffice downloads, the order export) are
written for the Excel of the reader's language: UTF-8 with a byte order mark (else Excel
reads "eingelöst" as "eingelĂ¶st") and the list separator of the language's regional
settings — ";" where the decimal separator is a comma (de, pl, da), "," in English; a ","
file in German Excel lands in one column. Amounts have that Excel's decimal separator
("-16,29" in de/pl/da, "-16.29" in en), the formula guard stays. Files for scripts
(``write_rows`` of the ops commands) stay plain CSV."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from shop.exports import (
    BOM,
    csv_response,
    csv_streaming_response,
    csv_tables,
    csv_text,
    excel_delimiter,
    write_rows,
)
from tests.factories import StaffFactory, UserFactory
from tests.vouchers.factories import CampaignFactory, CodeFactory

HEADER = ["Code", "Status", "Betrag"]
ROWS = [["SOMMER-1", "eingelöst", Decimal("-16.29")], ["=HYPERLINK(1)", "a;b", 3]]


def parse(text, delimiter):
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=delimiter))


@pytest.mark.parametrize(
    ("language", "delimiter", "amount"),
    [("de", ";", "-16,29"), ("pl", ";", "-16,29"), ("da", ";", "-16,29"), ("en", ",", "-16.29")],
)
def test_the_delimiter_is_the_list_separator_of_the_readers_excel(language, delimiter, amount):
    with translation.override(language):
        assert excel_delimiter() == delimiter
        text = csv_text(HEADER, ROWS)
    assert excel_delimiter(language) == delimiter
    rows = parse(text, delimiter)
    assert rows[0] == HEADER
    assert rows[1] == ["SOMMER-1", "eingelöst", amount]  # a number the reader's Excel sums
    assert rows[2] == ["'=HYPERLINK(1)", "a;b", "3"]  # formula guard; ";" in a cell quoted
    assert text.encode("utf-8").startswith(b"\xef\xbb\xbf")


def test_a_german_file_is_not_comma_separated():
    with translation.override("de"):
        text = csv_text(["a", "b"], [[1, 2]])
    assert text == BOM + "a;b\r\n1;2\r\n"


def test_several_tables_in_one_file_have_one_byte_order_mark():
    with translation.override("de"):
        text = csv_tables((["a", "b"], [[1, 2]]), (["c"], [[Decimal("-3.50")]]))
    assert text == BOM + "a;b\r\n1;2\r\n\r\nc\r\n-3,50\r\n"
    assert text.count(BOM) == 1


def test_the_plain_csv_for_scripts_stays_as_it_was():
    with translation.override("de"):
        assert csv_text(["a", "b"], [[1, "=x"]], excel=False) == "a,b\r\n1,'=x\r\n"
        out = io.StringIO()
        write_rows(out, ["a", "b"], [[1, 2]])
    assert out.getvalue() == "a,b\r\n1,2\r\n"


def test_a_download_response_is_written_for_the_readers_excel():
    with translation.override("pl"):
        response = csv_response("x.csv", HEADER, ROWS)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = parse(response.content.decode("utf-8"), ";")
    assert rows[1] == ["SOMMER-1", "eingelöst", "-16,29"]


def test_a_streamed_download_keeps_the_language_it_was_asked_in():
    with translation.override("da"):
        response = csv_streaming_response("x.csv", HEADER, iter(ROWS))
    # the rows are written while the file is sent, after the request's language is gone
    with translation.override("en"):
        text = b"".join(response.streaming_content).decode("utf-8")
    rows = parse(text, ";")
    assert rows[0] == HEADER and rows[2][0] == "'=HYPERLINK(1)"


@pytest.mark.django_db
def test_a_german_staff_members_code_download_opens_in_columns(client):
    campaign = CampaignFactory(name="Sommer")
    CodeFactory(campaign=campaign, text="SOMMER-1", assigned_to=UserFactory())
    client.force_login(StaffFactory(is_superuser=True, language="de"))
    response = client.get(reverse("admin:vouchers_campaign_download", args=[campaign.pk]))
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = parse(response.content.decode("utf-8"), ";")
    assert rows[0][:2] == ["Code", "aktiv"]
    assert rows[1][:2] == ["SOMMER-1", "ja"]


@pytest.mark.django_db
def test_a_german_staff_members_order_export_opens_in_columns(client, make_order):
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

    order = make_order()
    client.force_login(StaffFactory(is_superuser=True, language="de"))
    response = client.post(
        reverse("admin:orders_order_changelist"),
        {"action": "bulk_export_csv", ACTION_CHECKBOX_NAME: [order.pk], "confirm": "yes"},
    )
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = parse(response.content.decode("utf-8"), ";")
    assert rows[1][0] == order.number
    assert (
        f"{order.grand_total:f}".replace(".", ",") in rows[1]
    )  # "51,20", as German Excel reads it
