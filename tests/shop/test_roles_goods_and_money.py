"""Separation of duties in the backoffice (shop/roles.py, SPEC S13): the Order clerk handles
the goods of an order (invoice, ship, pick lists and packing slips, returns, cancelling,
comments), Payments its money (``orders.handle_payments``: mark paid, capture and void, paying
back, refunds and credit notes, settling a return), the Shop manager both.

For each role user: which buttons an order page, a return page and a credit note page show,
and that each goods and money POST either works or answers 403 and changes nothing."""

from decimal import Decimal

import pytest
from django.contrib.admin import helpers
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from orders import services
from orders.aftersales import Return
from orders.models import CreditNote, Order, OrderComment, Shipment
from shop.roles import setup_roles
from tests.factories import ProductFactory, RoleUserFactory
from tests.formtokens import fresh
from tests.orders.factories import ship_all

pytestmark = pytest.mark.django_db
D = Decimal

CLERK, PAYMENTS, MANAGER = "Order clerk", "Payments", "Shop manager"
ROLES = [CLERK, PAYMENTS, MANAGER]
MONEY_REASON = "are recorded by the Payments role"


@pytest.fixture
def lamp(db):
    return ProductFactory(name="Lamp", price=D("30.00"), stock=10)


@pytest.fixture
def login(client):
    def log_in(role):
        client.force_login(RoleUserFactory(role=role))
        return client

    return log_in


def reload(obj):
    return type(obj).objects.get(pk=obj.pk)


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def order_page(client, order):
    return page(client, reverse("admin:orders_order_change", args=[order.pk]))


def url(name, *args):
    return reverse(f"admin:orders_{name}", args=args)


@pytest.fixture
def delivered(make_order, lamp):
    """Card, invoiced (so captured) and shipped: returns and refunds are possible."""
    order = make_order({lamp.pk: 2})
    services.create_invoice(order)
    services.create_shipment(order, ship_all(order))
    return reload(order)


@pytest.fixture
def open_return(delivered):
    return services.create_return(delivered, {delivered.lines.get().pk: 1}, "defective")


@pytest.fixture
def received_return(open_return):
    services.receive_return(open_return, {open_return.lines.get().pk: ("as_new", True)})
    return reload(open_return)


@pytest.fixture
def note_to_pay_out(delivered):
    """A credit note of a card-paid order: its money goes back via the card ("to refund")."""
    return services.create_credit_note(delivered, adjustment="5.00", adjustment_text="Goodwill")


# --- the groups ---------------------------------------------------------------------------


def test_the_roles_split_goods_and_money():
    setup_roles()
    clerk = RoleUserFactory(role=CLERK)
    payments = RoleUserFactory(role=PAYMENTS)
    manager = RoleUserFactory(role=MANAGER)
    goods = {"orders.change_order", "orders.change_return"}
    money = {"orders.handle_payments", "orders.change_creditnote"}
    assert goods <= clerk.get_all_permissions()
    assert not money & clerk.get_all_permissions()
    assert not payments.has_perm("orders.change_order")
    assert {"orders.handle_payments", "orders.change_return", "orders.change_creditnote"} <= (
        payments.get_all_permissions()
    )
    assert goods | money <= manager.get_all_permissions()
    assert Permission.objects.get(codename="handle_payments").name == (
        "Can record payments and refunds"
    )


def test_setup_roles_moves_the_money_of_existing_groups():
    """An installation whose groups hold the old rights: the next migrate (setup_roles) takes
    the clerk's money actions and Payments' shipping away and grants the new permission."""
    old = Permission.objects.filter(
        content_type__app_label="orders",
        codename__in=["change_order", "handle_payments", "change_creditnote"],
    )
    Group.objects.get(name=CLERK).permissions.add(*old)
    Group.objects.get(name=PAYMENTS).permissions.set(old.filter(codename="change_order"))
    setup_roles()
    clerk = set(Group.objects.get(name=CLERK).permissions.values_list("codename", flat=True))
    payments = set(Group.objects.get(name=PAYMENTS).permissions.values_list("codename", flat=True))
    manager = set(Group.objects.get(name=MANAGER).permissions.values_list("codename", flat=True))
    assert "change_order" in clerk and not {"handle_payments", "change_creditnote"} & clerk
    assert "change_order" not in payments and {"handle_payments", "change_return"} <= payments
    assert {"handle_payments", "change_order"} <= manager


