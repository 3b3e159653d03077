"""One set of VAT figures per document, wherever it is shown: the credit note prints what its
invoice prints and its XML carries (buyer's VAT ID, categories, exemption texts); the order
pages and the confirmation show the invoice's rows to the cent; the sales report groups by
EN 16931 category like DATEV and keeps gift cards sold out of the revenue; a reprinted paid
invoice does not ask for the amount its payment box calls paid; net unit prices have one
precision per document."""

import re
from decimal import Decimal as D

import pytest
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone

from orders import accounting, datev, pdf, services
from orders.models import CreditNote, Order
from orders.services.checkout import confirmation_context
from orders.vat import net_of
from tests.einvoice import validate as validator
from tests.factories import PaymentMethodFactory, ProductFactory, ShippingMethodFactory
from tests.orders.test_einvoice import PL_VAT_ID, WARSAW, pdf_text
from tests.vouchers.factories import CampaignFactory, CodeFactory
from vouchers.models import Campaign

pytestmark = pytest.mark.django_db

K_TEXT = "Tax-exempt intra-community supply (Art. 138 VAT Directive)"
AE_TEXT = "Reverse charge: the recipient is liable for the VAT (Art. 196 VAT Directive)."


@pytest.fixture
def check():
    def run(document):
        ok, problems = validator.validate(document)
        assert ok, problems
        return document

    return run


@pytest.fixture
def pot():
    return ProductFactory(name="Coffee pot", price=D("34.90"), tax_rate=D("19.00"), stock=None)


@pytest.fixture
def ebook():
    return ProductFactory(
        name="Baking e-book", price=D("9.99"), tax_rate=D("7.00"), is_downloadable=True
    )


def _flat(text):
    return re.sub(r"\s+", " ", text)


# --- 1. the credit note prints the mandatory parts the invoice prints ---------------------


def test_credit_notes_of_k_and_ae_orders_print_the_vat_id_and_the_exemption(
    check, make_order, pot, ebook
):
    """The credit note printed only "VAT 0%": no buyer's VAT ID, no exemption text, while
    its embedded XML had both."""
    goods = make_order({pot.pk: 1}, billing=dict(WARSAW), vat_id=PL_VAT_ID)  # K
    download = make_order({ebook.pk: 1}, billing=dict(WARSAW), vat_id=PL_VAT_ID)  # AE
    for order, category, text in ((goods, "K", K_TEXT), (download, "AE", AE_TEXT)):
        assert order.reverse_charge
        invoice = services.create_invoice(order)
        services.refund_order(order, reason="Returned")
        note = CreditNote.objects.get(invoice=invoice)
        credit_note = _flat(pdf_text(check(pdf.render_credit_note(note))))
        invoice_text = _flat(pdf_text(pdf.render_invoice(invoice)))
        for document in (credit_note, invoice_text):
            assert f"Your VAT ID {PL_VAT_ID}" in document
            assert f"{category}: {text}" in document
            assert f"0% ({category})" in document
        # the seller's block is the same on both (tax number included)
        shop = pdf.seller_of(invoice)
        assert f"VAT ID: {shop.vat_id}" in credit_note


def test_invoice_and_credit_note_share_their_mandatory_parts():
    """Both documents take the letterhead and the VAT breakdown from one template each."""
    for name in ("pdf/invoice.html", "pdf/credit_note.html"):
        source = get_template(name).template.source
        assert '{% include "pdf/_document_top.html" %}' in source
        assert '{% include "pdf/_vat_rows.html" %}' in source
        assert '{% include "pdf/_vat_breakdown.html" %}' in source
        assert "buyer_vat_id" not in source and "exemption_text" not in source


# --- 2. the order pages and the e-mail show the invoice's VAT rows -------------------------


