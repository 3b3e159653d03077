"""E-invoices (EN 16931): every kind of order the shop produces gets an invoice and credit
note whose embedded CII XML passes the receivers' validation (CII D16B schema + the CEN
EN 16931 rules, tests/einvoice), and the PDF shows the XML's figures."""

import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from lxml import etree
from pypdf import PdfReader

from giftcards import services as giftcard_services
from orders import einvoice, pdf, services, vat
from orders.forms import CheckoutForm
from orders.models import CreditNote, Invoice, Order
from shop.models import ShopSettings
from tests.einvoice import validate as validator
from tests.factories import ProductFactory, ShippingMethodFactory, UserFactory
from tests.orders.factories import ZURICH
from tests.vouchers.factories import CampaignFactory, CodeFactory
from vouchers.models import Campaign

pytestmark = pytest.mark.django_db

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}
WARSAW = {
    "first_name": "Jan",
    "last_name": "Kowalski",
    "company": "Kowalski Sp. z o.o.",
    "street": "ul. Długa 5",
    "postcode": "00-950",
    "city": "Warszawa",
    "country": "PL",
}
PL_VAT_ID = "PL5260250274"
DE_VAT_ID = "DE136695976"


@pytest.fixture(scope="session")
def check():
    """The validator with its Saxon stylesheet loaded once for the session (~1 s)."""
    validator.check_rules(
        (validator.HERE / "CII_example1.xml").read_bytes()
    )  # loads and compiles the rules

    def run(document):
        ok, problems = validator.validate(document)
        assert ok, problems
        return document

    return run


def xml_of(document):
    """The embedded factur-x.xml of a PDF (or the XML itself) as an element tree."""
    if document.startswith(b"%PDF"):
        document = PdfReader(io.BytesIO(document)).attachments["factur-x.xml"][0]
    return etree.fromstring(document)


def value(tree, path):
    return tree.xpath(f"string({path})", namespaces=NS)


def money(tree, name):
    return Decimal(value(tree, f"//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:{name}"))


def pdf_text(data):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def food():
    return ProductFactory(name="Filter coffee", price=Decimal("12.90"), tax_rate=Decimal("7.00"))


@pytest.fixture
def pot():
    return ProductFactory(name="Coffee pot", price=Decimal("34.90"), stock=None)


@pytest.fixture
def ebook():
    return ProductFactory(
        name="Baking e-book", price=Decimal("9.99"), tax_rate=Decimal("7.00"), is_downloadable=True
    )


@pytest.fixture
def giftcard_product():
    return ProductFactory(
        name="Gift card 25", price=Decimal("25.00"), tax_rate=Decimal("0.00"), is_giftcard=True
    )


def invoice_for(make_order, items, **overrides):
    order = make_order(items, **overrides)
    return services.create_invoice(order)


# ------------------------------------------------------------------ every kind of order


def test_consumer_invoice_with_several_vat_rates_is_a_valid_factur_x(check, make_order, food, pot):
    invoice = invoice_for(make_order, {food.pk: 3, pot.pk: 1})
    document = check(pdf.render_invoice(invoice))
    reader = PdfReader(io.BytesIO(document))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert "pdfaid:part>3<" in xmp.replace(" ", "") or 'pdfaid:part="3"' in xmp
    assert "factur-x.xml" in xmp
    tree = xml_of(document)
    assert value(tree, "//rsm:ExchangedDocument/ram:TypeCode") == "380"
    assert value(tree, "//rsm:ExchangedDocument/ram:ID") == invoice.number
    rates = sorted(
        tree.xpath(
            "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:RateApplicablePercent/text()",
            namespaces=NS,
        )
    )
    assert rates == ["19.00", "7.00"]
    assert money(tree, "GrandTotalAmount") == invoice.grand_total == Decimal("73.60")
    # the stored tax rows are the XML's breakdown
    assert money(tree, "TaxTotalAmount") == invoice.tax_total
    assert money(tree, "TaxBasisTotalAmount") == invoice.net_total
    assert value(tree, "//ram:BilledQuantity/@unitCode") == "H87"


