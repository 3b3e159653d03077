"""Forwarding follows the conversation (issue 24 items 1 and 2): a customer's answer on a
forwarded thread reaches the department, which keeps the thread; access follows the current
forwarding only."""

import pytest
from django.urls import reverse

from helpdesk import services
from helpdesk.models import Thread
from shop.models import OutboxEmail
from tests.factories import RoleUserFactory
from tests.helpdesk.factories import ContactTopicFactory, ThreadFactory

pytestmark = pytest.mark.django_db


def change_url(thread):
    return reverse("admin:helpdesk_thread_change", args=[thread.pk])


@pytest.fixture
def topic():
    return ContactTopicFactory(recipient_email="service@shop.example")


@pytest.fixture
def marketing():
    return RoleUserFactory(role="Marketing", email="mara@shop.example")


@pytest.fixture
def sales():
    return RoleUserFactory(role="Sales", email="sam@shop.example")


def test_customer_reply_on_forwarded_thread_reaches_the_department_and_keeps_it(topic, marketing):
    thread = ThreadFactory(topic=topic, email="cust@example.com")
    services.set_status(thread, Thread.Status.FORWARDED_MARKETING)
    OutboxEmail.objects.all().delete()

    services.customer_reply(thread, "Any news about the discount?")

    thread.refresh_from_db()
    assert thread.status == Thread.Status.CUSTOMER_REPLIED
    assert thread.forwarded_to == Thread.Status.FORWARDED_MARKETING  # the marker stays
    assert thread.department == "Marketing"
    notice = OutboxEmail.objects.get(template="helpdesk_staff_notice")
    assert notice.to == ["mara@shop.example"]  # the department, not the service address
    assert "forwarded to Marketing" in notice.body_text
    assert marketing.has_perm("helpdesk.change_thread", thread)


def test_department_still_opens_and_lists_the_thread_after_the_customer_answered(
    client, topic, marketing
):
    thread = ThreadFactory(topic=topic, subject="Coupon for my club")
    services.set_status(thread, Thread.Status.FORWARDED_MARKETING)
    services.customer_reply(thread, "Hello again")
    client.force_login(marketing)
    assert client.get(change_url(thread)).status_code == 200
    listing = client.get(reverse("admin:helpdesk_thread_changelist")).content.decode()
    assert "Coupon for my club" in listing and "Forwarded to Marketing" in listing


def test_reforward_and_close_take_access_back(client, topic, marketing, sales):
    thread = ThreadFactory(topic=topic)
    services.set_status(thread, Thread.Status.FORWARDED_MARKETING)
    services.set_status(thread, Thread.Status.FORWARDED_SALES)
    thread.refresh_from_db()
    assert thread.forwarded_to == Thread.Status.FORWARDED_SALES

    client.force_login(marketing)
    assert client.get(change_url(thread)).status_code != 200
    assert (
        thread.subject
        not in client.get(reverse("admin:helpdesk_thread_changelist")).content.decode()
    )
    client.force_login(sales)
    assert client.get(change_url(thread)).status_code == 200

    services.set_status(thread, Thread.Status.CLOSED)
    thread.refresh_from_db()
    assert thread.forwarded_to == "" and thread.department is None
    for user in (marketing, sales):
        client.force_login(user)
        assert client.get(change_url(thread)).status_code != 200
        fresh = type(user).objects.get(pk=user.pk)  # no cached permissions
        assert not fresh.has_perm("helpdesk.view_thread", thread)


def test_closed_thread_reopened_by_the_customer_goes_to_the_service_address(topic, marketing):
    thread = ThreadFactory(topic=topic)
    services.set_status(thread, Thread.Status.FORWARDED_MARKETING)
    services.set_status(thread, Thread.Status.CLOSED)
    OutboxEmail.objects.all().delete()
    services.customer_reply(thread, "One more question")
    assert OutboxEmail.objects.get(template="helpdesk_staff_notice").to == ["service@shop.example"]


def test_reforwarding_drops_an_assignee_who_loses_access(topic, marketing, sales):
    thread = ThreadFactory(topic=topic)
    services.set_status(thread, Thread.Status.FORWARDED_MARKETING)
    services.assign([thread], marketing, marketing)
    services.set_status(thread, Thread.Status.FORWARDED_SALES)
    thread.refresh_from_db()
    assert thread.assignee is None


def test_operator_reply_keeps_the_forwarding(topic, marketing):
    thread = ThreadFactory(topic=topic)
    services.set_status(thread, Thread.Status.FORWARDED_MARKETING)
    services.operator_reply(thread, marketing, "We will send you a code.")
    thread.refresh_from_db()
    assert thread.status == Thread.Status.OPERATOR_REPLIED
    assert thread.forwarded_to == Thread.Status.FORWARDED_MARKETING


def test_the_department_is_named_in_the_readers_language(client, topic, marketing):
    """The role group's name is data in English; the thread page and the staff notice name
    the department in the staff member's language."""
    marketing.language = "pl"
    marketing.save(update_fields=["language"])
    thread = ThreadFactory(topic=topic, email="cust@example.com")
    services.set_status(thread, Thread.Status.FORWARDED_MARKETING)
    OutboxEmail.objects.all().delete()
    services.customer_reply(thread, "Any news?")
    notice = OutboxEmail.objects.get(template="helpdesk_staff_notice")
    assert "Ten wątek jest przekazany do: Dział marketingu." in notice.body_text

    client.force_login(marketing)
    page = client.get(change_url(thread)).content.decode()
    assert "<dd>Dział marketingu</dd>" in page

    services.set_status(thread, Thread.Status.FORWARDED_PAYMENTS)
    manager = RoleUserFactory(role="Shop manager", email="boss@shop.example", language="de")
    client.force_login(manager)
    page = client.get(change_url(thread)).content.decode()
    assert "<dd>Zahlungsabteilung</dd>" in page and "<dd>Payments</dd>" not in page