@pytest.fixture
def mixed_order(make_order, customer):
    """2 × 19 %, 3 × 7 %, a 0 % product, an e-book, a 25 € gift card, a 33 % code, express."""
    shirt = ProductFactory(name="Shirt", price=D("19.90"), tax_rate=D("19.00"))
    jam = ProductFactory(name="Jam", price=D("4.99"), tax_rate=D("7.00"))
    paper = ProductFactory(name="Newspaper", price=D("14.00"), tax_rate=D("0.00"))
    book = ProductFactory(name="E-book", price=D("9.99"), tax_rate=D("7.00"), is_downloadable=True)
    card = ProductFactory(name="Gift card", price=D("25.00"), tax_rate=D("0.00"), is_giftcard=True)
    code = CodeFactory(
        campaign=CampaignFactory(
            discount_type=Campaign.DiscountType.PERCENT, discount_value=D("33")
        )
    )
    express = ShippingMethodFactory(name="Express", price=D("9.90"), free_over=None)
    return make_order(
        {shirt.pk: 2, jam.pk: 3, paper.pk: 1, book.pk: 1, card.pk: 1},
        customer=customer,
        email=customer.email,
        voucher_code=code.text,
        shipping_method_id=express.pk,
    )


def _cents(rows):
    return [
        (row.get("category"), row["rate"], row["net"], row["tax"], row["gross"]) for row in rows
    ]


def test_order_pages_and_confirmation_show_the_invoices_vat_rows_to_the_cent(
    client, admin_client, mixed_order
):
    order = mixed_order
    assert order.discount_total > 0
    before = _cents(order.tax_breakdown())
    confirmation = _cents(confirmation_context(order, list(order.lines.all()))["taxes"])
    invoice = services.create_invoice(order)
    issued = _cents(invoice.typed_tax_rows)
    assert before == confirmation == issued
    assert {category for category, *_ in issued} == {"S", "Z", "E"}  # E and Z apart
    # Each rate's net is the net of its whole gross (the item nets' sum was a cent off):
    # the VAT an accounting program computes from the gross (DATEV) is the invoice's.
    for row in invoice.typed_tax_rows:
        assert net_of(row["gross"], row["rate"]) == row["net"]
    # After invoicing every page shows the invoice's stored rows.
    order = Order.objects.get(pk=order.pk)
    assert _cents(order.tax_breakdown()) == issued
    backoffice = admin_client.get(reverse("admin:orders_order_change", args=[order.pk]))
    page = _flat(re.sub(r"<[^>]+>", " ", backoffice.content.decode()))
    for category, rate, net, tax, gross in issued:
        label = f"{rate:.0f}%" + (f" ({category})" if category else "")
        assert f"{label} €{net} €{tax} €{gross}" in page
    client.force_login(order.customer)
    account = client.get(reverse("orders:account_order", args=[order.number])).content.decode()
    account = _flat(re.sub(r"<[^>]+>", " ", account))
    # The customer reads the VAT included; 0 % rows (gift card, zero-rated) say nothing to
    # them and are left out, the category letters are the invoice's business.
    for _category, rate, _net, tax, _gross in issued:
        assert (f"incl. {rate:.0f}% VAT €{tax}" in account) is (rate > 0)
    assert "(E)" not in account and "(Z)" not in account


# --- 3. the sales report: per category, gift cards sold outside revenue, equal to DATEV ----