def test_the_pdf_shows_exactly_the_figures_of_the_xml(check, make_order, food, pot):
    invoice = invoice_for(make_order, {food.pk: 3, pot.pk: 2})
    document = check(pdf.render_invoice(invoice))
    tree, text = xml_of(document), pdf_text(document)
    for name in (
        "LineTotalAmount",
        "ChargeTotalAmount",
        "TaxBasisTotalAmount",
        "TaxTotalAmount",
        "GrandTotalAmount",
        "DuePayableAmount",
    ):
        assert f"€{money(tree, name)}" in text, name
    for amount in tree.xpath(
        "//ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount/text()"
        " | //ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CalculatedAmount/text()"
        " | //ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:BasisAmount/text()"
        " | //ram:NetPriceProductTradePrice/ram:ChargeAmount/text()",
        namespaces=NS,
    ):
        assert amount in text


def test_business_buyer_in_germany_carries_vat_id_and_references(check, make_order, pot):
    billing = {**WARSAW, "company": "Muster GmbH", "country": "DE", "postcode": "10115"}
    invoice = invoice_for(
        make_order,
        {pot.pk: 1},
        billing=billing,
        vat_id="de 136 695 976",
        buyer_reference="04011000-12345-03",
        purchase_order_reference="PO-4711",
    )
    assert not invoice.reverse_charge and invoice.buyer_vat_id == DE_VAT_ID
    tree = xml_of(check(pdf.render_invoice(invoice)))
    assert value(tree, "//ram:BuyerTradeParty/ram:Name") == "Muster GmbH"
    assert value(tree, "//ram:BuyerTradeParty/ram:SpecifiedTaxRegistration/ram:ID") == DE_VAT_ID
    assert value(tree, "//ram:BuyerReference") == "04011000-12345-03"
    assert value(tree, "//ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID") == "PO-4711"
    assert value(tree, "//ram:ApplicableTradeTax/ram:CategoryCode") == "S"
    xrechnung = check(einvoice.invoice_xml(invoice, xrechnung=True))
    assert einvoice.XRECHNUNG in xrechnung.decode()


def test_business_in_another_eu_country_is_invoiced_net_under_reverse_charge(
    check, make_order, pot, food, ebook
):
    order = make_order(
        {pot.pk: 1, food.pk: 1, ebook.pk: 1},
        billing=dict(WARSAW),
        vat_id=PL_VAT_ID,
        shipping_method_id=ShippingMethodFactory(free_over=None).pk,
    )
    assert order.reverse_charge
    lines = {line.name: line for line in order.lines.all()}
    assert lines["Coffee pot"].unit_price == Decimal("29.33")  # 34.90 / 1.19
    assert all(line.tax_rate == 0 for line in lines.values())
    assert order.shipping_total == Decimal("4.12") and order.shipping_tax_rate == 0  # 4.90 net
    assert order.grand_total == Decimal("29.33") + Decimal("12.06") + Decimal("9.34") + Decimal(
        "4.12"
    )
    invoice = services.create_invoice(order)
    document = check(pdf.render_invoice(invoice))
    tree = xml_of(document)
    categories = tree.xpath(
        "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode/text()",
        namespaces=NS,
    )
    assert sorted(categories) == ["AE", "K"]  # goods and shipping: K; the download: AE
    assert money(tree, "TaxTotalAmount") == 0
    assert value(
        tree, "//ram:ApplicableTradeTax[ram:CategoryCode='K']/ram:ExemptionReasonCode"
    ) == ("VATEX-EU-IC")
    assert value(tree, "//ram:ShipToTradeParty//ram:CountryID") == "PL"
    text = pdf_text(document)
    assert "Art. 138" in text and PL_VAT_ID in text


def test_reverse_charge_needs_another_country_and_a_valid_vat_id(make_order, pot):
    to_germany = make_order(
        {pot.pk: 1}, billing={**WARSAW, "country": "DE", "postcode": "10115"}, vat_id=PL_VAT_ID
    )
    assert not to_germany.reverse_charge  # goods stay in Germany: German VAT
    german = make_order(
        {pot.pk: 1}, billing={**WARSAW, "country": "DE", "postcode": "10115"}, vat_id=DE_VAT_ID
    )
    assert not german.reverse_charge
    with pytest.raises(services.CheckoutError):
        make_order({pot.pk: 1}, billing=dict(WARSAW), vat_id="PL5260250275")  # check digit
    assert not Order.objects.filter(billing_vat_id="PL5260250275").exists()


