"""The order confirmation as a durable medium, the final checkout button, and the backoffice
screens of partial refunds (preview, confirm, "mark as refunded", list, tiles)."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from orders import links, pdf, services
from orders.models import CreditNote, Order
from shop.admin import backoffice
from shop.mail import written
from shop.models import OutboxEmail, ShopSettings
from tests.checkout import add_to_cart
from tests.factories import ProductFactory, RoleUserFactory
from tests.formtokens import page_token

from .factories import ship_all
from .test_documents import pdf_text

pytestmark = pytest.mark.django_db
D = Decimal

BUTTON = {
    "en": "Order with obligation to pay",
    "de": "Zahlungspflichtig bestellen",
    "pl": "Zamawiam z obowiązkiem zapłaty",
    "da": "Bestil med betalingsforpligtelse",
}
MODEL_FORM = {
    "en": "I/We (*) hereby give notice that I/We (*) withdraw from my/our (*) contract",
    "de": "Hiermit widerrufe(n) ich/wir (*) den von mir/uns (*) abgeschlossenen Vertrag",
    "pl": "Ja/My(*) niniejszym informuję/informujemy(*) o moim/naszym odstąpieniu od umowy",
    "da": "Jeg/vi (*) meddeler herved, at jeg/vi (*) ønsker at gøre fortrydelsesretten gældende",
}
INSTRUCTIONS = {
    "en": "You have the right to withdraw from this contract within 14 days",
    "de": "Sie haben das Recht, binnen 14 Tagen ohne Angabe von Gründen diesen Vertrag zu widerrufen.",
    "pl": "Mają Państwo prawo odstąpić od niniejszej umowy w terminie 14 dni",
    "da": "De har ret til at fortryde denne aftale inden for 14 dage",
}


@pytest.mark.parametrize("language", ["en", "de", "pl", "da"])
def test_the_final_checkout_button_says_order_with_obligation_to_pay(
    client, product, shipping, card_payment, language
):
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    add_to_cart(client, product)
    page = client.get(reverse("orders:checkout"), follow=True).content.decode()
    assert BUTTON[language] in page


def test_confirmation_email_is_a_durable_medium_of_the_contract(make_order, shipping):
    pot = ProductFactory(name="Coffee pot", sku="POT-1", price=D("34.90"), tax_rate=D("19.00"))
    jam = ProductFactory(name="Jam", sku="JAM-1", price=D("6.50"), tax_rate=D("7.00"))
    from tests.factories import PaymentMethodFactory

    prepayment = PaymentMethodFactory(code="prepayment", name="Bank transfer", kind="prepayment")
    order = make_order(
        {pot.pk: 1, jam.pk: 2},
        payment_method_id=prepayment.pk,
        shipping={
            **dict.fromkeys(["company"], ""),
            "first_name": "Max",
            "last_name": "Paket",
            "street": "Lieferweg 9",
            "postcode": "20095",
            "city": "Hamburg",
            "country": "DE",
        },
    )
    mail = written(OutboxEmail.objects.get(template="order_confirmation"))
    text = mail.body_text
    assert order.number in text
    assert "1 × Coffee pot (SKU POT-1)" in text and "€34.90 each, incl. 19% VAT" in text
    assert "2 × Jam (SKU JAM-1)" in text and "€6.50 each, incl. 7% VAT: €13.00" in text
    assert f"Total: €{order.grand_total}" in text and "incl. 7% VAT" in text
    shop = ShopSettings.load()
    assert shop.bank_details in text and f"Reference: {order.number}" in text
    assert "Lieferweg 9" in text and "20095 Hamburg" in text  # the delivery address
    # A guest gets the signed order-status link and the withdrawal function.
    assert links.customer_order_url(order) in text and "/order-status/" in text
    assert "Withdraw from contract here" in text
    assert INSTRUCTIONS["en"] in text and MODEL_FORM["en"] in text
    assert "Delete as appropriate" in text
    (attachment,) = mail.attachments
    assert attachment["generator"] == "orders.pdf.withdrawal_information_pdf_bytes"
    assert "Model withdrawal form" in mail.body_html


def test_a_customers_confirmation_links_the_account_order(make_order, customer):
    order = make_order(customer=customer, email=customer.email)
    text = written(OutboxEmail.objects.get(template="order_confirmation")).body_text
    assert order.get_absolute_url() in text and "/order-status/" not in text


@pytest.mark.parametrize("language", ["de", "pl", "da"])
def test_confirmation_and_its_pdf_carry_the_official_wording_in_the_orders_language(
    make_order, language
):
    shop = ShopSettings.load()
    setattr(shop, f"terms_{language}", f"AGB-{language}: § 1 Geltungsbereich")
    shop.save()
    order = make_order(language=language)
    mail = written(OutboxEmail.objects.get(template="order_confirmation"))
    assert INSTRUCTIONS[language] in mail.body_text.replace("\n", " ")
    assert MODEL_FORM[language] in mail.body_text.replace("\n", " ")
    # As a worker or "Send again" renders it: in English, whatever the order's language.
    with translation.override("en"):
        text = pdf_text(pdf.withdrawal_information_pdf_bytes(order.pk)).replace("\n", " ")
    assert f"AGB-{language}" in text
    assert MODEL_FORM[language][:40] in text
    # The trader's address names the country in the order's language, not the worker's.
    country = {"de": "Deutschland", "pl": "Niemcy", "da": "Tyskland"}[language]
    assert f"Hamburg, {country}" in text and "Germany" not in text


def test_confirmation_pdf_is_attached_when_the_email_is_sent(
    make_order, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = make_order()
    filename, content, mimetype = mailoutbox[-1].attachments[0]
    assert (
        filename == f"withdrawal-information-{order.number}.pdf" and mimetype == "application/pdf"
    )
    text = pdf_text(content)
    assert "Model withdrawal form" in text and "Right of withdrawal" in text


# --- backoffice ---------------------------------------------------------------------------


@pytest.fixture
def paid_order(make_order):
    lamp = ProductFactory(name="Lamp", price=D("15.00"))
    order = make_order({lamp.pk: 2})
    services.create_invoice(order)
    services.create_shipment(order, ship_all(order))
    return Order.objects.get(pk=order.pk)


def test_partial_refund_page_previews_then_creates_the_credit_note(admin_client, paid_order):
    line = paid_order.lines.get()
    url = reverse("admin:orders_creditnote_new", args=[paid_order.pk])
    detail = admin_client.get(reverse("admin:orders_order_change", args=[paid_order.pk]))
    assert url in detail.content.decode()
    data = {f"qty_{line.pk}": "1", "shipping": "", "adjustment": "", "reason": "Sorry"}
    preview = admin_client.post(url, {**data, "preview": ""})
    assert preview.context["plan"].grand_total == D("15.00")
    assert "Where the money goes" in preview.content.decode()
    assert not CreditNote.objects.exists()
    confirm = {
        **data,
        "confirm": "",
        "previewed": preview.context["previewed"],
        "seen_notes": preview.context["seen_notes"],
    }
    response = admin_client.post(url, confirm)
    assert response.status_code == 302
    note = CreditNote.objects.get()
    assert note.grand_total == D("15.00") and note.reason == "Sorry"
    page = admin_client.get(reverse("admin:orders_order_change", args=[paid_order.pk]))
    text = page.content.decode()
    assert note.number in text and "To refund via Credit card: €15.00" in text
    assert reverse("admin:orders_creditnote_refunded", args=[note.pk]) in text


def test_create_credit_note_sent_twice_issues_one_note(admin_client, paid_order):
    """A double click or the browser's back and resubmit: the same confirmed form a second
    time finds the note the first one created and issues nothing (an adjustment alone would
    otherwise be credited again and again)."""
    url = reverse("admin:orders_creditnote_new", args=[paid_order.pk])
    data = {"shipping": "", "adjustment": "10,00", "adjustment_text": "Kulanz", "reason": ""}
    preview = admin_client.post(url, {**data, "preview": ""})
    confirm = {
        **data,
        "confirm": "",
        "previewed": preview.context["previewed"],
        "seen_notes": preview.context["seen_notes"],
    }
    assert admin_client.post(url, confirm).status_code == 302
    again = admin_client.post(url, confirm, follow=True)
    assert CreditNote.objects.count() == 1
    assert any("check the refund again" in str(m) for m in again.context["messages"])
    # without the count of the preview nothing is created either
    forged = admin_client.post(url, {**confirm, "seen_notes": ""}, follow=True)
    assert CreditNote.objects.count() == 1 and forged.status_code == 200


def test_the_service_refuses_a_credit_note_prepared_against_fewer_notes(paid_order):
    services.create_credit_note(paid_order, adjustment="5.00", adjustment_text="Kulanz")
    with pytest.raises(services.OrderError, match="has been created since you looked"):
        services.create_credit_note(
            paid_order, adjustment="5.00", adjustment_text="Kulanz", seen_notes=0
        )
    assert CreditNote.objects.count() == 1


def test_a_refused_partial_refund_shows_the_error_and_creates_nothing(admin_client, paid_order):
    line = paid_order.lines.get()
    url = reverse("admin:orders_creditnote_new", args=[paid_order.pk])
    response = admin_client.post(url, {f"qty_{line.pk}": "5", "preview": ""}, follow=True)
    assert any("left to credit" in str(m) for m in response.context["messages"])
    assert not CreditNote.objects.exists()


def test_a_german_clerk_types_the_adjustment_with_a_decimal_comma(client, paid_order):
    """ "-2,50" is how German, Polish and Danish staff write it: read as -2.50, never refused
    (nor "1.500" guessed); the placeholder shows the clerk's format too."""
    from tests.factories import StaffFactory

    client.force_login(StaffFactory(is_superuser=True, language="de"))
    line = paid_order.lines.get()
    url = reverse("admin:orders_creditnote_new", args=[paid_order.pk])
    assert 'placeholder="0,00"' in client.get(url).content.decode()
    data = {f"qty_{line.pk}": "1", "adjustment": "-2,50", "adjustment_text": "Versand"}
    preview = client.post(url, {**data, "preview": ""})
    assert preview.context["plan"].grand_total == D("12.50")
    response = client.post(url, {**data, "adjustment": "1.500", "preview": ""}, follow=True)
    assert any("höchstens zwei Nachkommastellen" in str(m) for m in response.context["messages"])
    assert not CreditNote.objects.exists()


