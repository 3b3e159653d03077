"""The VAT rows of credit notes, per EN 16931 category and rate: computed as the invoice's
(line nets), never more net, VAT or gross than is left of the invoice's row, exactly what is
left where a note credits the rest of a row — so the notes of a fully refunded order add up
to the invoice's rows to the cent — no rows of nothing, and the stored rows are the rows the
PDF and the XML carry."""

import random
from collections import defaultdict
from decimal import Decimal as D

import pytest
from django.urls import reverse

from orders import einvoice, services
from orders.models import CreditNote
from orders.vat import document_figures
from tests.factories import ProductFactory, ShippingMethodFactory
from tests.orders.factories import ZURICH
from tests.orders.test_einvoice import NS, PL_VAT_ID, WARSAW, validator, xml_of
from tests.vouchers.factories import CampaignFactory, CodeFactory
from vouchers.models import Campaign

pytestmark = pytest.mark.django_db

AMOUNTS = ("net", "tax", "gross")


def percent_code(value):
    return CodeFactory(
        campaign=CampaignFactory(
            discount_type=Campaign.DiscountType.PERCENT, discount_value=D(value)
        )
    ).text


@pytest.fixture
def kit():
    return ProductFactory(name="Kit", price=D("34.90"), tax_rate=D("19.00"), stock=None)


@pytest.fixture
def ebook():
    return ProductFactory(
        name="E-book", price=D("9.99"), tax_rate=D("7.00"), is_downloadable=True, stock=None
    )


def line_of(order, product):
    return order.lines.get(product=product)


def by_key(rows):
    out = defaultdict(lambda: dict.fromkeys(AMOUNTS, D("0")))
    for row in rows:
        for name in AMOUNTS:
            out[(row.get("category"), D(str(row["rate"])))][name] += D(str(row[name]))
    return dict(out)


def xml_rows(note):
    tree = xml_of(einvoice.credit_note_xml(note))
    rows = []
    for tax in tree.xpath(
        "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax", namespaces=NS
    ):
        rows.append(
            {
                "category": tax.findtext("ram:CategoryCode", namespaces=NS),
                "rate": D(tax.findtext("ram:RateApplicablePercent", namespaces=NS)),
                "net": D(tax.findtext("ram:BasisAmount", namespaces=NS)),
                "tax": D(tax.findtext("ram:CalculatedAmount", namespaces=NS)),
            }
        )
    return rows


def check_note(note):
    """Stored rows = the rows the PDF prints (``document_figures``) = the XML's; all > 0;
    the XML is a valid EN 16931 credit note."""
    stored = note.typed_tax_rows
    assert all(row.get("category") for row in stored)
    for row in stored:
        assert row["gross"] > 0 and row["net"] >= 0 and row["tax"] >= 0, row
        assert row["net"] + row["tax"] == row["gross"]
    printed = [
        {"category": r.category, "rate": r.rate, "net": r.basis, "tax": r.tax, "gross": r.gross}
        for r in document_figures(einvoice.credit_note_snapshot(note)).vat_rows
    ]
    assert by_key(printed) == by_key(stored)
    assert sum(row["gross"] for row in stored) == note.grand_total
    in_xml = {(r["category"], r["rate"]): (r["net"], r["tax"]) for r in xml_rows(note)}
    assert in_xml == {(row["category"], row["rate"]): (row["net"], row["tax"]) for row in stored}
    ok, problems = validator.validate(einvoice.credit_note_xml(note))
    assert ok, problems


def check_refunded(order):
    """Every note within what was left; together exactly the invoice's rows."""
    invoice = order.invoice
    notes = list(CreditNote.objects.filter(invoice=invoice).order_by("sequence"))
    left = by_key(invoice.typed_tax_rows)
    for note in notes:
        check_note(note)
        for key, amounts in by_key(note.typed_tax_rows).items():
            assert key in left, key
            for name in AMOUNTS:
                assert amounts[name] <= left[key][name], (note.number, key, name)
                left[key][name] -= amounts[name]
    assert all(not any(amounts.values()) for amounts in left.values()), left
    ok, problems = validator.validate(einvoice.invoice_xml(invoice))
    assert ok, problems
    return notes


