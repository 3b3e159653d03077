"""The customer's pages say what the customer waits for, not the staff's status: "Customer
replied" read "Kunden har svaret" to a Danish customer who had just written (found by a
storefront walk-through)."""

import pytest
from django.urls import reverse
from django.utils import translation

from helpdesk.models import Thread
from tests.factories import UserFactory
from tests.helpdesk.factories import ThreadFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        (Thread.Status.REPORTED, "Waiting for our answer"),
        (Thread.Status.CUSTOMER_REPLIED, "Waiting for our answer"),
        (Thread.Status.FORWARDED_SALES, "Waiting for our answer"),
        (Thread.Status.OPERATOR_REPLIED, "Answered"),
        (Thread.Status.CLOSED, "Closed"),
    ],
)
def test_the_customers_pages_show_the_customers_status(client, status, shown):
    customer = UserFactory()
    thread = ThreadFactory(customer=customer, email=customer.email, status=status)
    client.force_login(customer)
    page = client.get(reverse("helpdesk:account_thread", args=[thread.pk])).content.decode()
    assert f'<span class="status">{shown}</span>' in page
    assert thread.get_status_display() not in page or thread.get_status_display() == shown


def test_in_danish():
    thread = ThreadFactory(status=Thread.Status.CUSTOMER_REPLIED)
    with translation.override("da"):
        assert str(thread.customer_status) == "Afventer vores svar"