def test_a_seller_with_only_a_tax_number_charges_vat_on_what_it_cannot_invoice_tax_free(
    check, make_order, pot
):
    """Reverse charge and export invoices name the seller's VAT ID (§ 14a UStG; EN 16931
    BR-IC-02, BR-G-02): a seller with only a tax number made invoices the validator refused
    (an audit). It charges VAT on them instead, and its invoices are valid."""
    shop = ShopSettings.load()
    shop.vat_id, shop.tax_number = "", "22/815/08154"
    shop.save()
    company = make_order({pot.pk: 1}, billing=dict(WARSAW), vat_id=PL_VAT_ID)
    swiss = make_order({pot.pk: 1}, billing=dict(ZURICH))
    for order in (company, swiss):
        assert not order.reverse_charge and not order.export_delivery
        assert order.lines.get().tax_rate == Decimal("19.00")
        document = check(pdf.render_invoice(services.create_invoice(order)))
        assert value(xml_of(document), "//ram:SellerTradeParty//ram:ID[@schemeID='FC']") == (
            "22/815/08154"
        )
    # the checkout does not promise what it will not do
    assert not CheckoutForm().fields["vat_id"].help_text


def test_discount_code_gives_allowances_per_vat_rate(check, make_order, food, pot):
    code = CodeFactory(campaign=CampaignFactory(discount_value=Decimal("10.00")))
    invoice = invoice_for(make_order, {food.pk: 2, pot.pk: 1}, voucher_code=code.text)
    assert invoice.discount_total > 0
    tree = xml_of(check(pdf.render_invoice(invoice)))
    allowances = tree.xpath(
        "//ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeAllowanceCharge"
        "[ram:ChargeIndicator/*='false']",
        namespaces=NS,
    )
    assert len(allowances) == 2  # one per VAT rate, each with its category and rate
    assert code.text in value(tree, "//ram:SpecifiedTradeAllowanceCharge/ram:Reason")
    assert money(tree, "GrandTotalAmount") == invoice.grand_total


def test_free_shipping_code_is_a_charge_and_an_allowance(check, make_order, pot):
    campaign = CampaignFactory(discount_type=Campaign.DiscountType.FREE_SHIPPING)
    code = CodeFactory(campaign=campaign)
    invoice = invoice_for(make_order, {pot.pk: 1}, voucher_code=code.text)
    assert invoice.shipping_discount == invoice.shipping_total > 0
    tree = xml_of(check(pdf.render_invoice(invoice)))
    assert money(tree, "ChargeTotalAmount") == money(tree, "AllowanceTotalAmount") > 0
    assert money(tree, "GrandTotalAmount") == Decimal("34.90")


def test_free_shipping_over_the_threshold_has_no_charge(check, make_order, pot):
    invoice = invoice_for(
        make_order,
        {pot.pk: 2},
        shipping_method_id=ShippingMethodFactory(free_over=Decimal("50.00")).pk,
    )
    assert invoice.shipping_total == 0
    tree = xml_of(check(pdf.render_invoice(invoice)))
    assert money(tree, "ChargeTotalAmount") == 0


def test_gift_card_payment_and_account_credit_are_already_paid(check, make_order, pot, food):
    card = giftcard_services.issue_cards(Decimal("10.00"), 1)[0]
    customer = UserFactory()
    credit_card = giftcard_services.issue_cards(Decimal("5.00"), 1)[0]
    giftcard_services.redeem_to_account(credit_card.number, customer)
    invoice = invoice_for(
        make_order,
        {pot.pk: 1, food.pk: 1},
        customer=customer,
        giftcard_number=card.number,
        use_credit=True,
    )
    assert invoice.giftcard_total == Decimal("10.00") and invoice.credit_total == Decimal("5.00")
    document = check(pdf.render_invoice(invoice))
    tree = xml_of(document)
    # the card payment was captured with the invoice: everything is paid
    assert money(tree, "TotalPrepaidAmount") == invoice.grand_total
    assert money(tree, "DuePayableAmount") == 0
    assert "Paid by gift card" in pdf_text(document)