# --- the order page -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_unpaid_transfer_order_shows_each_role_its_buttons(login, make_order, prepayment, role):
    order = make_order(payment_method_id=prepayment.pk)
    html = order_page(login(role), order)
    goods = role in (CLERK, MANAGER)
    money = role in (PAYMENTS, MANAGER)
    assert (url("order_invoice", order.pk) in html) is goods
    assert (url("order_ship", order.pk) in html) is goods
    assert (url("order_cancel", order.pk) in html) is goods
    assert ("Add comment" in html) is goods
    assert (url("order_mark_paid", order.pk) in html) is money
    assert ("Amount received" in html) is money


@pytest.mark.parametrize("role", ROLES)
def test_card_capture_and_void_are_money_buttons(login, make_order, role):
    order = make_order()  # card: authorized at checkout
    html = order_page(login(role), order)
    money = role in (PAYMENTS, MANAGER)
    assert ("Capture card payment" in html) is money
    assert ("Void authorization" in html) is money


@pytest.mark.parametrize("role", ROLES)
def test_delivered_order_refunds_for_payments_return_for_the_clerk(login, delivered, role):
    html = order_page(login(role), delivered)
    goods = role in (CLERK, MANAGER)
    money = role in (PAYMENTS, MANAGER)
    assert (url("return_new", delivered.pk) in html) is goods
    assert (url("creditnote_new", delivered.pk) in html) is money
    assert (url("order_refund", delivered.pk) in html) is money
    assert url("order_ship", delivered.pk) not in html  # everything shipped


@pytest.mark.parametrize("role", ROLES)
def test_paying_back_buttons_are_for_payments(login, make_order, prepayment, note_to_pay_out, role):
    canceled = make_order(payment_method_id=prepayment.pk)
    services.mark_paid(canceled)
    services.cancel_order(canceled)
    client = login(role)
    money = role in (PAYMENTS, MANAGER)
    html = order_page(client, canceled)
    assert "To pay back via Prepayment" in html  # everyone reads what is owed
    assert (url("order_paid_back", canceled.pk) in html) is money
    order = note_to_pay_out.invoice.order
    html = order_page(client, order)
    assert (url("creditnote_refunded", note_to_pay_out.pk) in html) is money


# --- POSTs on the order -------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_mark_paid_only_with_the_money_permission(login, make_order, prepayment, role):
    order = make_order(payment_method_id=prepayment.pk)
    client = login(role)
    response = client.post(url("order_mark_paid", order.pk), fresh({"amount": ""}))
    if role == CLERK:
        assert response.status_code == 403
        assert MONEY_REASON in response.content.decode()
        assert reload(order).payment_status == Order.PaymentStatus.UNPAID
    else:
        assert response.status_code == 302
        assert reload(order).payment_status == Order.PaymentStatus.PAID


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ["capture", "void"])
def test_capture_and_void_only_with_the_money_permission(login, make_order, role, action):
    order = make_order()
    response = login(role).post(url(f"order_{action}", order.pk))
    if role == CLERK:
        assert response.status_code == 403
        assert reload(order).payment_status == Order.PaymentStatus.AUTHORIZED
    else:
        assert response.status_code == 302
        expected = Order.PaymentStatus.PAID if action == "capture" else Order.PaymentStatus.UNPAID
        assert reload(order).payment_status == expected


@pytest.mark.parametrize("role", ROLES)
def test_paid_back_only_with_the_money_permission(login, make_order, prepayment, role):
    order = make_order(payment_method_id=prepayment.pk)
    services.mark_paid(order)
    services.cancel_order(order)
    response = login(role).post(url("order_paid_back", order.pk))
    if role == CLERK:
        assert response.status_code == 403
        assert reload(order).payout_done_at is None
    else:
        assert response.status_code == 302
        assert reload(order).payout_done_at is not None