def test_a_partial_note_of_the_whole_7_percent_part_credits_the_invoice_row(
    make_order, kit, ebook, admin_client
):
    order = make_order({kit.pk: 1, ebook.pk: 1}, voucher_code=percent_code("10"))
    invoice = services.create_invoice(order)
    row7 = by_key(invoice.typed_tax_rows)[("S", D("7.00"))]
    # the net of the rate's whole gross (8.99 / 1.07), as DATEV computes its VAT
    assert row7 == {"net": D("8.40"), "tax": D("0.59"), "gross": D("8.99")}

    partial = services.create_credit_note(order, {line_of(order, ebook).pk: 1})
    assert by_key(partial.typed_tax_rows)[("S", D("7.00"))] == row7

    order.refresh_from_db()
    services.refund_order(order)
    closing = CreditNote.objects.filter(invoice=invoice).latest("sequence")
    assert [row["rate"] for row in closing.typed_tax_rows] == [D("19.00")]  # no 7 % cent
    check_refunded(order)

    # the backoffice page: one minus, never "−-€0.01"
    page = admin_client.get(reverse("admin:orders_creditnote_change", args=[closing.pk]))
    assert page.status_code == 200
    assert "−-" not in page.content.decode()


def test_the_full_refund_at_once_credits_the_invoice_rows(make_order, kit, ebook):
    order = make_order({kit.pk: 1, ebook.pk: 1}, voucher_code=percent_code("10"))
    invoice = services.create_invoice(order)
    services.refund_order(order)
    (note,) = check_refunded(order)
    assert by_key(note.typed_tax_rows) == by_key(invoice.typed_tax_rows)


def test_partial_notes_never_credit_more_vat_than_the_invoice_row(make_order, kit, ebook):
    """Three e-books credited one by one: each note within what is left of the 7 % row."""
    order = make_order({kit.pk: 1, ebook.pk: 3}, voucher_code=percent_code("10"))
    services.create_invoice(order)
    for _ in range(3):
        services.create_credit_note(order, {line_of(order, ebook).pk: 1})
        order.refresh_from_db()
    services.refund_order(order)
    check_refunded(order)


def test_an_export_order(make_order, kit, ebook):
    jam = ProductFactory(name="Jam", price=D("5.35"), tax_rate=D("7.00"), stock=None)
    parcel = ShippingMethodFactory(free_over=None)
    order = make_order(
        {kit.pk: 1, jam.pk: 3, ebook.pk: 1},
        billing=dict(ZURICH),
        shipping_method_id=parcel.pk,
        voucher_code=percent_code("15"),
    )
    assert order.export_delivery
    services.create_invoice(order)
    services.create_credit_note(order, {line_of(order, jam).pk: 2}, shipping="1.00")
    order.refresh_from_db()
    services.create_credit_note(order, {line_of(order, ebook).pk: 1})
    order.refresh_from_db()
    services.refund_order(order)
    check_refunded(order)


def test_a_reverse_charge_order(make_order, kit, ebook):
    parcel = ShippingMethodFactory(free_over=None)
    order = make_order(
        {kit.pk: 2, ebook.pk: 1},
        billing=dict(WARSAW),
        vat_id=PL_VAT_ID,
        shipping_method_id=parcel.pk,
        voucher_code=percent_code("10"),
    )
    assert order.reverse_charge
    invoice = services.create_invoice(order)
    assert {row["category"] for row in invoice.typed_tax_rows} == {"K", "AE"}
    services.create_credit_note(order, {line_of(order, ebook).pk: 1})
    order.refresh_from_db()
    services.create_credit_note(order, {line_of(order, kit).pk: 1})
    order.refresh_from_db()
    services.refund_order(order)
    check_refunded(order)