def test_sales_report_groups_by_category_and_its_revenue_is_datevs(
    make_order, product, pot, ebook, settings
):
    settings.DATEV_REVENUE_ACCOUNTS = "19=8400,7=8300,0=8200"
    card = ProductFactory(name="Gift card", price=D("50.00"), tax_rate=0, is_giftcard=True)
    gift = make_order({product.pk: 1, card.pk: 1})
    goods = make_order({pot.pk: 1}, billing=dict(WARSAW), vat_id=PL_VAT_ID)
    download = make_order({ebook.pk: 1}, billing=dict(WARSAW), vat_id=PL_VAT_ID)
    for order in (gift, goods, download):
        services.create_invoice(order)
    today = timezone.localdate()
    report = accounting.sales_report(today, today)
    categories = {category: gross for category, _rate, _net, _tax, gross in report.by_category}
    assert set(categories) == {"S", "K", "AE"}
    assert categories["K"] == goods.grand_total and categories["AE"] == download.grand_total
    assert report.giftcards == [(D("0.00"), D("50.00"), D("0.00"), D("50.00"))]
    total = gift.grand_total + goods.grand_total + download.grand_total
    assert report.total.gross == total - D("50.00")  # the card is a liability
    assert report.total.giftcards == D("50.00")
    # DATEV: the same revenue on revenue accounts, the card on the liability account
    _name, content, _count = datev.export(today.strftime("%Y-%m"))
    records = [line.split(";") for line in content.decode("cp1252").split("\r\n")[2:] if line]
    amounts = {}
    for record in records:
        amount = D(record[datev.AMOUNT].replace(",", "."))
        amounts[record[datev.CONTRA]] = amounts.get(record[datev.CONTRA], D(0)) + amount
    assert amounts.pop("1604") == D("50.00")
    assert sum(amounts.values()) == report.total.gross
    # the files and the page name each category in the reader's words
    labels = [row[0] for row in report.rate_rows()]
    assert labels == [
        "Taxable sales",
        "Intra-community supplies (tax-exempt)",
        "Reverse-charge services",
        "revenue",
        "Gift cards sold (liability, not revenue)",
    ]
    csv = accounting.report_csv(report)
    assert '"Gift cards sold (liability, not revenue)",0,50.00,0.00,50.00' in csv
    assert report.header()[-1] == "gift cards sold" and report.period_rows()[-1][-1] == D("50.00")


# --- 4. a reprinted paid invoice -----------------------------------------------------------


def test_a_reprint_of_an_invoice_paid_after_issue_does_not_ask_for_the_amount(make_order, pot):
    from giftcards import services as giftcard_services

    prepayment = PaymentMethodFactory(code="prepayment", name="Bank transfer", kind="prepayment")
    card = giftcard_services.issue_cards(D("10.00"), 1)[0]
    order = make_order({pot.pk: 1}, payment_method_id=prepayment.pk, giftcard_number=card.number)
    invoice = services.create_invoice(order)
    issued = _flat(pdf_text(pdf.render_invoice(invoice)))
    due = f"€{order.grand_total - D('10.00')}"
    assert f"Amount due {due}" in issued and "Please transfer" in issued
    services.mark_paid(order)
    invoice.refresh_from_db()
    reprint = _flat(pdf_text(pdf.render_invoice(invoice)))
    assert f"Amount due on the invoice date {due}" in reprint  # the totals stay as issued
    assert f"Amount due {due}" not in reprint
    assert "Paid on" in reprint and "Please transfer" not in reprint


# --- 5. one precision for the net unit prices of a document --------------------------------


def test_net_unit_prices_have_one_precision_per_document(make_order, pot):
    mug = ProductFactory(name="Mug", price=D("14.90"), tax_rate=D("19.00"))  # 12.5210…
    plate = ProductFactory(name="Plate", price=D("11.90"), tax_rate=D("19.00"))  # 10.00
    order = make_order({pot.pk: 1, mug.pk: 1, plate.pk: 1}, language="de")
    invoice = services.create_invoice(order)
    text = pdf_text(pdf.render_invoice(invoice))  # German: the order's language
    for price in ("29,3277", "12,5210", "10,0000"):  # not "12,521" nor "10,00"
        assert re.search(price + r"\s€", text), price
    figures = pdf.invoice_context(invoice)["figures"]
    assert {line.unit_shown.as_tuple().exponent for line in figures.lines} == {-4}


def test_a_document_of_whole_cent_prices_keeps_two_decimals(make_order):
    plate = ProductFactory(name="Plate", price=D("11.90"), tax_rate=D("19.00"))  # 10.00
    bowl = ProductFactory(name="Bowl", price=D("10.70"), tax_rate=D("7.00"))  # 10.00
    invoice = services.create_invoice(make_order({plate.pk: 1, bowl.pk: 2}))
    figures = pdf.invoice_context(invoice)["figures"]
    assert {line.unit_shown.as_tuple().exponent for line in figures.lines} == {-2}
