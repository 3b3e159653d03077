from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from helpdesk import services
from helpdesk.models import Message, Thread
from shop.models import OutboxEmail
from shop.panels import ACCOUNT_ORDER
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

NOTE = "INTERNAL: customer is known for chargebacks"


@pytest.fixture
def order(make_order, customer):
    return make_order(customer=customer, email=customer.email)


@pytest.fixture
def customer_client(client, customer):
    client.force_login(customer)
    return client


def start_url(order):
    return reverse("helpdesk:order_thread_start", args=[order.number])


def test_customer_starts_thread_from_order(customer_client, order, customer):
    response = customer_client.post(
        start_url(order), {"subject": "Missing item", "text": "The skillet was not in the box."}
    )
    thread = Thread.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("helpdesk:account_thread", args=[thread.pk])
    assert thread.order == order
    assert thread.customer == customer
    assert thread.email == customer.email
    assert thread.status == Thread.Status.REPORTED
    assert thread.messages.get().kind == Message.Kind.CUSTOMER
    # the shop is told
    assert OutboxEmail.objects.filter(template="helpdesk_staff_notice").exists()


def test_start_with_empty_text_changes_nothing(customer_client, order):
    response = customer_client.post(start_url(order), {"subject": "Hi", "text": "   "})
    assert response.status_code == 200
    assert response.context["form"].errors["text"]
    assert not Thread.objects.exists()


def test_only_the_owner_can_start_or_answer(client, order):
    thread = services.start_order_thread(order, order.customer, subject="Q", text="Text")
    other = UserFactory()
    client.force_login(other)
    assert client.post(start_url(order), {"subject": "x", "text": "y"}).status_code == 404
    assert client.get(start_url(order)).status_code == 404
    url = reverse("helpdesk:account_thread", args=[thread.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"text": "hijack"}).status_code == 404
    assert thread.messages.count() == 1
    assert Thread.objects.count() == 1


def test_anonymous_is_sent_to_login(client, order):
    response = client.post(start_url(order), {"subject": "x", "text": "y"})
    assert response.status_code == 302
    assert reverse("customers:login") in response.url
    assert not Thread.objects.exists()


def test_service_refuses_foreign_order(order):
    with pytest.raises(services.HelpdeskError):
        services.start_order_thread(order, UserFactory(), subject="x", text="y")


def test_status_follows_the_conversation(customer_client, order, customer):
    staff = StaffFactory()
    thread = services.start_order_thread(order, customer, subject="Q", text="Question")
    assert thread.status == Thread.Status.REPORTED

    services.operator_reply(thread, staff, "Answer")
    thread.refresh_from_db()
    assert thread.status == Thread.Status.OPERATOR_REPLIED

    services.add_note(thread, staff, "just a note")
    thread.refresh_from_db()
    assert thread.status == Thread.Status.OPERATOR_REPLIED

    url = reverse("helpdesk:account_thread", args=[thread.pk])
    response = customer_client.post(url, {"text": "Thanks, one more question"})
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.status == Thread.Status.CUSTOMER_REPLIED

    services.set_status(thread, Thread.Status.CLOSED, staff)
    thread.refresh_from_db()
    assert thread.status == Thread.Status.CLOSED
    with pytest.raises(services.HelpdeskError):
        services.set_status(thread, "bogus", staff)


def test_notes_never_reach_the_customer(customer_client, order, customer):
    staff = StaffFactory()
    thread = services.start_order_thread(order, customer, subject="Q", text="Question")
    services.add_note(thread, staff, NOTE)
    services.operator_reply(thread, staff, "Your parcel left today.")

    page = customer_client.get(reverse("helpdesk:account_thread", args=[thread.pk]))
    html = page.content.decode()
    assert "Your parcel left today." in html
    assert NOTE not in html

    # the order-page panel as well
    request = RequestFactory().get("/")
    request.user = customer
    panel = ACCOUNT_ORDER.render(request, order)
    assert "Your parcel left today." in panel
    assert NOTE not in panel

    # and no e-mail to anyone but staff notices carries it; nothing to the customer at all
    for email in OutboxEmail.objects.all():
        assert NOTE not in email.body_text
        assert NOTE not in email.body_html
    assert OutboxEmail.objects.filter(template="helpdesk_reply", to=[customer.email]).count() == 1


