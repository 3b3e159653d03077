"""A withdrawal statement that named no order of its address (a typo in the number, another
e-mail address) was a dead end in the backoffice: staff link it to the order they found, the
statement then counts for that order and the customer gets the acknowledgement (found by a
backoffice walk-through)."""

import pytest
from django.urls import reverse

from orders import services
from orders.aftersales import Withdrawal
from shop.mail import written
from shop.models import OutboxEmail

from .test_withdrawal import shipped

pytestmark = pytest.mark.django_db


def _unmatched(order):
    return services.record_withdrawal(
        name="Erika Mustermann",
        email="erika.private@example.org",  # not the order's address
        order_number=order.number + "9",  # a typo
        items_text="The lamp",
        language="de",
    )


def test_staff_link_the_statement_and_the_customer_is_acknowledged(admin_client, make_order):
    order = shipped(make_order)
    withdrawal = _unmatched(order)
    assert withdrawal.order is None and withdrawal.acknowledged_at is None
    url = reverse("admin:orders_withdrawal_change", args=[withdrawal.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="link_order"' in page and 'href="mailto:erika.private@example.org"' in page

    response = admin_client.post(url, {"link_order": "1", "order_number": order.number})
    assert response.status_code == 302
    withdrawal.refresh_from_db()
    assert withdrawal.order == order and withdrawal.acknowledged_at is not None
    assert withdrawal.period_ends == services.period_end(order) and not withdrawal.is_late
    mail = OutboxEmail.objects.get(template="order_withdrawal_received")
    assert mail.to == [order.email]  # the order's address, in the statement's language
    # about the order it now counts for; the statement quoted in it keeps what was typed
    sent = written(mail)
    assert order.number in sent.subject and order.number + "9" not in sent.subject
    assert order.number + "9" in sent.body_text
    assert order.comments.filter(text__startswith="Withdrawal statement received").exists()
    assert 'name="link_order"' not in admin_client.get(url).content.decode()


def test_an_unknown_number_is_refused_and_changes_nothing(admin_client, make_order):
    order = shipped(make_order)
    withdrawal = _unmatched(order)
    url = reverse("admin:orders_withdrawal_change", args=[withdrawal.pk])
    page = admin_client.post(url, {"link_order": "1", "order_number": "424242"}).content.decode()
    assert "There is no order 424242." in page
    withdrawal.refresh_from_db()
    assert withdrawal.order is None and withdrawal.status == Withdrawal.Status.NEW
    assert not OutboxEmail.objects.filter(template="order_withdrawal_received").exists()


def test_a_linked_statement_is_not_linked_again(make_order):
    order = shipped(make_order)
    withdrawal = _unmatched(order)
    services.link_to_order(withdrawal, order.number)
    with pytest.raises(services.OrderError, match="belongs to an order already"):
        services.link_to_order(withdrawal, order.number)
    assert OutboxEmail.objects.filter(template="order_withdrawal_received").count() == 1
