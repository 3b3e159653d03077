"""The EU distance-sales threshold (§ 3c Abs. 4 UStG, Art. 59c VAT Directive): the shop
charges its own country's VAT to consumers in other member states, which is lawful only while
those sales stay at or below 10,000 € net in the current and the previous year. The sales
report shows them per destination country against ``DISTANCE_SALES_THRESHOLD`` and warns
from 80 %; the start page shows a tile from 80 %. Nothing watched it before."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from orders import accounting, services
from orders.models import Invoice
from tests.factories import ProductFactory, RoleUserFactory
from tests.orders.factories import ZURICH
from tests.orders.test_einvoice import PL_VAT_ID, WARSAW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

REPORT = reverse("admin:orders_salesreport_changelist")
START = reverse("admin:index")

KRAKOW = {
    "first_name": "Anna",
    "last_name": "Nowak",
    "street": "ul. Floriańska 3",
    "postcode": "31-019",
    "city": "Kraków",
    "country": "PL",
}
AARHUS = {
    "first_name": "Mette",
    "last_name": "Jensen",
    "street": "Søndergade 1",
    "postcode": "8000",
    "city": "Aarhus",
    "country": "DK",
}


def taxed_net(order):
    """The net of the invoice's rows taxed at the shop's rates (S, Z)."""
    rows = accounting.figure_rows(accounting.invoice_snapshot(order.invoices.get()))
    return sum((r["net"] for r in rows if r["category"] in ("S", "Z")), D("0"))


@pytest.fixture
def sales(make_order, product):
    """Invoices to consumers in Germany, Poland (goods with a gift card; an e-book) and Denmark
    (two orders, one refunded in full), a Polish company (reverse charge), a Swiss consumer
    (export)."""
    card = ProductFactory(name="Gift card", price=D("50.00"), is_giftcard=True, tax_rate=0)
    ebook = ProductFactory(
        name="E-book", price=D("10.70"), tax_rate=D("7.00"), is_downloadable=True
    )
    orders = {
        "de": make_order({product.pk: 1}),
        "pl": make_order({product.pk: 2, card.pk: 1}, billing=dict(KRAKOW)),
        "pl_ebook": make_order({ebook.pk: 1}, billing=dict(KRAKOW), shipping_method_id=None),
        "dk": make_order({product.pk: 1}, billing=dict(AARHUS)),
        "dk_refunded": make_order({product.pk: 3}, billing=dict(AARHUS)),
        "pl_company": make_order({product.pk: 1}, billing=dict(WARSAW), vat_id=PL_VAT_ID),
        "ch": make_order({product.pk: 1}, billing=dict(ZURICH)),
    }
    assert orders["pl_company"].reverse_charge and orders["ch"].export_delivery
    assert not orders["pl_ebook"].lines.get().needs_shipping
    for order in orders.values():
        services.create_invoice(order)
    services.refund_order(orders["dk_refunded"], reason="Returned")
    return orders


def test_only_consumers_in_other_member_states_count_per_country_credit_notes_subtracted(sales):
    year = timezone.localdate().year
    result = accounting.distance_sales(year)
    figures = dict(result.by_country)
    # Poland: goods (2 × 20.00) and shipping (4.90) @19 %, the gift card (E) not;
    # the e-book (10.00 net @7 %) for the billing country; the company (reverse charge) not.
    assert taxed_net(sales["pl"]) == D("37.73")  # 44.90 gross @19 %
    assert figures["PL"] == taxed_net(sales["pl"]) + taxed_net(sales["pl_ebook"])
    assert taxed_net(sales["pl_ebook"]) == D("10.00")
    # Denmark: the refunded order's invoice and its credit note cancel out.
    assert figures["DK"] == taxed_net(sales["dk"]) == D("20.92")  # 24.90 gross @19 %
    assert set(figures) == {"PL", "DK"}  # not Germany (the seller's), not Switzerland
    assert result.total == figures["PL"] + figures["DK"]
    assert result.by_country[0][0] == "PL"  # the largest first
    assert result.seller_country == "DE"
    # The documents the sales report reads carry the buyer: the company and the export are
    # there, left out by the threshold only.
    docs = accounting.documents(timezone.localdate(), timezone.localdate())
    by_order = {d.order_number: d for d in docs if not d.is_credit_note}
    assert by_order[sales["pl_company"].number].buyer_vat_id == PL_VAT_ID
    assert by_order[sales["pl_company"].number].reverse_charge
    assert by_order[sales["ch"].number].delivery_country == "CH"
    assert accounting.distance_sales(year - 1).total == 0


def test_a_seller_in_another_country_counts_germany_instead(sales):
    figures = dict(accounting.distance_sales(timezone.localdate().year, "PL").by_country)
    assert "PL" not in figures and figures["DE"] == taxed_net(sales["de"])


@pytest.mark.parametrize(
    "threshold, level",
    [(10000, "below"), (86, "below"), (80, "close"), (D("68.65"), "close"), (68, "above")],
)
def test_levels_against_the_threshold(sales, settings, threshold, level):
    settings.DISTANCE_SALES_THRESHOLD = threshold
    result = accounting.distance_sales(timezone.localdate().year)
    assert result.total == D("68.65")  # 47.73 Poland + 20.92 Denmark
    assert result.level == level
    assert result.share == (result.total * 100 / threshold).quantize(D("0.1"))


def test_report_page_shows_the_box_and_the_warning(client, sales, settings):
    client.force_login(RoleUserFactory(role="Payments"))
    year = timezone.localdate().year
    page = client.get(REPORT).content.decode()
    assert "EU distance sales to consumers (§ 3c UStG threshold)" in page
    assert "Poland" in page and "Denmark" in page and "Switzerland" not in page
    assert "68.65" in page and "0.7%" in page
    assert "Close to the threshold" not in page and "Above the threshold" not in page

    settings.DISTANCE_SALES_THRESHOLD = 80
    page = client.get(REPORT).content.decode()
    assert f"Close to the threshold in {year}: €68.65, 85.8% of €80.00." in page
    assert "Above the threshold" not in page

    settings.DISTANCE_SALES_THRESHOLD = 60
    page = client.get(REPORT).content.decode()
    assert f"Above the threshold in {year}: €68.65, 114.4% of €60.00. From the sale" in page
    assert "register for OSS and talk to your tax adviser" in page
    assert "only the VAT of its own country (Germany)" in page


def test_last_year_above_the_threshold_warns_for_this_whole_year(client, sales, settings):
    last_year = timezone.now() - timedelta(days=366)
    Invoice.objects.filter(order=sales["pl"]).update(created=last_year)
    settings.DISTANCE_SALES_THRESHOLD = 30
    client.force_login(RoleUserFactory(role="Payments"))
    page = client.get(REPORT).content.decode()
    assert f"Above the threshold in {last_year.year}: €37.73" in page
    assert "This year, VAT of the customer&#x27;s country is due on every sale" in page
    assert accounting.distance_sales_level() == "above"


def test_the_report_recomputes_when_a_document_was_issued(client, sales, make_order, product):
    client.force_login(RoleUserFactory(role="Payments"))
    year = timezone.localdate().year
    before = accounting.distance_sales_years()[0].total
    services.create_invoice(make_order({product.pk: 1}, billing=dict(AARHUS)))
    assert accounting.distance_sales_years()[0].total == before + D("20.92")
    # the start page's figure is the one the report kept
    assert accounting.cached_distance_sales(year).total == before + D("20.92")


def tiles(client):
    return {str(item["label"]): item for item in client.get(START).context["attention"]}


CLOSE = "EU distance sales close to the threshold (§ 3c UStG)"
ABOVE = "EU distance sales above the threshold (§ 3c UStG)"


def test_start_page_tile_only_from_80_percent(client, sales, settings):
    client.force_login(RoleUserFactory(role="Payments"))
    settings.DISTANCE_SALES_THRESHOLD = 10000
    shown = tiles(client)
    assert CLOSE not in shown and ABOVE not in shown

    settings.DISTANCE_SALES_THRESHOLD = 86  # 79.8 %: not yet
    assert CLOSE not in tiles(client)

    settings.DISTANCE_SALES_THRESHOLD = 80  # 85.8 %
    shown = tiles(client)
    assert CLOSE in shown and ABOVE not in shown
    assert shown[CLOSE]["url"] == REPORT + "#distance-sales"
    assert not shown[CLOSE]["urgent"]

    settings.DISTANCE_SALES_THRESHOLD = 60
    shown = tiles(client)
    assert ABOVE in shown and CLOSE not in shown and shown[ABOVE]["urgent"]
    page = client.get(START).content.decode()
    assert ABOVE in page and f'href="{REPORT}#distance-sales"' in page


def test_start_page_tile_only_for_the_report_readers(client, sales, settings):
    settings.DISTANCE_SALES_THRESHOLD = 60
    client.force_login(RoleUserFactory(role="Order clerk"))
    assert ABOVE not in tiles(client)


def test_the_tile_reads_the_figure_kept_for_an_hour(sales, settings, django_assert_num_queries):
    settings.DISTANCE_SALES_THRESHOLD = 60
    assert accounting.distance_sales_level() == "above"
    with django_assert_num_queries(0):
        assert accounting.distance_sales_level() == "above"


# The page with both years' distance sales computed afresh: session, user, permissions (2),
# the period's invoices, credit notes and payment methods, object permissions (2), shop
# settings, the years' document counts (2), their invoices and credit notes (2 × 2), the
# access log.
REPORT_QUERIES = 17


def _cold_report(client, django_assert_max_num_queries):
    from django.core.cache import cache

    cache.clear()  # the years' figures computed afresh, not kept
    with django_assert_max_num_queries(REPORT_QUERIES):
        response = client.get(REPORT)
    assert response.status_code == 200
    return response.content.decode()


def test_report_page_query_count_does_not_grow_with_the_documents(
    client, make_order, product, django_assert_max_num_queries
):
    client.force_login(RoleUserFactory(role="Payments"))
    services.create_invoice(make_order({product.pk: 1}, billing=dict(KRAKOW)))
    assert "20.92" in _cold_report(client, django_assert_max_num_queries)
    for _i in range(9):
        services.create_invoice(make_order({product.pk: 1}, billing=dict(AARHUS)))
    page = _cold_report(client, django_assert_max_num_queries)
    assert "188.28" in page  # 9 × 20.92 Denmark
    assert accounting.distance_sales(timezone.localdate().year).total == 10 * D("20.92")
    # kept: the figures are not read again while no document was issued
    with django_assert_max_num_queries(REPORT_QUERIES - 4):
        client.get(REPORT)
