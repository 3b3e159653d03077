"""Canned replies per language with placeholders (issue 24 item 7), translated with
django-modeltranslation: every language edited on one backoffice page."""

import json
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import translation

from helpdesk import services
from helpdesk.errors import HelpdeskError
from helpdesk.models import CannedReply, ContactTopic
from orders import services as order_services
from tests.helpdesk.factories import ThreadFactory
from tests.orders.factories import ship_all

pytestmark = pytest.mark.django_db

ADD = "/backoffice/helpdesk/cannedreply/add/"


def canned(**texts):
    reply = CannedReply(title_en="Shipped", **{f"text_{k}": v for k, v in texts.items()})
    reply.full_clean()
    reply.save()
    return reply


@pytest.fixture
def shipped_order(make_order, customer):
    order = make_order(customer=customer, email=customer.email)
    order_services.create_shipment(order, ship_all(order), tracking=[("dhl", "00340434161094")])
    return order


def change_url(thread):
    return reverse("admin:helpdesk_thread_change", args=[thread.pk])


def test_thread_language_picks_the_text_and_placeholders_are_filled(shipped_order):
    reply = canned(
        en="Hello {customer_name}, order {order_number} is on its way: {tracking_link}",
        de="Hallo {customer_name}, Ihre Bestellung {order_number} ist unterwegs: {tracking_link}",
    )
    thread = ThreadFactory(order=shipped_order, name="Erika Mustermann", language="de")
    text = services.canned_reply_text(reply, thread)
    assert text == (
        f"Hallo Erika Mustermann, Ihre Bestellung {shipped_order.number} ist unterwegs: "
        "https://www.dhl.de/de/privatkunden/pakete-empfangen/verfolgen.html?piececode="
        "00340434161094"
    )
    thread.language = "pl"  # no Polish text: the shop's default language
    assert services.canned_reply_text(reply, thread).startswith("Hello Erika Mustermann, order")


def test_missing_values_stay_visible_and_block_sending(staff):
    reply = canned(en="Order {order_number}: {tracking_link}")
    thread = ThreadFactory(order=None)
    text = services.canned_reply_text(reply, thread)
    assert text == "Order {order_number}: {tracking_link}"
    with pytest.raises(HelpdeskError, match=r"still contains \{order_number\}, \{tracking_link\}"):
        services.operator_reply(thread, staff, text)
    assert not thread.messages.exists()


def test_values_are_inserted_once_and_never_expanded_again():
    reply = canned(en="Dear {customer_name}")
    thread = ThreadFactory(name="{order_number} <script>alert(1)</script>")
    assert services.canned_reply_text(reply, thread) == (
        "Dear {order_number} <script>alert(1)</script>"
    )


def test_unknown_placeholder_is_refused_at_save_in_every_language(admin_client):
    data = {
        "title_en": "Typo",
        "text_en": "Your order {order_no}",
        "text_de": "Ihre Bestellung {bestellnummer}",
        "is_active": "on",
        "position": "0",
    }
    response = admin_client.post(ADD, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "Unknown placeholder {order_no}" in errors["text_en"][0]
    assert "Unknown placeholder {bestellnummer}" in errors["text_de"][0]
    assert not CannedReply.objects.exists()


def test_all_languages_on_one_backoffice_page(admin_client):
    html = admin_client.get(ADD).content.decode()
    for code in ("en", "de", "pl", "da"):
        assert f'name="text_{code}"' in html and f'name="title_{code}"' in html
    response = admin_client.post(
        ADD,
        {
            "title_en": "Thanks",
            "title_de": "Danke",
            "text_en": "Thank you, {customer_name}!",
            "text_de": "Vielen Dank, {customer_name}!",
            "text_da": "Tak, {customer_name}!",
            "is_active": "on",
            "position": "0",
        },
    )
    assert response.status_code == 302
    reply = CannedReply.objects.get()
    with translation.override("da"):
        assert reply.text == "Tak, {customer_name}!" and reply.title == "Thanks"
    with translation.override("de"):
        assert reply.title == "Danke"


def test_thread_page_offers_the_texts_in_the_threads_language(admin_client, shipped_order):
    canned(en="Hi {customer_name}", de="Hallo {customer_name}")
    thread = ThreadFactory(order=shipped_order, name="Jonas", language="de")
    html = admin_client.get(change_url(thread)).content.decode()
    texts = json.loads(
        unescape(re.search(r'id="canned-texts"[^>]*>(.*?)</script>', html, re.S).group(1))
    )
    assert list(texts.values()) == ["Hallo Jonas"]


def test_insert_without_javascript_fills_in_the_threads_language(admin_client, shipped_order):
    reply = canned(en="Hi {customer_name}", da="Hej {customer_name}, ordre {order_number}")
    thread = ThreadFactory(order=shipped_order, name="Ida", language="da")
    response = admin_client.post(
        change_url(thread), {"text": "", "canned": reply.pk, "_insert": "1"}
    )
    assert response.status_code == 200
    assert response.context["reply_form"].initial["text"] == (
        f"Hej Ida, ordre {shipped_order.number}"
    )


def test_system_topics_are_translated_and_not_on_the_contact_form(client):
    email_topic = ContactTopic.system(ContactTopic.EMAIL)
    order_topic = ContactTopic.system(ContactTopic.ORDER)
    with translation.override("de"):
        assert email_topic.name == "E-Mail"
        assert order_topic.name == "Frage zu einer Bestellung"
    html = client.get(reverse("helpdesk:contact")).content.decode()
    assert f'value="{email_topic.pk}"' not in html and f'value="{order_topic.pk}"' not in html