@pytest.mark.parametrize("role", ROLES)
def test_overpaid_back_only_with_the_money_permission(login, make_order, prepayment, role):
    order = make_order(payment_method_id=prepayment.pk)
    services.mark_paid(order, amount=order.grand_total + D("5.00"))
    assert reload(order).overpayment_pending
    response = login(role).post(url("order_overpaid_back", order.pk))
    if role == CLERK:
        assert response.status_code == 403
        assert reload(order).overpaid_returned_at is None
    else:
        assert response.status_code == 302
        assert reload(order).overpaid_returned_at is not None


@pytest.mark.parametrize("role", ROLES)
def test_full_refund_only_with_the_money_permission(login, delivered, role):
    client = login(role)
    confirm = client.get(url("order_refund", delivered.pk))
    response = client.post(url("order_refund", delivered.pk), {"reason": ""})
    if role == CLERK:
        assert confirm.status_code == 403 and response.status_code == 403
        assert reload(delivered).status != Order.Status.CLOSED
        assert not CreditNote.objects.exists()
    else:
        assert confirm.status_code == 200 and response.status_code == 302
        assert reload(delivered).status == Order.Status.CLOSED


@pytest.mark.parametrize("role", ROLES)
def test_shipping_invoicing_cancelling_and_comments_are_goods(login, make_order, prepayment, role):
    to_ship = make_order(payment_method_id=prepayment.pk)
    to_cancel = make_order(payment_method_id=prepayment.pk)
    client = login(role)
    line = to_ship.lines.get()
    statuses = [
        client.get(url("order_ship", to_ship.pk)).status_code,
        client.post(
            url("order_ship", to_ship.pk),
            fresh({f"qty_{line.pk}": "1", "carrier": [""], "tracking_number": [""]}),
        ).status_code,
        client.get(url("order_invoice", to_ship.pk)).status_code,
        client.post(url("order_invoice", to_ship.pk), {"comment": ""}).status_code,
        client.get(url("order_cancel", to_cancel.pk)).status_code,
        client.post(url("order_cancel", to_cancel.pk)).status_code,
        client.post(url("order_change", to_ship.pk), {"text": "Hello"}).status_code,
    ]
    if role == PAYMENTS:
        assert statuses == [403] * 7
        assert not Shipment.objects.exists()
        assert not to_ship.invoices.exists()
        assert reload(to_cancel).status == Order.Status.PENDING
        assert not OrderComment.objects.filter(text="Hello").exists()
    else:
        assert 403 not in statuses
        assert Shipment.objects.filter(order=to_ship).exists()
        assert to_ship.invoices.exists()
        assert reload(to_cancel).status == Order.Status.CANCELED
        assert OrderComment.objects.filter(text="Hello").exists()


def test_cancelling_a_paid_order_is_the_clerks_the_payout_is_payments(
    login, make_order, prepayment
):
    """Cancelling moves no money: it records what is owed back, and Payments pays it out."""
    order = make_order(payment_method_id=prepayment.pk)
    services.mark_paid(order)
    clerk = login(CLERK)
    assert clerk.post(url("order_cancel", order.pk)).status_code == 302
    order = reload(order)
    assert order.status == Order.Status.CANCELED and order.payout_due
    assert clerk.post(url("order_paid_back", order.pk)).status_code == 403
    assert login(PAYMENTS).post(url("order_paid_back", order.pk)).status_code == 302
    assert reload(order).payout_done_at is not None


# --- credit notes -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_partial_refund_only_with_the_money_permission(login, delivered, role):
    client = login(role)
    new = url("creditnote_new", delivered.pk)
    form = client.get(new)
    response = client.post(new, {"adjustment": "3.00", "adjustment_text": "Goodwill"})
    if role == CLERK:
        assert form.status_code == 403 and response.status_code == 403
        assert MONEY_REASON in response.content.decode()
    else:
        assert form.status_code == 200 and response.status_code == 200
        assert response.context["plan"] is not None  # the preview
    assert not CreditNote.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_credit_note_page_and_mark_refunded(login, note_to_pay_out, role):
    client = login(role)
    html = page(client, url("creditnote_change", note_to_pay_out.pk))
    money = role in (PAYMENTS, MANAGER)
    assert "Send by e-mail" in html  # the document goes out again from either side
    assert ("as refunded via Credit card" in html) is money
    response = client.post(url("creditnote_refunded", note_to_pay_out.pk))
    if money:
        assert response.status_code == 302
        assert reload(note_to_pay_out).refunded_at is not None
    else:
        assert response.status_code == 403
        assert reload(note_to_pay_out).refunded_at is None
    assert client.post(url("creditnote_send", note_to_pay_out.pk)).status_code == 302