def test_mark_refunded_from_the_order_page_clears_the_tile(admin_client, rf, staff, paid_order):
    note = services.create_credit_note(paid_order, {paid_order.lines.get().pk: 1})

    def tile():
        request = rf.get("/backoffice/")
        request.user = staff
        items = backoffice.attention_items(request)
        return next(i for i in items if i["label"] == "Refunds to pay out")["count"]

    assert tile() == 1
    pending = admin_client.get(reverse("admin:orders_creditnote_changelist") + "?payout=pending")
    assert note.number in pending.content.decode()
    admin_client.post(
        reverse("admin:orders_creditnote_refunded", args=[note.pk]), {"next": "order"}
    )
    assert CreditNote.objects.get().refunded_at is not None and tile() == 0


def test_credit_note_page_prints_and_emails_again(admin_client, paid_order):
    note = services.create_credit_note(paid_order, {paid_order.lines.get().pk: 1})
    page = admin_client.get(reverse("admin:orders_creditnote_change", args=[note.pk]))
    assert "Where the money goes" in page.content.decode()
    printed = admin_client.get(reverse("admin:orders_creditnote_pdf", args=[note.pk]))
    assert note.number in pdf_text(printed.content)
    send = reverse("admin:orders_creditnote_send", args=[note.pk])
    for _click in range(2):  # a double click sends once
        admin_client.post(send, {"form_token": page_token(page)})
    assert OutboxEmail.objects.filter(template="order_credit_note").count() == 2


def test_full_refund_confirmation_shows_where_the_money_goes(admin_client, paid_order):
    page = admin_client.get(reverse("admin:orders_order_refund", args=[paid_order.pk]))
    assert page.context["plan"].grand_total == paid_order.grand_total
    assert "To refund via Credit card" in page.content.decode()


def test_payments_role_may_refund_partially_support_may_not(client, paid_order):
    url = reverse("admin:orders_creditnote_new", args=[paid_order.pk])
    client.force_login(RoleUserFactory(role="Support"))
    assert client.get(url).status_code == 403
    client.force_login(RoleUserFactory(role="Payments"))
    assert client.get(url).status_code == 200