def test_reply_email_link_opens_the_right_reply(customer_client, order, customer):
    staff = StaffFactory()
    thread = services.start_order_thread(order, customer, subject="Q", text="Question")
    services.operator_reply(thread, staff, "First answer")
    second = services.operator_reply(thread, staff, "Second answer")
    email = OutboxEmail.objects.filter(template="helpdesk_reply").order_by("pk").last()
    link = next(line for line in email.body_text.splitlines() if "/helpdesk/" in line).strip()
    assert link.endswith(f"#m{second.pk}")
    assert f"[#T-{thread.token}]" in email.subject
    assert "Second answer" not in email.body_text  # the answer is read on the shop page
    path = link.split("127.0.0.1:8000", 1)[-1].split("#")[0]
    html = customer_client.get(path).content.decode()
    assert f'id="m{second.pk}"' in html
    assert "Second answer" in html
    # the link needs the owner
    customer_client.force_login(UserFactory())
    assert customer_client.get(path).status_code == 404


def test_order_panel_is_only_for_the_owner(order, customer):
    request = RequestFactory().get("/")
    request.user = UserFactory()
    assert ACCOUNT_ORDER.render(request, order) == ""
    request.user = customer
    html = ACCOUNT_ORDER.render(request, order)
    assert start_url(order) in html


def test_guest_signed_link_shows_thread_and_accepts_answer(client):
    from tests.helpdesk.factories import ContactTopicFactory

    topic = ContactTopicFactory()
    thread = services.create_contact_request(
        topic_id=topic.pk, name="G", email="guest@example.com", subject="Hello", text="Q?"
    )
    staff = StaffFactory()
    services.add_note(thread, staff, NOTE)
    services.operator_reply(thread, staff, "Guest answer")
    path = thread.get_absolute_url()
    assert path.startswith("/helpdesk/t/")
    html = client.get(path).content.decode()
    assert "Guest answer" in html and NOTE not in html
    response = client.post(path, {"text": "Thanks!"})
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.status == Thread.Status.CUSTOMER_REPLIED


@pytest.mark.parametrize(
    "tamper",
    [
        lambda v: v[:-1] + ("A" if v[-1] != "A" else "B"),  # signature altered
        lambda v: "ZZZZZZZZZZZZ:" + v.split(":", 1)[1],  # other token, old signature
        lambda v: v.split(":", 1)[0],  # token without signature
    ],
)
def test_tampered_guest_link_is_404(client, tamper):
    thread = Thread.objects.create(subject="S", email="g@example.com")
    signed = thread.get_absolute_url().rstrip("/").rsplit("/", 1)[-1]
    response = client.get(reverse("helpdesk:guest_thread", args=[tamper(signed)]))
    assert response.status_code == 404


def test_a_question_or_an_answer_sent_twice_is_one(customer_client, order, customer):
    """A double click on "Send" made two threads (two staff notices), or two answers (an
    audit): the same text sent again within ten minutes is the one sent before."""
    data = {"subject": "Missing item", "text": "The skillet was not in the box."}
    first = customer_client.post(start_url(order), data)
    again = customer_client.post(start_url(order), data)
    thread = Thread.objects.get()
    assert first.url == again.url == reverse("helpdesk:account_thread", args=[thread.pk])
    assert OutboxEmail.objects.filter(template="helpdesk_staff_notice").count() == 1
    url = reverse("helpdesk:account_thread", args=[thread.pk])
    for _click in range(2):
        customer_client.post(url, {"text": "Any news?"})
    assert thread.messages.filter(kind=Message.Kind.CUSTOMER).count() == 2
    # another question is another thread, the same words later another answer
    customer_client.post(start_url(order), {**data, "text": "And the lid is missing."})
    assert Thread.objects.count() == 2
    Message.objects.filter(thread=thread).update(created=timezone.now() - timedelta(minutes=11))
    customer_client.post(url, {"text": "Any news?"})
    assert thread.messages.filter(kind=Message.Kind.CUSTOMER).count() == 3