@pytest.mark.parametrize("seed", range(6))
def test_random_baskets_refunded_in_parts_add_up_to_the_invoice(make_order, seed):
    rnd = random.Random(seed)
    products = [
        ProductFactory(
            name=f"P{i}",
            price=D(rnd.randint(99, 4999)) / 100,
            tax_rate=D(rnd.choice(["19.00", "7.00", "7.00", "0.00"])),
            is_downloadable=rnd.random() < 0.3,
            stock=None,
        )
        for i in range(rnd.randint(2, 4))
    ]
    items = {p.pk: rnd.randint(1, 3) for p in products}
    parcel = ShippingMethodFactory(free_over=None, price=D(rnd.choice(["0.00", "4.90", "6.95"])))
    order = make_order(
        items,
        voucher_code=percent_code(rnd.choice(["5", "10", "13", "33"])),
        shipping_method_id=parcel.pk,
    )
    services.create_invoice(order)
    for line in order.lines.all():
        units = rnd.randint(0, line.quantity)
        if units and rnd.random() < 0.7:
            try:
                services.create_credit_note(order, {line.pk: units})
            except Exception as exc:  # the whole rest: that is the full refund's job
                assert "full refund" in str(exc)
            order.refresh_from_db()
    if not order.status == order.Status.CLOSED:
        services.refund_order(order)
    check_refunded(order)


def test_an_extra_credit_never_lands_on_a_rate_credited_in_full(make_order, kit, ebook):
    """The e-book (the whole 7 % row) credited first; then a goodwill credit alone goes
    where something is left — 19 % with its VAT, not 0.26 net and no VAT at 7 % — and the
    full refund after it adds up (the XML of a later full refund failed BR-CO-15)."""
    order = make_order({kit.pk: 1, ebook.pk: 1})
    services.create_invoice(order)
    services.create_credit_note(order, {line_of(order, ebook).pk: 1})
    order.refresh_from_db()
    goodwill = services.create_credit_note(order, adjustment=D("5.00"), adjustment_text="Goodwill")
    assert by_key(goodwill.typed_tax_rows) == {
        ("S", D("19.00")): {"net": D("4.20"), "tax": D("0.80"), "gross": D("5.00")}
    }
    order.refresh_from_db()
    services.refund_order(order)
    check_refunded(order)


def test_an_extra_credit_with_lines_spills_over_to_rates_with_room(make_order, kit, ebook):
    """The last e-book and 10 € goodwill in one note: the 7 % row has 9.99 left, so the
    goodwill the e-book's weight would put there goes to 19 %."""
    order = make_order({kit.pk: 1, ebook.pk: 1})
    services.create_invoice(order)
    note = services.create_credit_note(
        order, {line_of(order, ebook).pk: 1}, adjustment=D("10.00"), adjustment_text="Sorry"
    )
    rows = by_key(note.typed_tax_rows)
    assert rows[("S", D("7.00"))] == {"net": D("9.34"), "tax": D("0.65"), "gross": D("9.99")}
    assert rows[("S", D("19.00"))] == {"net": D("8.40"), "tax": D("1.60"), "gross": D("10.00")}
    check_note(note)
    order.refresh_from_db()
    services.refund_order(order)
    check_refunded(order)


@pytest.mark.parametrize("seed", range(12))
def test_random_refunds_with_extra_credits_add_up_to_the_invoice(make_order, seed):
    rnd = random.Random(1000 + seed)
    products = [
        ProductFactory(
            name=f"P{i}",
            price=D(rnd.randint(99, 4999)) / 100,
            tax_rate=D(rnd.choice(["19.00", "7.00", "0.00"])),
            stock=None,
        )
        for i in range(rnd.randint(2, 3))
    ]
    order = make_order({p.pk: rnd.randint(1, 2) for p in products})
    services.create_invoice(order)
    for line in order.lines.all():
        order.refresh_from_db()
        left = order.grand_total - order.credited_total
        extra = D(rnd.randint(0, 300)) / 100
        try:
            services.create_credit_note(
                order,
                {line.pk: line.quantity} if rnd.random() < 0.8 else {},
                adjustment=min(extra, (left / 3).quantize(D("0.01"))),
                adjustment_text="Goodwill" if extra else "",
            )
        except services.OrderError as exc:
            refused = ("full refund", "Choose what to credit", "left to credit")
            assert any(reason in str(exc) for reason in refused), exc
    order.refresh_from_db()
    if order.status != order.Status.CLOSED:
        services.refund_order(order)
    check_refunded(order)