def test_pay_on_invoice_has_bank_details_and_a_due_date(check, make_order, pot, invoice_payment):
    invoice = invoice_for(make_order, {pot.pk: 1}, payment_method_id=invoice_payment.pk)
    tree = xml_of(check(pdf.render_invoice(invoice)))
    assert value(tree, "//ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode") == "58"
    assert value(tree, "//ram:PayeePartyCreditorFinancialAccount/ram:IBANID") == (
        "DE34200505501234567890"
    )
    assert value(tree, "//ram:DueDateDateTime/*") != ""
    assert money(tree, "DuePayableAmount") == invoice.grand_total


def test_a_voided_card_authorization_is_payable_by_transfer_not_by_card(check, make_order, pot):
    order = make_order({pot.pk: 1})
    services.void_authorization(order)
    invoice = services.create_invoice(order)
    tree = xml_of(check(pdf.render_invoice(invoice)))
    means = "//ram:SpecifiedTradeSettlementPaymentMeans"
    assert value(tree, f"{means}/ram:TypeCode") == "58"  # SEPA credit transfer, not 54 card
    assert value(tree, f"{means}/ram:Information") == ""
    assert value(tree, "//ram:PayeePartyCreditorFinancialAccount/ram:IBANID") == (
        "DE34200505501234567890"
    )
    terms = value(tree, "//ram:SpecifiedTradePaymentTerms/ram:Description")
    assert terms.startswith("The card payment was not taken; payable by bank transfer")
    assert value(tree, "//ram:DueDateDateTime/*") != ""
    assert money(tree, "DuePayableAmount") == invoice.grand_total
    assert money(tree, "TotalPrepaidAmount") == 0


def test_a_captured_card_payment_stays_a_card_payment(check, make_order, pot):
    tree = xml_of(check(pdf.render_invoice(invoice_for(make_order, {pot.pk: 1}))))
    assert value(tree, "//ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode") == "54"
    assert value(tree, "//ram:SpecifiedTradePaymentTerms/ram:Description") == (
        "Paid in full; nothing left to pay."
    )


def test_a_credit_note_before_the_payment_reduces_what_is_due_instead_of_refunding(
    check, make_order, pot, food, invoice_payment
):
    order = make_order({pot.pk: 1, food.pk: 1}, payment_method_id=invoice_payment.pk)
    invoice = services.create_invoice(order)
    note = services.create_credit_note(order, {_line(order, food): 1})
    assert note.due_reduction == note.grand_total and note.paid_total == 0
    tree = xml_of(check(pdf.render_credit_note(note)))
    assert value(tree, "//ram:SpecifiedTradePaymentTerms/ram:Description") == (
        f"Reduces the amount still due on invoice {invoice.number}; nothing is paid out."
    )


def test_downloads_and_gift_cards_are_valid_lines(check, make_order, ebook, giftcard_product):
    invoice = invoice_for(make_order, {ebook.pk: 1, giftcard_product.pk: 1})
    tree = xml_of(check(pdf.render_invoice(invoice)))
    categories = tree.xpath(
        "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode/text()",
        namespaces=NS,
    )
    assert sorted(categories) == ["E", "S"]  # the gift card is a voucher, not a supply
    assert set(tree.xpath("//ram:BilledQuantity/@unitCode", namespaces=NS)) == {"C62"}


def test_credit_note_is_type_381_and_references_the_invoice(check, make_order, pot, food):
    invoice = invoice_for(make_order, {pot.pk: 1, food.pk: 1})
    services.refund_order(invoice.order, reason="Returned")
    credit_note = CreditNote.objects.get(invoice=invoice)
    tree = xml_of(check(pdf.render_credit_note(credit_note)))
    assert value(tree, "//rsm:ExchangedDocument/ram:TypeCode") == "381"
    assert value(tree, "//ram:InvoiceReferencedDocument/ram:IssuerAssignedID") == invoice.number
    assert money(tree, "GrandTotalAmount") == invoice.grand_total
    assert money(tree, "DuePayableAmount") == invoice.grand_total


