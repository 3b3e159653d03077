"""Backoffice order screens through the admin client: list, filters, detail, the lifecycle
buttons (illegal ones end as a message with nothing changed), invoice and shipment pages."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from orders import services
from orders.models import Invoice, Order, Shipment
from shop.models import OutboxEmail
from tests.factories import RoleUserFactory, StaffFactory
from tests.formtokens import fresh, page_token

from .factories import ship_all

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:orders_order_changelist"


def detail(order):
    return reverse("admin:orders_order_change", args=[order.pk])


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def reload(order):
    return Order.objects.get(pk=order.pk)


def test_order_list_query_count_does_not_grow_with_page_size(
    admin_client, make_order, django_assert_max_num_queries, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(5):
        make_order()
    with CaptureQueriesContext(connection) as small:
        response = admin_client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    for _ in range(45):
        make_order()
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = admin_client.get(reverse(CHANGELIST))
    assert len(response.context["cl"].result_list) == 50


def test_order_list_columns_filters_and_search(admin_client, make_order):
    erika = make_order()
    max_ = make_order(email="max@example.com", billing={**_billing(), "last_name": "Power"})
    services.create_invoice(max_)
    response = admin_client.get(reverse(CHANGELIST), {"status__exact": "pending"})
    shown = [o.pk for o in response.context["cl"].result_list]
    assert shown == [erika.pk]
    content = response.content.decode()
    assert erika.number in content and "erika@example.com" in content
    response = admin_client.get(reverse(CHANGELIST), {"q": "Power"})
    assert [o.pk for o in response.context["cl"].result_list] == [max_.pk]
    response = admin_client.get(reverse(CHANGELIST), {"q": "max@example"})
    assert [o.pk for o in response.context["cl"].result_list] == [max_.pk]
    response = admin_client.get(reverse(CHANGELIST), {"payment_status__exact": "paid"})
    assert [o.pk for o in response.context["cl"].result_list] == [max_.pk]


def test_order_list_status_labels_in_the_staff_language_and_unknown_values_as_they_are(
    client, make_order
):
    order, legacy = make_order(), make_order()
    Order.objects.filter(pk=legacy.pk).update(status="on_hold")  # a status no longer offered
    client.force_login(StaffFactory(is_superuser=True, language="de"))
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    content = response.content.decode()
    labels = (Order.Status(order.status).label, Order.PaymentStatus(order.payment_status).label)
    for label in labels:
        with translation.override("de"):
            german = str(label)
        with translation.override("en"):
            assert german != str(label)  # translated
        assert f">{german}</span>" in content
    assert '<span class="order-status on_hold">on_hold</span>' in content


def test_date_range_filter_is_inclusive(admin_client, make_order):
    old, new = make_order(), make_order()
    Order.objects.filter(pk=old.pk).update(created=timezone.now() - timedelta(days=10))
    today = timezone.localdate()
    url = reverse(CHANGELIST)
    r = admin_client.get(url, {"created_from": str(today - timedelta(days=3))})
    assert [o.pk for o in r.context["cl"].result_list] == [new.pk]
    r = admin_client.get(url, {"created_to": str(today - timedelta(days=10))})
    assert [o.pk for o in r.context["cl"].result_list] == [old.pk]
    r = admin_client.get(
        url, {"created_from": str(today - timedelta(days=11)), "created_to": str(today)}
    )
    assert len(r.context["cl"].result_list) == 2
    # A typo is said and ignored; the list still shows (it was Django's bare "?e=1" page).
    r = admin_client.get(url, {"created_from": "32.13.2026"})
    assert r.status_code == 200 and len(r.context["cl"].result_list) == 2
    assert "“32.13.2026” is not a date" in r.content.decode()


def test_detail_page_shows_everything_and_panels(admin_client, make_order):
    order = make_order()
    services.create_invoice(order)
    services.create_shipment(order, ship_all(order), [("dhl", "00340434")])
    services.add_comment(order, "Gift wrap please", visible_to_customer=True)
    response = admin_client.get(detail(order))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        order.number,
        order.invoice.number,
        f"{order.number}-1",
        "00340434",
        "Gift wrap please",
        "Musterstraße 1",
        "Credit card",
        str(order.grand_total),
    ):
        assert text in html
    assert "Mark as paid" not in html  # card was captured on invoicing
    assert "Refund" in html


def test_invoice_button_creates_invoice_without_email(admin_client, make_order, invoice_payment):
    order = make_order(payment_method_id=invoice_payment.pk)
    url = reverse("admin:orders_order_invoice", args=[order.pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"comment": "Payable within 14 days"}, follow=True)
    invoice = Invoice.objects.get(order=order)
    assert response.redirect_chain[-1][0] == reverse(
        "admin:orders_invoice_change", args=[invoice.pk]
    )
    assert invoice.comment == "Payable within 14 days"
    assert reload(order).status == Order.Status.PROCESSING
    assert not OutboxEmail.objects.filter(template="order_invoice").exists()
    # a second click is refused with a message, nothing changes
    response = admin_client.post(url, {"comment": ""}, follow=True)
    assert any("already been invoiced" in m for m in messages_of(response))
    assert Invoice.objects.count() == 1


def test_invoice_page_send_and_print(admin_client, make_order):
    order = make_order()
    invoice = services.create_invoice(order)
    page = admin_client.get(reverse("admin:orders_invoice_change", args=[invoice.pk]))
    assert page.status_code == 200 and b"Send by e-mail" in page.content
    response = admin_client.get(reverse("admin:orders_invoice_pdf", args=[invoice.pk]))
    assert response["Content-Type"] == "application/pdf"
    response = admin_client.post(
        reverse("admin:orders_invoice_send", args=[invoice.pk]),
        {"form_token": page_token(page)},
        follow=True,
    )
    assert any("being e-mailed" in m for m in messages_of(response))
    mail = OutboxEmail.objects.get(template="order_invoice")
    assert mail.attachments[0]["generator"] == "orders.pdf.invoice_pdf_bytes"


def test_ship_button_with_tracking_and_partial_quantities(admin_client, make_order, product):
    order = make_order({product.pk: 3})
    line = order.lines.get()
    url = reverse("admin:orders_order_ship", args=[order.pk])
    sent = {
        f"qty_{line.pk}": "2",
        "carrier": ["dhl", "dpd", ""],
        "tracking_number": ["0034", "0199", ""],
        "form_token": page_token(admin_client.get(url)),
    }
    response = admin_client.post(url, sent, follow=True)
    shipment = Shipment.objects.get(order=order)
    assert response.redirect_chain[-1][0] == reverse(
        "admin:orders_shipment_change", args=[shipment.pk]
    )
    # the same page sent again (a double click) ships nothing more: it shipped 2 more units
    # of the 3, for one parcel
    again = admin_client.post(url, sent)
    assert again["Location"] == reverse("admin:orders_shipment_change", args=[shipment.pk])
    # a page without its token (a script) ships nothing
    admin_client.post(url, {k: v for k, v in sent.items() if k != "form_token"})
    assert Shipment.objects.filter(order=order).count() == 1
    assert [(t.carrier, t.number) for t in shipment.tracking.all()] == [
        ("dhl", "0034"),
        ("dpd", "0199"),
    ]
    assert shipment.lines.get().quantity == 2
    assert reload(order).status == Order.Status.PROCESSING
    # shipping more than is left: message, form again, nothing created
    response = admin_client.post(url, fresh({f"qty_{line.pk}": "5"}))
    assert response.status_code == 200
    assert any("Only 1" in m for m in messages_of(response))
    assert Shipment.objects.count() == 1


def test_shipment_page_send_tracking_and_packing_slip(admin_client, make_order):
    order = make_order()
    shipment = services.create_shipment(order, ship_all(order), [("gls", "GLS123")])
    page = admin_client.get(reverse("admin:orders_shipment_change", args=[shipment.pk]))
    assert b"Send tracking information" in page.content
    pdf = admin_client.get(reverse("admin:orders_shipment_pdf", args=[shipment.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert not OutboxEmail.objects.filter(template="order_tracking").exists()
    send = reverse("admin:orders_shipment_send_tracking", args=[shipment.pk])
    token = page_token(page)
    admin_client.post(send, {"form_token": token})
    assert OutboxEmail.objects.filter(template="order_tracking", to=[order.email]).exists()
    # the page sent again (a double click) e-mails nothing more; without a token: nothing
    admin_client.post(send, {"form_token": token})
    admin_client.post(send)
    assert OutboxEmail.objects.filter(template="order_tracking").count() == 1


def test_the_invoice_is_e_mailed_once_per_page(admin_client, make_order):
    """A double click on "Send by e-mail" sent the invoice and its PDF twice (an audit)."""
    order = make_order()
    invoice = services.create_invoice(order)
    page = admin_client.get(reverse("admin:orders_invoice_change", args=[invoice.pk]))
    send = reverse("admin:orders_invoice_send", args=[invoice.pk])
    before = OutboxEmail.objects.filter(template="order_invoice").count()
    for _click in range(2):
        admin_client.post(send, {"form_token": page_token(page)})
    assert OutboxEmail.objects.filter(template="order_invoice").count() == before + 1
    # a new view of the page sends again, on purpose
    again = admin_client.get(reverse("admin:orders_invoice_change", args=[invoice.pk]))
    admin_client.post(send, {"form_token": page_token(again)})
    assert OutboxEmail.objects.filter(template="order_invoice").count() == before + 2


def test_mark_paid_and_cancel_buttons(admin_client, make_order, invoice_payment):
    order = make_order(payment_method_id=invoice_payment.pk)
    response = admin_client.post(
        reverse("admin:orders_order_mark_paid", args=[order.pk]), fresh({}), follow=True
    )
    assert any("marked as paid" in m for m in messages_of(response))
    assert reload(order).payment_status == Order.PaymentStatus.PAID
    confirm = admin_client.get(reverse("admin:orders_order_cancel", args=[order.pk]))
    assert confirm.status_code == 200 and b"will be canceled" in confirm.content
    assert reload(order).status == Order.Status.PENDING  # GET changes nothing
    admin_client.post(reverse("admin:orders_order_cancel", args=[order.pk]))
    order = reload(order)
    assert order.status == Order.Status.CANCELED
    # not "Refunded" before the money is paid back (tests/orders/test_cancellation_payout.py)
    assert order.payment_status == Order.PaymentStatus.REFUND_PENDING


@pytest.mark.parametrize("action", ["cancel", "mark_paid", "refund"])
def test_illegal_button_shows_message_and_changes_nothing(admin_client, make_order, action):
    order = make_order()
    services.create_shipment(order, ship_all(order))
    if action == "mark_paid":
        services.create_invoice(order)
        services.refund_order(order)
    before = reload(order)
    response = admin_client.post(
        reverse(f"admin:orders_order_{action}", args=[order.pk]), follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == detail(order)
    msgs = [(m.level_tag, str(m)) for m in response.context["messages"]]
    assert msgs and msgs[0][0] == "error"
    after = reload(order)
    assert (after.status, after.payment_status) == (before.status, before.payment_status)


def test_comment_form_adds_and_notifies(admin_client, make_order):
    order = make_order()
    response = admin_client.post(
        detail(order),
        {"text": "Delayed by one day", "visible_to_customer": "on", "notify_customer": "on"},
        follow=True,
    )
    assert any("e-mailed" in m for m in messages_of(response))
    comment = order.comments.get(is_event=False)
    assert comment.visible_to_customer and comment.customer_notified
    assert OutboxEmail.objects.filter(template="order_comment").count() == 1
    response = admin_client.post(detail(order), {"text": ""})
    assert response.status_code == 200
    assert order.comments.filter(is_event=False).count() == 1
    # the same comment sent again (a double click) is the one sent: no second e-mail
    admin_client.post(
        detail(order),
        {"text": "Delayed by one day", "visible_to_customer": "on", "notify_customer": "on"},
    )
    assert order.comments.filter(is_event=False).count() == 1
    assert OutboxEmail.objects.filter(template="order_comment").count() == 1
    admin_client.post(detail(order), {"text": "Delayed by one day"})  # another: internal
    assert order.comments.filter(is_event=False).count() == 2


def test_view_only_role_sees_the_order_but_cannot_act(client, make_order):
    client.force_login(RoleUserFactory(role="Support"))
    order = make_order()
    assert client.get(detail(order)).status_code == 200
    assert b"Mark as paid" not in client.get(detail(order)).content
    response = client.post(reverse("admin:orders_order_invoice", args=[order.pk]))
    assert response.status_code == 403
    response = client.post(reverse("admin:orders_order_cancel", args=[order.pk]))
    assert response.status_code == 403
    assert reload(order).status == Order.Status.PENDING


def test_feed_token_page_regenerates_and_revokes(admin_client, staff):
    url = reverse("admin:orders_order_feed_token")
    assert admin_client.get(url).status_code == 200
    admin_client.post(url, {"action": "regenerate"})
    first = staff.order_feed_token.token
    admin_client.post(url, {"action": "regenerate"})
    staff.refresh_from_db()
    second = staff.order_feed_token.token
    assert first != second
    page = admin_client.get(url)
    assert second in page.content.decode()
    admin_client.post(url, {"action": "revoke"})
    staff.refresh_from_db()
    from orders.models import FeedToken

    assert not FeedToken.objects.filter(user=staff).exists()


def _billing():
    from tests.conftest import BILLING

    return dict(BILLING)
