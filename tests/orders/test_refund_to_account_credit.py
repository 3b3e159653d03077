"""Refund to the customer's account credit instead of the payment method: an operator option
on every page that issues a credit note with money going back (partial refund, full refund,
a return's settlement). The money is booked on the customer's credit account with the credit
note's number; nothing is left to pay out."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from giftcards import services as giftcard_services
from giftcards.models import CreditAccount, LedgerEntry
from orders import extensions, pdf, services
from orders.aftersales import Return
from orders.models import CreditNote, Order
from orders.services import OrderError
from shop.mail import written
from shop.models import OutboxEmail
from tests.einvoice import validate as validator
from tests.factories import ProductFactory, UserFactory

from .factories import ship_all
from .test_documents import pdf_text

pytestmark = pytest.mark.django_db
D = Decimal
OPTION = "Refund to the customer's account credit instead of Credit card"


@pytest.fixture(scope="module")
def check():
    def run(document):
        ok, problems = validator.validate(document)
        assert ok, problems
        return document

    return run


@pytest.fixture
def lamp(db):
    return ProductFactory(name="Lamp", price=D("30.00"), stock=10)


@pytest.fixture
def erika(db):
    return UserFactory(email="erika@example.com")


def _delivered(make_order, lamp, customer=None, **kwargs):
    order = make_order({lamp.pk: 2}, customer=customer, **kwargs)
    services.create_invoice(order)
    services.create_shipment(order, ship_all(order))
    order = Order.objects.get(pk=order.pk)
    assert order.is_paid
    return order


@pytest.fixture
def delivered(make_order, lamp, erika):
    return _delivered(make_order, lamp, erika)


@pytest.fixture
def guest_order(make_order, lamp):
    return _delivered(make_order, lamp)


def _balance(customer):
    account = CreditAccount.objects.filter(customer=customer).first()
    return account.balance if account else D("0.00")


def _entry(note):
    entries = LedgerEntry.objects.filter(account__isnull=False, order=note.invoice.order)
    entry = entries.get(amount=note.credit_total)
    assert entry.kind == LedgerEntry.Kind.REFUND
    return entry


def _assert_credited(note, customer, amount, check):
    note = CreditNote.objects.get(pk=note.pk)
    assert note.paid_total == 0 and note.credit_total == amount
    assert note.grand_total == note.giftcard_total + note.credit_total + note.paid_total
    assert _balance(customer) == amount
    entry = _entry(note)
    # the credit note's number is the reference of the ledger entry, in every language
    assert note.number in entry.reason and "Credit card" in entry.reason
    with translation.override("de"):
        assert note.number in entry.display_reason
    order = Order.objects.get(pk=note.invoice.order_id)
    assert order.payment_status != Order.PaymentStatus.REFUND_PENDING
    # the e-invoice of the note: nothing left to pay, and valid
    check(pdf.render_credit_note(note))
    return note, order


def test_partial_credit_note_to_account_credit(admin_client, delivered, erika, check):
    line = delivered.lines.get()
    url = reverse("admin:orders_creditnote_new", args=[delivered.pk])
    page = admin_client.get(url).content.decode()
    assert OPTION in page
    data = {f"qty_{line.pk}": "1", "shipping": "", "adjustment": "", "reason": ""}
    plain = admin_client.post(url, {**data, "preview": ""})
    assert plain.context["plan"].paid_total == D("30.00") and OPTION in plain.content.decode()
    preview = admin_client.post(url, {**data, "to_account": "1", "preview": ""})
    plan = preview.context["plan"]
    assert plan.paid_total == 0 and plan.credit_total == D("30.00")
    html = preview.content.decode()
    assert "Back to the account credit" in html and "To refund via" not in html
    assert "instead of a refund via Credit card" in html
    assert not LedgerEntry.objects.filter(account__isnull=False).exists()  # a preview books nothing
    # "Create" acts on what the preview showed: unticked since, it shows the refund again
    confirm = {
        **data,
        "confirm": "",
        "previewed": preview.context["previewed"],
        "seen_notes": preview.context["seen_notes"],
    }
    admin_client.post(url, confirm)
    assert not CreditNote.objects.exists()
    assert admin_client.post(url, {**confirm, "to_account": "1"}).status_code == 302
    note, order = _assert_credited(CreditNote.objects.get(), erika, D("30.00"), check)
    assert order.payment_status == Order.PaymentStatus.PARTLY_REFUNDED
    history = " ".join(c.text for c in order.comments.filter(is_event=True))
    assert "€30.00 back to the customer's account credit." in history
    assert "to pay back via" not in history
    # the customer's e-mail and PDF say so
    mail = written(OutboxEmail.objects.filter(template="order_credit_note").get())
    assert (
        "Credited to your customer account as store credit instead of a refund: €30.00"
        in mail.body_text
    )
    # said once, and not as money the order was paid with coming back
    assert "instead of a refund" not in mail.body_text.replace(
        "as store credit instead of a refund", ""
    )
    assert "Back in your account credit already" not in mail.body_text
    assert note.account_total == D("30.00") and note.credit_back == 0
    assert "Refund via" not in pdf_text(pdf.render_credit_note(note))
    # the customer's account credit page shows the entry
    customer = Client()
    customer.force_login(erika)
    account_page = customer.get(reverse("giftcards:account")).content.decode()
    assert order.number in account_page and "30.00" in account_page


def test_full_refund_to_account_credit(admin_client, delivered, erika, check):
    url = reverse("admin:orders_order_refund", args=[delivered.pk])
    page = admin_client.get(url)
    assert OPTION in page.content.decode()
    total = delivered.grand_total
    assert page.context["plan"].paid_total == total
    admin_client.post(url, {"reason": "", "to_account": "1"})
    note, order = _assert_credited(CreditNote.objects.get(), erika, total, check)
    assert note.is_final and order.status == Order.Status.CLOSED
    assert order.payment_status == Order.PaymentStatus.REFUNDED
    mail = written(OutboxEmail.objects.filter(template="order_refunded").get())
    assert (
        f"Credited to your customer account as store credit instead of a refund: €{total}"
        in mail.body_text
    )


def test_return_settlement_to_account_credit(admin_client, delivered, erika, check):
    ret = services.create_return(delivered, {delivered.lines.get().pk: 1}, "defective")
    detail = reverse("admin:orders_return_change", args=[ret.pk])
    assert OPTION in admin_client.get(detail).content.decode()
    inputs = {"shipping": "", "adjustment": "", "to_account": "1"}
    preview = admin_client.post(detail, {"action": "preview", **inputs})
    assert preview.context["plan"].credit_total == D("30.00")
    assert preview.context["plan"].paid_total == 0
    admin_client.post(
        detail, {"action": "refund", "previewed": preview.context["previewed"], **inputs}
    )
    ret = Return.objects.get(pk=ret.pk)
    assert ret.status == Return.Status.REFUNDED
    _assert_credited(ret.credit_note, erika, D("30.00"), check)


def test_the_credit_paid_part_goes_back_first_then_the_rest_to_the_account(
    make_order, lamp, erika, check
):
    """An order paid partly with account credit: that part goes back as before, what would
    go to the payment method goes to the account as well; later notes are unaffected."""
    giftcard_services.adjust_account(
        giftcard_services.account_for(erika), D("10.00"), "Goodwill", UserFactory(is_superuser=True)
    )
    order = _delivered(make_order, lamp, erika, use_credit=True)
    assert order.credit_total == D("10.00")
    note = services.create_credit_note(order, {order.lines.get().pk: 1}, to_account=True)
    assert (note.credit_total, note.paid_total) == (D("30.00"), 0)
    assert _balance(erika) == D("30.00")
    rest = services.refund_order(Order.objects.get(pk=order.pk))
    last = CreditNote.objects.exclude(pk=note.pk).get()
    assert (last.credit_total, last.paid_total) == (0, order.grand_total - D("30.00"))
    assert _balance(erika) == D("30.00")  # nothing given back twice
    assert rest.payment_status == Order.PaymentStatus.REFUND_PENDING
    check(pdf.render_credit_note(last))


def test_a_guest_order_is_not_offered_it_and_a_forged_post_is_refused(
    admin_client, guest_order, check
):
    line = guest_order.lines.get()
    url = reverse("admin:orders_creditnote_new", args=[guest_order.pk])
    assert OPTION not in admin_client.get(url).content.decode()
    data = {f"qty_{line.pk}": "1", "shipping": "", "adjustment": "", "reason": ""}
    preview = admin_client.post(url, {**data, "preview": ""})
    assert OPTION not in preview.content.decode()
    forged = admin_client.post(
        url,
        {
            **data,
            "to_account": "1",
            "confirm": "",
            "previewed": preview.context["previewed"],
            "seen_notes": preview.context["seen_notes"],
        },
        follow=True,
    )
    # the fingerprint differs: shown again, with the refusal of the preview
    messages = [str(m) for m in forged.context["messages"]]
    assert any("without a customer account" in m for m in messages), messages
    refund = reverse("admin:orders_order_refund", args=[guest_order.pk])
    assert OPTION not in admin_client.get(refund).content.decode()
    response = admin_client.post(refund, {"reason": "", "to_account": "1"}, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert any("without a customer account" in m for m in messages), messages
    with pytest.raises(OrderError, match="without a customer account"):
        services.create_credit_note(guest_order, {line.pk: 1}, to_account=True)
    ret = services.create_return(guest_order, {line.pk: 1}, "defective")
    detail = reverse("admin:orders_return_change", args=[ret.pk])
    assert OPTION not in admin_client.get(detail).content.decode()
    with pytest.raises(OrderError, match="without a customer account"):
        services.refund_return(ret, to_account=True)
    assert not CreditNote.objects.exists() and not CreditAccount.objects.exists()
    order = Order.objects.get(pk=guest_order.pk)
    assert order.status != Order.Status.CLOSED and order.credited_total == 0
    assert Return.objects.get(pk=ret.pk).is_open


def test_without_the_option_nothing_changes(admin_client, delivered, erika):
    services.create_credit_note(delivered, {delivered.lines.get().pk: 1})
    note = CreditNote.objects.get()
    assert (note.credit_total, note.paid_total) == (0, D("30.00"))
    assert _balance(erika) == 0
    order = Order.objects.get(pk=delivered.pk)
    assert order.payment_status == Order.PaymentStatus.REFUND_PENDING


def test_not_offered_when_nothing_goes_to_the_payment_method(make_order, lamp, erika):
    giftcard_services.adjust_account(
        giftcard_services.account_for(erika),
        D("100.00"),
        "Goodwill",
        UserFactory(is_superuser=True),
    )
    order = _delivered(make_order, lamp, erika, use_credit=True)
    assert order.amount_due == 0
    assert not services.refunds.account_credit_offered(order)
    plan = services.preview_full_refund(order)
    assert not services.refunds.account_credit_offered(order, plan)


def test_not_offered_when_no_app_keeps_account_credit(delivered, monkeypatch):
    monkeypatch.setattr(extensions, "account_credit_step", lambda: None)
    assert not services.refunds.account_credit_offered(delivered)
    with pytest.raises(OrderError, match="cannot refund to a customer's account credit"):
        services.create_credit_note(delivered, {delivered.lines.get().pk: 1}, to_account=True)
    assert not CreditNote.objects.exists()