def test_partial_credit_note_takes_its_own_lines(check, make_order, pot, food):
    """The interface for partial credit notes (issue 20): lines and amounts of the credit
    note itself, in the invoice's snapshot format, win over the invoice's."""
    invoice = invoice_for(make_order, {pot.pk: 1, food.pk: 2})
    services.refund_order(invoice.order)
    credit_note = CreditNote.objects.get(invoice=invoice)
    credit_note.lines = [line for line in invoice.lines if line["name"] == "Filter coffee"]
    credit_note.lines[0] = {**credit_note.lines[0], "quantity": 1, "line_total": "12.90"}
    credit_note.tax_rows = [{"rate": "7.00", "net": "12.06", "tax": "0.84", "gross": "12.90"}]
    credit_note.grand_total = Decimal("12.90")
    credit_note.giftcard_total = credit_note.credit_total = Decimal("0.00")
    credit_note.shipping_total = credit_note.shipping_discount = Decimal("0.00")
    credit_note.discount_total = Decimal("0.00")
    tree = xml_of(check(einvoice.credit_note_xml(credit_note)))
    assert money(tree, "GrandTotalAmount") == Decimal("12.90")
    assert money(tree, "TaxTotalAmount") == Decimal("0.84")
    assert len(tree.xpath("//ram:IncludedSupplyChainTradeLineItem", namespaces=NS)) == 1


def _line(order, product):
    return order.lines.get(product=product).pk


def _check_sums(tree, credit_note):
    assert money(tree, "GrandTotalAmount") == credit_note.grand_total
    assert money(tree, "TaxTotalAmount") == credit_note.tax_total
    assert money(tree, "TaxBasisTotalAmount") == credit_note.net_total


@pytest.mark.parametrize(
    ("shipping_credit", "adjustment", "text"),
    [
        (Decimal("0.00"), Decimal("0.00"), ""),
        (Decimal("4.90"), Decimal("0.00"), ""),
        (Decimal("0.00"), Decimal("-3.00"), "Restocking fee"),
        (Decimal("4.90"), Decimal("2.50"), "Goodwill"),
    ],
)
def test_real_partial_credit_notes_are_valid_e_invoices(
    check, make_order, pot, food, shipping_credit, adjustment, text
):
    """Partial credit notes as the backoffice issues them (issue 20): some lines, shipping,
    a deduction or an extra credit, over two VAT rates — each a valid EN 16931 credit note
    whose XML states exactly the note's own figures."""
    order = make_order(
        {pot.pk: 2, food.pk: 3}, shipping_method_id=ShippingMethodFactory(free_over=None).pk
    )
    services.create_invoice(order)
    note = services.create_credit_note(
        order,
        {_line(order, pot): 1, _line(order, food): 1},
        shipping=shipping_credit,
        adjustment=adjustment,
        adjustment_text=text,
    )
    tree = xml_of(check(pdf.render_credit_note(note)))
    assert value(tree, "//rsm:ExchangedDocument/ram:TypeCode") == "381"
    _check_sums(tree, note)
    assert money(tree, "DuePayableAmount") == note.grand_total  # paid back: nothing prepaid
    assert len(tree.xpath("//ram:IncludedSupplyChainTradeLineItem", namespaces=NS)) == 2
    if adjustment < 0:
        assert money(tree, "AllowanceTotalAmount") > 0
        assert "Restocking fee" in etree.tostring(tree).decode()
    if adjustment > 0:
        assert money(tree, "ChargeTotalAmount") > 0
        assert "Goodwill" in etree.tostring(tree).decode()
    # the full refund after it credits the rest and gives the deduction back: valid too
    services.refund_order(order)
    final = CreditNote.objects.filter(invoice__order=order).exclude(pk=note.pk).get()
    _check_sums(xml_of(check(pdf.render_credit_note(final))), final)


def test_partial_credit_note_with_a_discount_code_and_a_deduction_is_valid(
    check, make_order, pot, food
):
    code = CodeFactory(campaign=CampaignFactory(discount_value=Decimal("10.00")))
    order = make_order({food.pk: 2, pot.pk: 2}, voucher_code=code.text)
    services.create_invoice(order)
    note = services.create_credit_note(
        order,
        {_line(order, pot): 1, _line(order, food): 1},
        adjustment=Decimal("-1.99"),
        adjustment_text="Restocking fee",
    )
    tree = xml_of(check(pdf.render_credit_note(note)))
    _check_sums(tree, note)
    reasons = tree.xpath("//ram:SpecifiedTradeAllowanceCharge/ram:Reason/text()", namespaces=NS)
    assert any("Discount" in r for r in reasons) and "Restocking fee" in reasons


