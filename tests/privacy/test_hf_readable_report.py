"""The personal-data browser and the printed report (GDPR Art. 15) read as their readers
expect in their language — dates, amounts, languages and countries as that language writes
them, names of places instead of table names, the law instead of a setting's name, the
subject's reference not labelled as a bank transfer's — while the JSON export (Art. 20)
stays machine-readable: ISO 8601 dates, plain decimal numbers, ISO codes."""

import io
import json
import re

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext
from pypdf import PdfReader

from orders.models import DownloadLink, Order
from shop import retention
from shop.money import format_money

pytestmark = pytest.mark.django_db

ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")
SETTING_NAME = re.compile(r"\b[A-Z]+_[A-Z_]+\b")
TABLES = ("customers_user", "orders_order", "orders_downloadlink", "shop_outboxemail")


def _pdf_pages(data):
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


@pytest.fixture
def order(make_order, erika):
    """Erika's order, placed in Polish with a Polish billing address, and a download link
    of it (a category whose German name is "Download-Links")."""
    order = make_order(customer=erika, email=erika.email)
    Order.objects.filter(pk=order.pk).update(language="pl", billing_country="PL")
    order.refresh_from_db()
    DownloadLink.objects.create(
        order=order,
        order_line=order.lines.get(),
        token="t" * 40,
        expires_at=timezone.now(),
        max_downloads=3,
    )
    return order


@pytest.fixture
def german(erika, staff):
    erika.language = "de"  # the report's language
    erika.save(update_fields=["language"])
    staff.language = "de"  # the backoffice's
    staff.save(update_fields=["language"])


def _in(language, value, fmt):
    with translation.override(language):
        return formats.date_format(timezone.localtime(value), fmt)


def _expected_german(order):
    with translation.override("de"):
        return {
            "created": _in("de", order.created, "DATETIME_FORMAT"),
            "total": format_money(order.grand_total, order.currency),
            "language": "Polnisch",
            "country": "Polen",
            "links": str(capfirst(DownloadLink._meta.verbose_name_plural)),
        }


def test_the_german_report_prints_dates_amounts_and_names_in_german(
    admin_client, erika, order, german
):
    response = admin_client.get(
        reverse("admin:privacy_subject_report", args=[f"customer:{erika.pk}"])
    )
    assert response["Content-Type"] == "application/pdf"
    pages = _pdf_pages(response.content)
    text = "\n".join(pages)
    expected = _expected_german(order)
    assert expected["created"] in text  # "06.09.2026, 02:07"
    assert _in("de", erika.date_joined, "DATETIME_FORMAT") in text  # first entered
    assert expected["total"] in text  # "23,80 €"
    assert f" {order.grand_total}\n" not in text and f" {order.grand_total} " not in text
    assert expected["language"] in text and expected["country"] in text
    assert expected["links"] == "Download-Links" and "Download-links" not in text
    assert not ISO_DAY.findall(text)
    for table in TABLES:
        assert table not in text, table
    assert not SETTING_NAME.findall(text)
    assert "Verwendungszweck" not in text  # the bank transfer's "Reference"


def test_the_summary_is_one_page_and_the_details_start_on_the_next(
    admin_client, erika, order, german
):
    response = admin_client.get(
        reverse("admin:privacy_subject_report", args=[f"customer:{erika.pk}"])
    )
    first, second = _pdf_pages(response.content)[:2]
    with translation.override("de"):
        summary = gettext("Summary")
        last_of_summary = gettext("Consultations of your data by our staff")
        first_place = str(capfirst(type(erika)._meta.verbose_name_plural))
    assert summary in first and last_of_summary in first
    assert second.lstrip().startswith(first_place)


def test_the_retention_law_names_the_law_not_a_setting():
    for language in ("en", "de", "pl", "da"):
        with translation.override(language):
            for category in retention.CATEGORIES.values():
                assert not SETTING_NAME.findall(str(category.law)), (language, category.key)


