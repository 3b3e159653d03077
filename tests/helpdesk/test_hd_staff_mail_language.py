"""The helpdesk's e-mails to the shop side are written in their reader's language: a topic
address, department member or assignee with a staff account reads their backoffice language;
an address without one (a shared service mailbox) the shop's default language
(``settings.LANGUAGE_CODE``) — never English regardless. The department a thread is
forwarded to is named in that language too, not by its group's stored English name."""

import pytest
from django.utils import translation

from helpdesk import services
from helpdesk.models import Thread
from shop.models import OutboxEmail
from tests.factories import RoleUserFactory, StaffFactory
from tests.helpdesk.factories import ContactTopicFactory, ThreadFactory

pytestmark = pytest.mark.django_db

NEW_REQUEST = {
    "en": "A new contact request has arrived.",
    "de": "Eine neue Kontaktanfrage ist eingegangen.",
    "pl": "Wpłynęło nowe zapytanie kontaktowe.",
    "da": "Der er kommet en ny kontaktforespørgsel.",
}


def contact_request(topic, language="en"):
    with translation.override(language):  # the customer's page: its language is theirs
        return services.create_contact_request(
            topic_id=topic.pk,
            name="Erika",
            email="erika@example.com",
            subject="Where is my parcel?",
            text="It has not arrived.",
            language=language,
        )


def staff_mail(template):
    return OutboxEmail.objects.get(template=template)


@pytest.mark.parametrize("language", ["de", "pl", "da"])
def test_a_topic_address_of_a_staff_member_reads_their_language(language):
    StaffFactory(email="service@shop.example", language=language)
    topic = ContactTopicFactory(recipient_email="Service@Shop.example")
    contact_request(topic, language="en")  # the customer wrote in English
    mail = staff_mail("helpdesk_contact_request")
    assert mail.to == ["Service@Shop.example"]
    assert NEW_REQUEST[language] in mail.body_text
    assert NEW_REQUEST["en"] not in mail.body_text
    assert f'<html lang="{language}"' in mail.body_html
    # the customer's confirmation stays in the customer's language
    assert '<html lang="en"' in staff_mail("helpdesk_contact_confirmation").body_html


@pytest.mark.parametrize("default", ["de", "pl", "da"])
def test_a_shared_topic_mailbox_reads_the_shops_default_language(settings, default):
    settings.LANGUAGE_CODE = default
    topic = ContactTopicFactory(recipient_email="kontakt@shop.example")  # no staff account
    contact_request(topic, language="en")
    mail = staff_mail("helpdesk_contact_request")
    assert NEW_REQUEST[default] in mail.body_text and NEW_REQUEST["en"] not in mail.body_text


def test_a_shared_topic_mailbox_of_an_english_shop_reads_english():
    topic = ContactTopicFactory(recipient_email="kontakt@shop.example")
    contact_request(topic, language="de")  # a German customer: the staff mail is the shop's
    assert NEW_REQUEST["en"] in staff_mail("helpdesk_contact_request").body_text


def test_the_customers_answer_reaches_the_topic_address_in_its_owners_language():
    StaffFactory(email="team@shop.example", language="pl")
    topic = ContactTopicFactory(recipient_email="team@shop.example")
    thread = ThreadFactory(topic=topic, email="cust@example.com", language="de")
    services.customer_reply(thread, "Any news?")
    mail = staff_mail("helpdesk_staff_notice")
    assert mail.to == ["team@shop.example"]
    assert mail.subject.startswith("Wiadomość od klienta:")  # "Customer message: …" in Polish


def test_forwarding_names_the_department_in_each_members_language():
    RoleUserFactory(role="Payments", email="pia@shop.example", language="de")
    RoleUserFactory(role="Payments", email="piotr@shop.example", language="pl")
    RoleUserFactory(role="Payments", email="pat@shop.example", language="")  # default: en
    thread = ThreadFactory(topic=ContactTopicFactory(), subject="Refund?")
    services.set_status(thread, Thread.Status.FORWARDED_PAYMENTS)
    mails = {tuple(m.to): m for m in OutboxEmail.objects.filter(template="helpdesk_forwarded")}
    assert set(mails) == {("pia@shop.example",), ("piotr@shop.example",), ("pat@shop.example",)}
    german, polish = mails[("pia@shop.example",)], mails[("piotr@shop.example",)]
    assert "Zahlungsabteilung" in german.subject and "Payments" not in german.body_text
    assert "Zahlungsabteilung" in german.body_html and "Payments" not in german.body_html
    assert "Dział płatności" in polish.body_text and "Payments" not in polish.body_text
    assert "Payments" in mails[("pat@shop.example",)].subject


def test_an_assignee_is_told_in_their_language():
    boss = StaffFactory(is_superuser=True, language="de")
    agent = StaffFactory(is_superuser=True, language="da")
    thread = ThreadFactory(topic=ContactTopicFactory())
    services.assign([thread.pk], agent, boss)
    mail = staff_mail("helpdesk_assigned")
    assert mail.to == [agent.email]
    assert "Alle dine henvendelser" in mail.body_text  # "All your threads" in Danish