def test_partial_credit_note_under_reverse_charge_is_valid(check, make_order, pot, food, ebook):
    order = make_order(
        {pot.pk: 1, food.pk: 1, ebook.pk: 1},
        billing=dict(WARSAW),
        vat_id=PL_VAT_ID,
        shipping_method_id=ShippingMethodFactory(free_over=None).pk,
    )
    services.create_invoice(order)
    note = services.create_credit_note(
        order,
        {_line(order, pot): 1, _line(order, ebook): 1},
        adjustment=Decimal("-2.00"),
        adjustment_text="Restocking fee",
    )
    tree = xml_of(check(pdf.render_credit_note(note)))
    _check_sums(tree, note)
    categories = tree.xpath(
        "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode/text()",
        namespaces=NS,
    )
    assert sorted(categories) == ["AE", "K"]


def test_credit_note_back_to_the_gift_card_is_prepaid(check, make_order, pot, food):
    card = giftcard_services.issue_cards(Decimal("10.00"), 1)[0]
    order = make_order({pot.pk: 1, food.pk: 1}, giftcard_number=card.number)
    services.create_invoice(order)
    services.refund_order(order)
    note = CreditNote.objects.get(invoice__order=order)
    assert note.giftcard_total == Decimal("10.00")
    tree = xml_of(check(pdf.render_credit_note(note)))
    assert money(tree, "TotalPrepaidAmount") == Decimal("10.00")
    assert money(tree, "DuePayableAmount") == note.grand_total - Decimal("10.00")


def test_an_invoice_issued_before_e_invoicing_keeps_its_booked_nets(check, make_order, food):
    # three lines at 7 % whose nets round up separately: 3 × 1.07 gross
    cheap = ProductFactory(price=Decimal("1.07"), tax_rate=Decimal("7.00"))
    invoice = invoice_for(make_order, {cheap.pk: 1, food.pk: 1})
    # as stored before: one row per rate, net = round(gross / 1.07) of the whole rate
    Invoice.objects.filter(pk=invoice.pk).update(
        tax_rows=[
            {
                "rate": str(row["rate"]),
                "net": str(vat.net_of(row["gross"], row["rate"])),
                "tax": str(row["gross"] - vat.net_of(row["gross"], row["rate"])),
                "gross": str(row["gross"]),
            }
            for row in invoice.order.tax_breakdown()
        ]
    )
    invoice.refresh_from_db()
    tree = xml_of(check(pdf.render_invoice(invoice)))
    assert money(tree, "TaxBasisTotalAmount") == invoice.net_total


def test_a_tampered_total_is_reported_by_the_validator(check, make_order, pot):
    xml = einvoice.invoice_xml(invoice_for(make_order, {pot.pk: 1}))
    tampered = re.sub(
        rb"<ram:GrandTotalAmount>([0-9.]+)</ram:GrandTotalAmount>",
        b"<ram:GrandTotalAmount>999.99</ram:GrandTotalAmount>",
        xml,
    )
    ok, problems = validator.validate(tampered)
    assert not ok
    assert any("BR-CO-15" in line for line in problems)


def test_a_pdf_without_embedded_xml_is_refused(make_order, pot):
    invoice = invoice_for(make_order, {pot.pk: 1})
    plain = pdf.render_packing_slip(
        services.create_shipment(invoice.order, {invoice.order.lines.get().pk: 1})
    )
    ok, problems = validator.validate(plain)
    assert not ok and "no embedded" in problems[0]


# ------------------------------------------------------------------ downloads and wording