# --- returns ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_return_page_buttons(login, open_return, role):
    client = login(role)
    html = page(client, url("return_change", open_return.pk))
    goods = role in (CLERK, MANAGER)
    money = role in (PAYMENTS, MANAGER)
    assert ("Parcel received" in html) is goods
    assert ("Reject and e-mail the customer" in html) is goods
    assert ("Show the refund" in html) is money
    assert ("is recorded by Payments" in html) is (not money)


@pytest.mark.parametrize("role", ROLES)
def test_creating_receiving_and_rejecting_a_return_are_goods(login, delivered, role):
    client = login(role)
    line = delivered.lines.get()
    create = url("return_new", delivered.pk)
    statuses = [
        client.get(create).status_code,
        client.post(create, fresh({f"qty_{line.pk}": "1", "reason": "defective"})).status_code,
    ]
    ret = services.create_return(delivered, {line.pk: 1}, "defective")
    detail = url("return_change", ret.pk)
    statuses.append(
        client.post(
            detail, {"action": "receive", f"condition_{ret.lines.get().pk}": "as_new"}
        ).status_code
    )
    if role == PAYMENTS:
        assert statuses == [403, 403, 403]
        assert Return.objects.count() == 1
        assert reload(ret).status == Return.Status.REQUESTED
        response = client.post(detail, {"action": "reject", "rejection_reason": "Too late"})
        assert response.status_code == 403
        assert reload(ret).status == Return.Status.REQUESTED
    else:
        assert statuses == [200, 302, 302]
        assert Return.objects.count() == 2
        assert reload(ret).status == Return.Status.RECEIVED


@pytest.mark.parametrize("role", ROLES)
def test_settling_a_return_with_a_credit_note_is_money(login, received_return, role):
    client = login(role)
    detail = url("return_change", received_return.pk)
    inputs = {"shipping": "", "adjustment": "", "adjustment_text": "", "reason": ""}
    preview = client.post(detail, {"action": "preview", **inputs})
    if role == CLERK:
        assert preview.status_code == 403
        forged = client.post(detail, {"action": "refund", "previewed": "x", **inputs})
        assert forged.status_code == 403
        assert reload(received_return).status == Return.Status.RECEIVED
        assert not CreditNote.objects.exists()
        return
    assert preview.status_code == 200 and preview.context["plan"] is not None
    response = client.post(
        detail, {"action": "refund", "previewed": preview.context["previewed"], **inputs}
    )
    assert response.status_code == 302
    assert reload(received_return).status == Return.Status.REFUNDED
    assert CreditNote.objects.count() == 1


# --- bulk actions on the order list -------------------------------------------------------


def bulk(client, action, orders, **extra):
    return client.post(
        reverse("admin:orders_order_changelist"),
        {"action": action, helpers.ACTION_CHECKBOX_NAME: [o.pk for o in orders], **extra},
    )


@pytest.mark.parametrize("role", ROLES)
def test_bulk_actions_follow_goods_and_money(login, make_order, prepayment, role):
    client = login(role)
    html = page(client, reverse("admin:orders_order_changelist"))
    goods = role in (CLERK, MANAGER)
    money = role in (PAYMENTS, MANAGER)
    for action in (
        "bulk_create_invoices",
        "bulk_ship",
        "bulk_print_pick_list",
        "bulk_print_packing_slips",
    ):
        assert (f'value="{action}"' in html) is goods, action
    assert ('value="bulk_mark_paid"' in html) is money
    assert 'value="bulk_export_csv"' in html
    order = make_order(payment_method_id=prepayment.pk)
    bulk(client, "bulk_mark_paid", [order], confirm="yes")
    paid = reload(order).payment_status == Order.PaymentStatus.PAID
    assert paid is money
    other = make_order(payment_method_id=prepayment.pk)
    services.mark_paid(other)
    bulk(client, "bulk_ship", [other], confirm="yes")
    assert Shipment.objects.filter(order=other).exists() is goods