def test_the_german_show_page_shows_dates_amounts_and_names_in_german(
    admin_client, erika, order, german
):
    response = admin_client.get(
        reverse("admin:privacy_subject_show", args=[f"customer:{erika.pk}"])
    )
    assert response.status_code == 200
    html = response.content.decode()
    expected = _expected_german(order)
    for key, value in expected.items():
        assert value in html, key
    records = [r for p in response.context["data"]["places"] for r in p["records"]]
    values = [f["value"] for r in records for f in r["fields"]]
    assert not [v for v in values if ISO_DAY.search(v)]
    assert str(order.grand_total) not in values
    assert "Download-links" not in html


def test_the_polish_show_page_writes_polish(admin_client, erika, order, staff):
    staff.language = "pl"
    staff.save(update_fields=["language"])
    html = admin_client.get(
        reverse("admin:privacy_subject_show", args=[f"customer:{erika.pk}"])
    ).content.decode()
    with translation.override("pl"):
        total = format_money(order.grand_total, order.currency)
    assert _in("pl", order.created, "DATETIME_FORMAT") in html
    assert total in html  # "23,80 €"
    assert "Polska" in html and "Polski" in html  # country and language of the order


def test_the_search_names_other_places_with_a_capital_first_letter_only(
    admin_client, erika, order, german
):
    from tests.reviews.factories import ReviewFactory

    review = ReviewFactory(customer=erika, email=erika.email, author_name="Erika M.")
    response = admin_client.get(
        reverse("admin:privacy_subject_changelist"), {"q": "erika", "scope": "other"}
    )
    hits = [h for h in response.context["others"] if h.row.pk == review.pk]
    with translation.override("de"):
        name = str(review._meta.verbose_name)
    assert [h.place for h in hits] == [name[:1].upper() + name[1:]]


def _assert_machine_readable(
    data, order, key="model", names=("orders.order", "orders.downloadlink")
):
    # the customer's own file names its places as people do, not by model
    places = {p[key]: p for p in data["storage_places"]}
    (record,) = places[names[0]]["records"]
    fields = record["fields"]
    assert ISO_TIME.match(fields["created"]), fields["created"]
    assert fields["created"].startswith(timezone.localtime(order.created).date().isoformat())
    assert fields["grand_total"] == str(order.grand_total)  # "23.80"
    assert fields["language"] == "pl" and fields["billing_country"] == "PL"
    (link,) = places[names[1]]["records"]
    assert ISO_TIME.match(link["fields"]["expires_at"])
    assert "€" not in json.dumps(fields, ensure_ascii=False)
    # Choices as their stored codes, yes/no as JSON booleans — not "Bezahlt", "ja".
    assert fields["status"] == order.status and fields["payment_status"] == order.payment_status
    assert fields["partner_consent"] is False and fields["review_request_consent"] is False


def test_the_dpo_export_stays_machine_readable(admin_client, erika, order, german):
    response = admin_client.get(
        reverse("admin:privacy_subject_export", args=[f"customer:{erika.pk}"])
    )
    _assert_machine_readable(json.loads(response.content), order)


def test_the_customers_own_download_stays_machine_readable(client, erika, order):
    from django.core.cache import cache

    cache.clear()
    client.force_login(erika)
    with translation.override("de"):
        url = reverse("privacy:own_data")
    assert url.startswith("/de/")
    response = client.post(url, {"password": "secret-pass-123"})  # UserFactory's
    assert response["Content-Type"] == "application/json; charset=utf-8"
    data = json.loads(response.content.decode())
    _assert_machine_readable(data, order, key="place", names=("Bestellungen", "Download-Links"))
    cache.clear()


def test_a_typo_in_the_access_logs_date_filter_is_said_and_ignored(admin_client):
    from django.urls import reverse

    url = reverse("admin:privacy_accesslogentry_changelist")
    page = admin_client.get(url, {"date_from": "31.02.2026"}).content.decode()
    assert "“31.02.2026” is not a date" in page
