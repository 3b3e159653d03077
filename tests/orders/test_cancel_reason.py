"""The operator says why an order is canceled: a quick reason, their own words, or both —
all optional. The reason goes into the order's history with "Order canceled."; ticked "Tell
the customer the reason", the cancellation e-mail gives it too (a quick reason in the
customer's words), else the customer does not read it. A reason too long is a form error on
the confirmation page and cancels nothing."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from orders import services
from orders.errors import OrderError
from orders.models import Order, OrderComment
from orders.services.lifecycle import CANCEL_REASON_MAX
from shop.mail import written
from shop.models import OutboxEmail
from tests.factories import ProductFactory, RoleUserFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def lamp(db):
    return ProductFactory(name="Lamp", price=D("30.00"), stock=10)


@pytest.fixture
def order(make_order, prepayment, lamp):
    return make_order({lamp.pk: 2}, payment_method_id=prepayment.pk)


@pytest.fixture
def clerk(client):
    client.force_login(RoleUserFactory(role="Order clerk"))
    return client


def cancel_url(order):
    return reverse("admin:orders_order_cancel", args=[order.pk])


def plain(text):
    return " ".join(text.replace("\xa0", " ").replace("\u202f", " ").split())


def mail(order):
    email = written(OutboxEmail.objects.get(template="order_canceled", to=[order.email]))
    return plain(email.body_text), plain(email.body_html)


def history(order):
    return [plain(c.display_text) for c in OrderComment.objects.filter(order=order, is_event=True)]


def test_the_confirmation_asks_for_the_reason(clerk, order):
    html = clerk.get(cancel_url(order)).content.decode()
    assert "Yes, cancel the order" in html
    for label in ("Customer asked", "Out of stock", "Payment not received", "Suspected fraud"):
        assert label in html
    assert 'name="reason"' in html and f'maxlength="{CANCEL_REASON_MAX}"' in html
    assert "Tell the customer the reason" in html
    checkbox = re.search(r'<input[^>]*name="tell_customer"[^>]*>', html).group(0)
    assert "checked" not in checkbox  # off by default


def test_the_reason_goes_into_the_history_not_to_the_customer(clerk, order, lamp):
    response = clerk.post(
        cancel_url(order),
        {"quick_reason": "out_of_stock", "reason": "Supplier cannot deliver before May."},
    )
    assert response.status_code == 302
    order = Order.objects.get(pk=order.pk)
    assert order.status == Order.Status.CANCELED
    lamp.refresh_from_db()
    assert lamp.stock == 10
    assert (
        "Order canceled. Reason: out of stock. Details: Supplier cannot deliver before May."
        in history(order)
    )
    text, html = mail(order)
    assert "we have canceled your order" in text
    assert "Supplier" not in text and "Supplier" not in html
    assert "Reason" not in text and "out of stock" not in text


def test_told_the_customer_reads_the_reason(clerk, order):
    clerk.post(
        cancel_url(order),
        {
            "quick_reason": "customer_asked",
            "reason": "Called us on 3 March <urgent>.",
            "tell_customer": "on",
        },
    )
    order = Order.objects.get(pk=order.pk)
    assert order.status == Order.Status.CANCELED
    text, html = mail(order)
    assert "Reason: at your request. Called us on 3 March <urgent>." in text
    assert "at your request." in html
    assert "Called us on 3 March &lt;urgent&gt;." in html  # the operator's words, escaped
    (event,) = [e for e in history(order) if e.startswith("Order canceled.")]
    assert event == (
        "Order canceled. Reason: the customer asked for it. Details: Called us on 3 March "
        "<urgent>. The customer was told the reason by e-mail."
    )


def test_own_words_alone_are_the_reason(order):
    services.cancel_order(order, reason="  Duplicate of order 100001.  ", tell_customer=True)
    text, _html = mail(order)
    assert "Reason: Duplicate of order 100001." in text
    assert any(
        e.startswith("Order canceled. Reason: Duplicate of order 100001.") for e in history(order)
    )


def test_no_reason_keeps_the_old_cancellation(order):
    services.cancel_order(order, tell_customer=True)  # nothing to tell
    text, _html = mail(order)
    assert "Reason" not in text
    assert "Order canceled." in history(order)


def test_a_reason_too_long_is_a_form_error_and_cancels_nothing(clerk, order, lamp):
    response = clerk.post(
        cancel_url(order),
        {"reason": "x" * (CANCEL_REASON_MAX + 1), "tell_customer": "on"},
    )
    assert response.status_code == 200  # the confirmation again, with the error
    html = response.content.decode()
    assert f"at most {CANCEL_REASON_MAX} characters" in html
    assert "Yes, cancel the order" in html
    order = Order.objects.get(pk=order.pk)
    assert order.status == Order.Status.PENDING
    lamp.refresh_from_db()
    assert lamp.stock == 8
    assert not OrderComment.objects.filter(order=order, text__startswith="Order canceled").exists()
    assert not OutboxEmail.objects.filter(template="order_canceled").exists()


def test_the_service_refuses_a_reason_too_long_and_an_unknown_quick_reason(order):
    with pytest.raises(OrderError, match=f"at most {CANCEL_REASON_MAX} characters"):
        services.cancel_order(order, reason="x" * (CANCEL_REASON_MAX + 1))
    with pytest.raises(OrderError):
        services.cancel_order(order, quick_reason="bored")
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING


def test_an_unknown_quick_reason_on_the_page_is_a_form_error(clerk, order):
    response = clerk.post(cancel_url(order), {"quick_reason": "bored"})
    assert response.status_code == 200
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING


def test_not_notified_the_reason_stays_in_the_history(order):
    """The erasure cancels without an e-mail: a reason is still recorded, nobody is told."""
    services.cancel_order(order, notify=False, quick_reason="customer_asked", tell_customer=True)
    assert not OutboxEmail.objects.filter(template="order_canceled").exists()
    assert "Order canceled. Reason: the customer asked for it." in history(order)
