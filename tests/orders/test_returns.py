"""Returns: requested → received (condition, back to stock) → refunded with a credit note, or
rejected with a reason e-mailed to the customer; the backoffice screens and list_returns."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import formats, timezone

from orders import services
from orders.aftersales import Return
from orders.models import CreditNote, Order
from orders.services import OrderError
from shop.mail import written
from shop.models import OutboxEmail, Product
from tests.factories import ProductFactory, RoleUserFactory
from tests.formtokens import page_token

from .factories import ship_all

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def lamp(db):
    return ProductFactory(name="Lamp", price=D("30.00"), stock=5)


@pytest.fixture
def delivered(make_order, lamp):
    order = make_order({lamp.pk: 2})
    services.create_invoice(order)
    services.create_shipment(order, ship_all(order))
    return Order.objects.get(pk=order.pk)


def line(order):
    return order.lines.get()


def test_only_shipped_units_not_returned_yet_can_be_returned(make_order, lamp, delivered):
    with pytest.raises(OrderError, match="Only 2"):
        services.create_return(delivered, {line(delivered).pk: 3}, "defective")
    first = services.create_return(delivered, {line(delivered).pk: 1}, "defective")
    assert first.number == f"{delivered.number}-R1" and first.status == Return.Status.REQUESTED
    with pytest.raises(OrderError, match="Only 1"):
        services.create_return(delivered, {line(delivered).pk: 2}, "defective")
    unshipped = make_order({lamp.pk: 1})
    with pytest.raises(OrderError, match="Only 0"):
        services.create_return(unshipped, {line(unshipped).pk: 1}, "other")
    with pytest.raises(OrderError, match="reason"):
        services.create_return(delivered, {line(delivered).pk: 1}, "no-such-reason")
    assert Return.objects.count() == 1


def test_receiving_a_return_restocks_the_lines_going_back_to_stock(delivered, lamp):
    ret = services.create_return(delivered, {line(delivered).pk: 2}, "withdrawal")
    stock = Product.objects.get(pk=lamp.pk).stock
    return_line = ret.lines.get()
    services.receive_return(ret, {return_line.pk: ("as_new", True)})
    ret.refresh_from_db()
    assert ret.status == Return.Status.RECEIVED and ret.received_at
    return_line.refresh_from_db()
    assert return_line.condition == "as_new" and return_line.restocked
    assert Product.objects.get(pk=lamp.pk).stock == stock + 2
    with pytest.raises(OrderError, match="cannot be received"):
        services.receive_return(ret, {return_line.pk: ("as_new", True)})
    assert Product.objects.get(pk=lamp.pk).stock == stock + 2  # restocked once


def test_a_damaged_line_not_back_to_stock_leaves_the_stock_alone(delivered, lamp):
    ret = services.create_return(delivered, {line(delivered).pk: 1}, "damaged")
    stock = Product.objects.get(pk=lamp.pk).stock
    services.receive_return(ret, {ret.lines.get().pk: ("damaged", False)})
    assert Product.objects.get(pk=lamp.pk).stock == stock


def test_refunding_a_return_issues_a_partial_credit_note_for_its_lines(delivered):
    ret = services.create_return(delivered, {line(delivered).pk: 1}, "defective")
    services.refund_return(ret, adjustment="-5.00", adjustment_text="Restocking fee")
    ret.refresh_from_db()
    assert ret.status == Return.Status.REFUNDED and ret.credit_note is not None
    note = ret.credit_note
    assert note.grand_total == D("25.00") and note.lines[0]["unshipped"] == 0
    order = Order.objects.get(pk=delivered.pk)
    assert order.payment_status == Order.PaymentStatus.REFUND_PENDING  # card refund not paid out
    assert order.status == Order.Status.COMPLETE
    services.mark_refunded(note)
    assert Order.objects.get(pk=delivered.pk).payment_status == (
        Order.PaymentStatus.PARTLY_REFUNDED
    )
    with pytest.raises(OrderError, match="cannot be refunded"):
        services.refund_return(ret)


def test_a_return_of_everything_with_shipping_closes_the_order(make_order, lamp):
    order = make_order({lamp.pk: 1})  # 30.00 + 4.90 shipping
    services.create_invoice(order)
    services.create_shipment(order, ship_all(order))
    ret = services.create_return(order, {line(order).pk: 1}, "withdrawal")
    services.refund_return(ret, shipping="4.90")
    order.refresh_from_db()
    assert order.status == Order.Status.CLOSED
    assert order.payment_status == Order.PaymentStatus.REFUND_PENDING
    assert CreditNote.objects.get().is_final
    services.mark_refunded(CreditNote.objects.get())
    order.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.REFUNDED


@pytest.mark.parametrize(
    "language, word", [("de", "Retoure"), ("pl", "zwrot"), ("da", "returnering")]
)
def test_a_rejected_return_emails_the_reason_in_the_orders_language(
    make_order, lamp, language, word
):
    order = make_order({lamp.pk: 1}, language=language)
    services.create_invoice(order)
    services.create_shipment(order, ship_all(order))
    ret = services.create_return(order, {line(order).pk: 1}, "defective")
    with pytest.raises(OrderError, match="reason"):
        services.reject_return(ret, "  ")
    services.reject_return(ret, "Heavy wear, not a defect.")
    ret.refresh_from_db()
    assert ret.status == Return.Status.REJECTED
    mail = OutboxEmail.objects.get(template="order_return_rejected")
    assert mail.to == [order.email] and ret.number in mail.subject
    assert word.lower() in (mail.subject + mail.body_text).lower()
    assert "Heavy wear, not a defect." in mail.body_text
    # A rejected return frees its units for another return.
    assert services.returnable_units(order) == {line(order).pk: 1}


def test_a_return_from_a_withdrawal_takes_its_items_and_processes_it(delivered):
    withdrawal = services.record_withdrawal(
        name="Erika",
        email=delivered.email,
        order_number=delivered.number,
        items={line(delivered).pk: 1},
    )
    lines = services.withdrawal_lines(withdrawal)
    assert lines == {line(delivered).pk: 1}
    ret = services.create_return(delivered, lines, "withdrawal", withdrawal=withdrawal)
    withdrawal.refresh_from_db()
    assert ret.withdrawal == withdrawal and withdrawal.status == "processed"
    with pytest.raises(OrderError, match="already"):
        services.create_return(delivered, lines, "withdrawal", withdrawal=withdrawal)


def test_list_returns_prints_the_open_ones(delivered):
    services.reject_return(
        services.create_return(delivered, {line(delivered).pk: 1}, "defective"), "No"
    )
    open_one = services.create_return(delivered, {line(delivered).pk: 1}, "withdrawal")
    out = StringIO()
    call_command("list_returns", stdout=out)
    text = out.getvalue()
    assert open_one.number in text and "1 return(s)" in text and "rejected" not in text
    out = StringIO()
    call_command("list_returns", "--status", "rejected", stdout=out)
    assert "rejected" in out.getvalue() and open_one.number not in out.getvalue()
    out = StringIO()
    call_command("list_returns", "--all", stdout=out)
    assert "2 return(s)" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("list_returns", "--all", "--status", "requested", stdout=StringIO())


def test_backoffice_return_flow_with_preview(admin_client, delivered, lamp):
    create_url = reverse("admin:orders_return_new", args=[delivered.pk])
    page = admin_client.get(create_url)
    assert f'name="qty_{line(delivered).pk}"' in page.content.decode()
    sent = {
        f"qty_{line(delivered).pk}": "1",
        "reason": "defective",
        "note": "Loose",
        "form_token": page_token(page),
    }
    response = admin_client.post(create_url, sent)
    ret = Return.objects.get()
    assert response["Location"] == reverse("admin:orders_return_change", args=[ret.pk])
    # the same page sent again (a double click, "send again") creates nothing more: it
    # created two returns for one parcel, each of which could be refunded
    again = admin_client.post(create_url, sent)
    assert again["Location"] == reverse("admin:orders_return_change", args=[ret.pk])
    assert Return.objects.count() == 1
    # a page without its token (a script, a page from before the tokens) creates nothing
    admin_client.post(create_url, {k: v for k, v in sent.items() if k != "form_token"})
    assert Return.objects.count() == 1
    detail = reverse("admin:orders_return_change", args=[ret.pk])
    admin_client.post(
        detail,
        {
            "action": "receive",
            f"condition_{ret.lines.get().pk}": "opened",
            f"stock_{ret.lines.get().pk}": "1",
        },
    )
    assert Return.objects.get().status == Return.Status.RECEIVED
    preview = admin_client.post(detail, {"action": "preview", "shipping": "", "adjustment": ""})
    plan = preview.context["plan"]
    assert plan.grand_total == D("30.00") and plan.paid_total == D("30.00")
    assert "To refund via Credit card" in preview.content.decode()
    assert not CreditNote.objects.exists()
    # "Refund" acts on the previewed values only.
    admin_client.post(
        detail,
        {
            "action": "refund",
            "shipping": "4.90",
            "adjustment": "",
            "previewed": preview.context["previewed"],
        },
    )
    assert not CreditNote.objects.exists()
    admin_client.post(
        detail,
        {
            "action": "refund",
            "shipping": "",
            "adjustment": "",
            "previewed": preview.context["previewed"],
        },
    )
    assert Return.objects.get().status == Return.Status.REFUNDED
    listing = admin_client.get(
        reverse("admin:orders_return_changelist") + "?status__exact=refunded"
    )
    content = listing.content.decode()
    assert ret.number in content
    # The status as the coloured label of the order pages, the date above its time: the
    # credit note's payout via the card is not recorded yet, so not "Refunded".
    assert (
        '<span class="order-status return-refund-pending">'
        "Credit note issued — refund pending</span>" in content
    )
    assert ".order-status.return-refund-pending{" in content
    local = timezone.localtime(ret.created)
    date = formats.date_format(local, "SHORT_DATE_FORMAT")
    assert f'<span class="nowrap">{date}</span><br><span class="quiet">' in content
    reason = admin_client.get(
        reverse("admin:orders_return_changelist") + "?reason__exact=withdrawal"
    )
    assert ret.number not in reason.content.decode()


def test_support_sees_returns_but_cannot_act(client, delivered):
    ret = services.create_return(delivered, {line(delivered).pk: 1}, "defective")
    support = RoleUserFactory(role="Support")
    client.force_login(support)
    detail = reverse("admin:orders_return_change", args=[ret.pk])
    assert client.get(detail).status_code == 200
    assert client.post(detail, {"action": "reject", "rejection_reason": "x"}).status_code == 403
    assert Return.objects.get().status == Return.Status.REQUESTED


def test_returns_list_query_count_does_not_grow_with_its_rows(
    admin_client, make_order, delivered, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("admin:orders_return_changelist")
    services.create_return(delivered, {line(delivered).pk: 1}, "defective")
    with CaptureQueriesContext(connection) as one:
        assert admin_client.get(url).status_code == 200
    for _ in range(3):
        order = make_order()
        services.create_invoice(order)
        services.create_shipment(order, ship_all(order))
        services.create_return(order, {line(order).pk: 1}, "other")
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = admin_client.get(url)
    assert len(response.context["cl"].result_list) == 4


# --- what has been credited cannot come back as a return ---------------------------------


def test_units_credited_by_a_partial_refund_cannot_be_returned(delivered, lamp):
    lamp_line = line(delivered)
    services.create_credit_note(delivered, {lamp_line.pk: 1}, reason="Scratched: keep it.")
    assert services.returnable_units(delivered) == {lamp_line.pk: 1}
    stock = Product.objects.get(pk=lamp.pk).stock
    with pytest.raises(OrderError, match=r"Only 1 × Lamp can be returned"):
        services.create_return(delivered, {lamp_line.pk: 2}, "defective")
    assert not Return.objects.exists()
    # The unit not credited yet comes back and is refunded like any return.
    ret = services.create_return(delivered, {lamp_line.pk: 1}, "defective")
    services.receive_return(ret, {ret.lines.get().pk: ("as_new", True)})
    assert services.preview_return_refund(ret).grand_total == D("30.00")
    services.refund_return(ret)
    assert Return.objects.get().status == Return.Status.REFUNDED
    assert Product.objects.get(pk=lamp.pk).stock == stock + 1
    # Both units are credited now (the whole invoice: the order is closed), none comes back.
    assert services.returnable_units(delivered) == {}
    with pytest.raises(OrderError, match="refunded in full and closed"):
        services.create_return(delivered, {lamp_line.pk: 1}, "defective")
    assert Return.objects.count() == 1


def test_a_refunded_return_counts_its_units_once(delivered):
    lamp_line = line(delivered)
    services.refund_return(services.create_return(delivered, {lamp_line.pk: 1}, "defective"))
    # The returned unit is both in a return and credited: the other one is still returnable.
    assert services.returnable_units(delivered) == {lamp_line.pk: 1}


def test_an_open_return_holds_units_a_partial_refund_did_not_credit(delivered):
    lamp_line = line(delivered)
    services.create_return(delivered, {lamp_line.pk: 1}, "defective")
    services.create_credit_note(delivered, {lamp_line.pk: 1}, reason="Scratched: keep it.")
    # One unit waits in the return to be credited, the other is credited: none is left.
    assert services.returnable_units(delivered) == {}


def test_crediting_units_not_shipped_yet_leaves_the_shipped_ones_returnable(make_order, lamp):
    order = make_order({lamp.pk: 2})
    services.create_invoice(order)
    services.create_shipment(order, {line(order).pk: 1})
    note = services.create_credit_note(order, {line(order).pk: 1})
    assert note.lines[0]["unshipped"] == 1  # the unit still to ship was cancelled
    assert services.returnable_units(order) == {line(order).pk: 1}


def test_a_fully_refunded_order_offers_no_return_and_refuses_one(admin_client, delivered, lamp):
    order_page = reverse("admin:orders_order_change", args=[delivered.pk])
    create_url = reverse("admin:orders_return_new", args=[delivered.pk])
    assert create_url in admin_client.get(order_page).content.decode()
    services.refund_order(delivered)
    order = Order.objects.get(pk=delivered.pk)
    assert order.status == Order.Status.CLOSED
    stock = Product.objects.get(pk=lamp.pk).stock
    events = order.comments.count()

    assert services.returnable_units(order) == {}
    assert create_url not in admin_client.get(order_page).content.decode()
    page = admin_client.get(create_url, follow=True)
    assert page.redirect_chain == [(order_page, 302)]
    message = (
        f"Order {order.number} has been refunded in full and closed: there is nothing to return."
    )
    assert message in [str(m) for m in page.context["messages"]]
    response = admin_client.post(
        create_url, {f"qty_{line(order).pk}": "1", "reason": "defective"}, follow=True
    )
    assert message in [str(m) for m in response.context["messages"]]
    with pytest.raises(OrderError, match="refunded in full and closed"):
        services.create_return(order, {line(order).pk: 1}, "defective")

    assert not Return.objects.exists()
    assert Product.objects.get(pk=lamp.pk).stock == stock
    assert order.comments.count() == events
    out = StringIO()
    call_command("list_returns", stdout=out)
    assert "0 return(s)" in out.getvalue()


def test_the_return_button_appears_only_while_something_can_come_back(
    admin_client, make_order, lamp, delivered
):
    unshipped = make_order({lamp.pk: 1})
    page = admin_client.get(reverse("admin:orders_order_change", args=[unshipped.pk]))
    assert reverse("admin:orders_return_new", args=[unshipped.pk]) not in page.content.decode()
    services.create_return(delivered, {line(delivered).pk: 2}, "defective")
    page = admin_client.get(reverse("admin:orders_order_change", args=[delivered.pk]))
    assert reverse("admin:orders_return_new", args=[delivered.pk]) not in page.content.decode()


def test_a_return_from_a_withdrawal_takes_only_units_not_credited(delivered):
    lamp_line = line(delivered)
    withdrawal = services.record_withdrawal(
        name="Erika", email=delivered.email, order_number=delivered.number
    )
    services.create_credit_note(delivered, {lamp_line.pk: 1}, reason="Scratched: keep it.")
    assert services.withdrawal_lines(withdrawal) == {lamp_line.pk: 1}
    ret = services.create_return(
        delivered, services.withdrawal_lines(withdrawal), "withdrawal", withdrawal=withdrawal
    )
    services.refund_return(ret)
    assert Return.objects.get().status == Return.Status.REFUNDED


def test_the_order_page_does_not_query_more_with_more_returns(
    admin_client, make_order, lamp, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    order = make_order({lamp.pk: 5})
    services.create_invoice(order)
    services.create_shipment(order, ship_all(order))
    url = reverse("admin:orders_order_change", args=[order.pk])
    services.create_return(order, {line(order).pk: 1}, "defective")
    with CaptureQueriesContext(connection) as one:
        assert admin_client.get(url).status_code == 200
    for _ in range(3):
        services.create_return(order, {line(order).pk: 1}, "other")
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = admin_client.get(url)
    assert response.context["can_return"]  # one unit is left


def test_a_refund_leaves_the_units_an_open_return_waits_for_to_the_return(delivered):
    """Crediting units an open return holds — by a partial refund or the full refund — left
    the return unrefundable forever: it could only be rejected, which e-mails the customer
    a rejection. The refund is refused instead, saying which return holds them."""
    ret = services.create_return(delivered, {line(delivered).pk: 1}, "defective")
    with pytest.raises(OrderError, match=f"open return \\({ret.number}\\)"):
        services.refund_order(delivered, reason="Everything")
    with pytest.raises(OrderError, match=f"Only 1 × Lamp can be credited here.*{ret.number}"):
        services.create_credit_note(delivered, {line(delivered).pk: 2}, reason="Both lamps")
    assert not CreditNote.objects.exists()
    assert Order.objects.get(pk=delivered.pk).status != Order.Status.CLOSED
    # The unit no return holds can be credited; the return's unit through the return.
    services.create_credit_note(delivered, {line(delivered).pk: 1}, reason="Scratched")
    services.receive_return(ret, {ret.lines.get().pk: ("as_new", True)})
    services.refund_return(ret)
    ret.refresh_from_db()
    assert ret.status == Return.Status.REFUNDED
    assert CreditNote.objects.filter(invoice__order=delivered).count() == 2


def test_a_return_refunded_before_its_parcel_arrived_is_received_later(delivered, lamp):
    """Refunding on the customer's proof of dispatch is allowed; the parcel that arrives
    afterwards still puts its goods back to stock, once, and the e-mail names the note sent."""
    ret = services.create_return(delivered, {line(delivered).pk: 1}, "withdrawal")
    services.refund_return(ret)
    stock = Product.objects.get(pk=lamp.pk).stock
    return_line = ret.lines.get()
    services.receive_return(ret, {return_line.pk: ("as_new", True)})
    ret.refresh_from_db()
    assert ret.status == Return.Status.REFUNDED and ret.received_at
    assert Product.objects.get(pk=lamp.pk).stock == stock + 1
    sent = written(OutboxEmail.objects.get(template="order_return_received"))
    text = " ".join(sent.body_text.split())
    assert f"already been issued with the credit note {ret.credit_note.number}" in text
    assert "as soon as it is issued" not in text
    with pytest.raises(OrderError, match="cannot be received"):
        services.receive_return(ret, {return_line.pk: ("as_new", True)})
    assert Product.objects.get(pk=lamp.pk).stock == stock + 1


def test_a_returned_gift_card_goes_back_to_stock_once(make_order, product):
    """Goods without shipping (a gift card) returned: the receipt restocks them, the refund
    does not again (it used to count them as never shipped)."""
    card = ProductFactory(price=D("25.00"), tax_rate=D("0.00"), is_giftcard=True, stock=10)
    order = make_order({card.pk: 1, product.pk: 1})
    services.create_invoice(order)
    card_line = order.lines.get(product=card)
    ret = services.create_return(order, {card_line.pk: 1}, "withdrawal")
    services.receive_return(ret, {ret.lines.get().pk: ("as_new", True)})
    assert Product.objects.get(pk=card.pk).stock == 10
    services.refund_return(ret)
    assert Product.objects.get(pk=card.pk).stock == 10


def test_the_backoffice_receives_a_parcel_after_its_refund(admin_client, delivered, lamp):
    ret = services.create_return(delivered, {line(delivered).pk: 1}, "withdrawal")
    services.refund_return(ret)
    detail = reverse("admin:orders_return_change", args=[ret.pk])
    assert 'value="receive"' in admin_client.get(detail).content.decode()
    stock = Product.objects.get(pk=lamp.pk).stock
    return_line = ret.lines.get()
    admin_client.post(
        detail,
        {
            "action": "receive",
            f"condition_{return_line.pk}": "as_new",
            f"stock_{return_line.pk}": "1",
        },
    )
    assert Product.objects.get(pk=lamp.pk).stock == stock + 1
    assert 'value="receive"' not in admin_client.get(detail).content.decode()
