"""A new shop has no contact topics of its own: the contact form asks for none and the request
goes to the shop's contact e-mail (an operator's set-up audit could not send the form: a
required topic with nothing to choose). A topic without its own recipient follows the contact
e-mail of the shop settings, whatever it is changed to."""

import pytest
from django.urls import reverse

from helpdesk.models import ContactTopic, Thread
from shop.models import OutboxEmail, ShopSettings

from .factories import ContactTopicFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]
URL = reverse("helpdesk:contact")


def post(client, **extra):
    data = {
        "name": "Erika Muster",
        "email": "erika@example.com",
        "subject": "Where is my parcel?",
        "message": "I ordered last week.",
        **extra,
    }
    return client.post(URL, data)


def set_contact_email(address):
    shop = ShopSettings.load()
    shop.contact_email = address
    shop.save()


def test_without_topics_the_form_asks_for_none_and_the_shop_gets_the_request(client):
    assert not ContactTopic.objects.on_contact_form().exists()
    set_contact_email("hallo@mein-laden.example")
    page = client.get(URL).content.decode()
    assert 'name="topic"' not in page and "Choose a topic" not in page
    assert post(client).status_code == 302
    thread = Thread.objects.get()
    assert thread.topic is None and thread.subject == "Where is my parcel?"
    to_team = OutboxEmail.objects.get(template="helpdesk_contact_request")
    assert to_team.to == ["hallo@mein-laden.example"]
    assert to_team.subject.startswith("Where is my parcel?")  # no "[topic]" prefix


def test_with_topics_one_must_still_be_chosen(client):
    ContactTopicFactory(name="Returns")
    response = post(client)
    assert response.status_code == 200 and not Thread.objects.exists()


def test_a_topic_without_its_own_recipient_follows_the_contact_email(client):
    topic = ContactTopicFactory(name="Returns", recipient_email="")
    set_contact_email("neu@mein-laden.example")
    assert post(client, topic=topic.pk).status_code == 302
    assert OutboxEmail.objects.get(template="helpdesk_contact_request").to == [
        "neu@mein-laden.example"
    ]
