import pytest
from django.core.cache import cache
from django.urls import reverse

from helpdesk.models import Message, Thread
from shop.models import OutboxEmail
from tests.helpdesk.factories import ContactTopicFactory

pytestmark = pytest.mark.django_db

URL = "/contact/"


@pytest.fixture(autouse=True)
def _clear_throttle():
    cache.clear()
    yield
    cache.clear()


def form_data(topic_obj, **overrides):
    data = {
        "name": "Erika Mustermann",
        "email": "erika@example.com",
        "topic": topic_obj.pk,
        "subject": "Where is my parcel?",
        "message": "I ordered last week & it has not arrived.",
        "order_number": "",
        "website": "",
    }
    data.update(overrides)
    return data


def test_contact_url_name():
    assert reverse("helpdesk:contact") == URL


def test_page_lists_only_active_topics_in_order(client):
    ContactTopicFactory(name="Zeta returns", position=2)
    ContactTopicFactory(name="Alpha delivery", position=1)
    ContactTopicFactory(name="Hidden wholesale", position=0, is_active=False)
    html = client.get(URL).content.decode()
    assert "Hidden wholesale" not in html
    assert html.index("Alpha delivery") < html.index("Zeta returns")


def test_request_is_routed_to_topic_recipient_and_becomes_thread(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    ContactTopicFactory(name="Other", recipient_email="other@example.com")
    topic = ContactTopicFactory(name="Returns", recipient_email="returns@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, form_data(topic))
    assert response.status_code == 302
    thread = Thread.objects.get()
    assert thread.topic == topic
    assert thread.order is None
    assert thread.status == Thread.Status.REPORTED
    assert thread.email == "erika@example.com"
    assert thread.messages.get().text == "I ordered last week & it has not arrived."

    to_team = OutboxEmail.objects.get(template="helpdesk_contact_request")
    assert to_team.to == ["returns@example.com"]
    assert to_team.reply_to == ["erika@example.com"]
    assert "I ordered last week & it has not arrived." in to_team.body_text
    assert f"[#T-{thread.token}]" in to_team.subject

    confirmation = OutboxEmail.objects.get(template="helpdesk_contact_confirmation")
    assert confirmation.to == ["erika@example.com"]
    assert thread.get_absolute_url() in confirmation.body_text
    sent = {tuple(m.to): m for m in mailoutbox}
    assert sent[("returns@example.com",)].reply_to == ["erika@example.com"]
    assert ("erika@example.com",) in sent


def test_confirmation_link_opens_the_thread(client):
    topic = ContactTopicFactory()
    client.post(URL, form_data(topic))
    thread = Thread.objects.get()
    body = OutboxEmail.objects.get(template="helpdesk_contact_confirmation").body_text
    path = next(line for line in body.splitlines() if "/helpdesk/t/" in line)
    path = path[path.index("/helpdesk/t/") :].strip()
    response = client.get(path)
    assert response.status_code == 200
    assert thread.subject in response.content.decode()


@pytest.mark.parametrize("topic_value", ["inactive", "unknown", ""])
def test_inactive_or_unknown_topic_is_a_form_error(client, topic_value):
    ContactTopicFactory()  # the shop offers topics (without any, none is asked for)
    inactive = ContactTopicFactory(is_active=False)
    value = {"inactive": inactive.pk, "unknown": 999999, "": ""}[topic_value]
    response = client.post(URL, form_data(inactive, topic=value))
    assert response.status_code == 200
    assert response.context["form"].errors["topic"]
    assert not Thread.objects.exists()
    assert not OutboxEmail.objects.exists()


def test_topic_deactivated_after_page_load_is_refused_by_service():
    from helpdesk.services import HelpdeskError, create_contact_request

    topic = ContactTopicFactory(is_active=False)
    with pytest.raises(HelpdeskError) as exc:
        create_contact_request(
            topic_id=topic.pk, name="A", email="a@example.com", subject="S", text="T"
        )
    assert exc.value.field == "topic"
    assert not Thread.objects.exists()


def test_honeypot_accepts_silently_and_stores_nothing(client):
    topic = ContactTopicFactory()
    response = client.post(URL, form_data(topic, website="http://spam.example"), follow=True)
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    assert not Thread.objects.exists()
    assert not Message.objects.exists()
    assert not OutboxEmail.objects.exists()


def test_throttle_after_five_requests_per_hour(client):
    topic = ContactTopicFactory()
    for i in range(5):
        assert client.post(URL, form_data(topic, subject=f"Q{i}")).status_code == 302
    response = client.post(URL, form_data(topic, subject="one too many"))
    assert response.status_code == 200
    assert "several requests in a short time" in response.content.decode()
    assert Thread.objects.count() == 5
    assert not Thread.objects.filter(subject="one too many").exists()
    # another address is not affected
    other = client.post(URL, form_data(topic, subject="other ip"), REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 302


def test_order_number_links_only_the_senders_own_order(client, make_order):
    topic = ContactTopicFactory()
    order = make_order(email="erika@example.com")
    response = client.post(URL, form_data(topic, order_number=order.number))
    assert response.status_code == 302
    assert Thread.objects.get().order == order

    stranger = client.post(
        URL, form_data(topic, email="mallory@example.com", order_number=order.number)
    )
    assert stranger.status_code == 200
    assert stranger.context["form"].errors["order_number"]
    assert Thread.objects.count() == 1


def test_missing_fields_are_form_errors(client):
    topic = ContactTopicFactory()
    response = client.post(URL, form_data(topic, email="not-an-email", message=""))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "email" in errors and "message" in errors
    assert not Thread.objects.exists()


def test_the_same_request_sent_twice_is_one(client):
    """A double click on the contact form made two threads and e-mailed both twice."""
    topic_obj = ContactTopicFactory()
    for _click in range(2):
        assert client.post(URL, form_data(topic_obj)).status_code == 302
    assert Thread.objects.count() == 1
    assert OutboxEmail.objects.filter(template="helpdesk_contact_confirmation").count() == 1
    client.post(URL, form_data(topic_obj, message="Another question."))
    assert Thread.objects.count() == 2