def test_xrechnung_download_in_the_account_only_with_a_buyer_reference(client, make_order, pot):
    customer = UserFactory()
    client.force_login(customer)
    plain = invoice_for(make_order, {pot.pk: 1}, customer=customer)
    url = reverse("orders:account_invoice_xrechnung", args=[plain.order_number])
    assert client.get(url).status_code == 404
    public = invoice_for(
        make_order,
        {pot.pk: 1},
        customer=customer,
        billing={**WARSAW, "company": "Stadt Musterhausen", "country": "DE", "postcode": "10115"},
        buyer_reference="991-01234-56",
    )
    response = client.get(reverse("orders:account_invoice_xrechnung", args=[public.order_number]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert b"xrechnung_3.0" in response.content and b"991-01234-56" in response.content
    other = UserFactory()
    client.force_login(other)
    assert (
        client.get(
            reverse("orders:account_invoice_xrechnung", args=[public.order_number])
        ).status_code
        == 404
    )


def test_backoffice_downloads_xml_and_xrechnung(admin_client, make_order, pot):
    invoice = invoice_for(
        make_order,
        {pot.pk: 1},
        billing={**WARSAW, "country": "DE", "postcode": "10115"},
        buyer_reference="991-1",
    )
    xml = admin_client.get(reverse("admin:orders_invoice_xml", args=[invoice.pk]))
    assert xml.status_code == 200 and b"urn:cen.eu:en16931:2017<" in xml.content
    xr = admin_client.get(reverse("admin:orders_invoice_xrechnung", args=[invoice.pk]))
    assert xr.status_code == 200 and b"xrechnung_3.0" in xr.content
    page = admin_client.get(reverse("admin:orders_invoice_change", args=[invoice.pk]))
    assert reverse("admin:orders_invoice_xrechnung", args=[invoice.pk]) in page.content.decode()


def test_german_credit_note_is_a_rechnungskorrektur_not_a_gutschrift(make_order, pot):
    invoice = invoice_for(make_order, {pot.pk: 1}, language="de")
    services.refund_order(invoice.order)
    text = pdf_text(pdf.render_credit_note(CreditNote.objects.get(invoice=invoice)))
    assert "Rechnungskorrektur" in text
    assert "Gutschrift" not in text


# ------------------------------------------------------------------ the accountant's export


def test_export_invoices_writes_xml_and_pdf_of_the_period(check, make_order, pot, tmp_path):
    from django.core.management import call_command
    from django.utils import timezone

    invoice = invoice_for(make_order, {pot.pk: 1})
    polish = invoice_for(make_order, {pot.pk: 1}, language="pl")
    services.refund_order(invoice.order)
    today = timezone.localdate().isoformat()
    call_command("export_invoices", "--from", today, "--to", today, "-o", str(tmp_path))
    names = sorted(p.name for p in tmp_path.iterdir())
    credit_note = CreditNote.objects.get(invoice=invoice)
    # one naming in the accountant's folder, not "faktura-…" beside "invoice-…"
    assert names == sorted(
        f"{stem}.{ext}"
        for stem in (
            f"invoice-{invoice.number}",
            f"invoice-{polish.number}",
            f"credit-note-{credit_note.number}",
        )
        for ext in ("pdf", "xml")
    )
    check((tmp_path / f"invoice-{invoice.number}.xml").read_bytes())
    check((tmp_path / f"credit-note-{credit_note.number}.pdf").read_bytes())


def test_export_invoices_refuses_bad_dates_and_writes_nothing(tmp_path):
    from django.core.management import CommandError, call_command

    target = tmp_path / "out"
    with pytest.raises(CommandError, match="Not a date"):
        call_command("export_invoices", "--from", "2026-13-01", "--to", "2026-12-31", "-o", target)
    with pytest.raises(CommandError, match="must not be after"):
        call_command("export_invoices", "--from", "2026-12-31", "--to", "2026-01-01", "-o", target)
    assert not target.exists()


@pytest.mark.parametrize(
    "credit",
    [
        {"shipping": "4.90"},
        {"adjustment": "10.00", "adjustment_text": "Goodwill"},
        {"shipping": "4.90", "adjustment": "2.00", "adjustment_text": "Goodwill"},
    ],
)
def test_a_credit_note_without_goods_lines_is_a_valid_e_invoice(
    check, make_order, pot, food, giftcard_product, credit
):
    """Shipping or an extra credit alone: EN 16931 wants a line, so the note's lines are what
    it credits (the XML had none and could not be rendered, the e-mail stayed unsent). An
    extra credit falls on the goods' rates, never on the 0 % row of a gift card bought with
    the order."""
    order = make_order({pot.pk: 1, food.pk: 1, giftcard_product.pk: 1})
    services.create_invoice(order)
    note = services.create_credit_note(order, {}, **credit)
    assert Decimal("0.00") not in {row["rate"] for row in note.typed_tax_rows}
    tree = xml_of(check(pdf.render_credit_note(note)))
    _check_sums(tree, note)
    lines = tree.xpath("//ram:IncludedSupplyChainTradeLineItem", namespaces=NS)
    assert lines
    categories = tree.xpath(
        "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode/text()",
        namespaces=NS,
    )
    assert "E" not in categories
