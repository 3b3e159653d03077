"""Assignment and time (issue 24 items 4 and 5): assign to me, bulk assign, "My threads",
the assignee is told; last activity and waiting time, the SLA per topic, overdue threads."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from helpdesk import services
from helpdesk.models import Thread
from shop.admin import backoffice
from shop.models import OutboxEmail
from tests.factories import RoleUserFactory, StaffFactory
from tests.helpdesk.factories import ContactTopicFactory, ThreadFactory

pytestmark = pytest.mark.django_db

LIST = "/backoffice/helpdesk/thread/"


def change_url(thread):
    return reverse("admin:helpdesk_thread_change", args=[thread.pk])


def ids(response):
    return [t.pk for t in response.context["page"].object_list]


def contact_thread(topic, subject="Question", **kwargs):
    return services.create_contact_request(
        topic_id=topic.pk,
        name="Erika",
        email=kwargs.pop("email", "erika@example.com"),
        subject=subject,
        text="Hello",
    )


def age(thread, hours):
    """Move a thread ``hours`` into the past (as if it had come in then)."""
    past = timezone.now() - timedelta(hours=hours)
    topic = thread.topic
    Thread.objects.filter(pk=thread.pk).update(
        created=past,
        last_activity=past,
        waiting_since=past,
        sla_due_at=topic.sla_due(past) if topic else None,
    )
    thread.refresh_from_db()
    return thread


# --- assignment ---------------------------------------------------------------------------


def test_assign_to_me_from_the_thread_page(client):
    support = RoleUserFactory(role="Support")
    thread = ThreadFactory()
    client.force_login(support)
    response = client.post(change_url(thread), {"_assign_me": "1"})
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.assignee == support
    assert not OutboxEmail.objects.filter(template="helpdesk_assigned").exists()  # self
    html = client.get(change_url(thread)).content.decode()
    assert support.get_full_name() in html


def test_assigning_someone_else_notifies_them(admin_client, staff):
    colleague = RoleUserFactory(role="Support", email="colleague@shop.example")
    thread = ThreadFactory(subject="Broken lid")
    admin_client.post(change_url(thread), {"_assign": "1", "assignee": colleague.pk})
    thread.refresh_from_db()
    assert thread.assignee == colleague
    mail = OutboxEmail.objects.get(template="helpdesk_assigned")
    assert mail.to == ["colleague@shop.example"]
    assert "Broken lid" in mail.body_text and change_url(thread) in mail.body_text


def test_bulk_assign_and_my_threads_filter(admin_client, staff):
    colleague = RoleUserFactory(role="Support", email="colleague@shop.example")
    a, b, c = ThreadFactory(), ThreadFactory(), ThreadFactory()
    response = admin_client.post(
        LIST + "?status=open", {"_selected": [a.pk, b.pk], "assignee": colleague.pk}
    )
    assert response.status_code == 302 and response["Location"] == LIST + "?status=open"
    assert set(Thread.objects.filter(assignee=colleague)) == {a, b}
    mail = OutboxEmail.objects.get(template="helpdesk_assigned")  # one mail for both
    assert f"#{a.pk}" in mail.body_text and f"#{b.pk}" in mail.body_text

    services.assign([c], staff, staff)
    assert ids(admin_client.get(LIST, {"assignee": "me"})) == [c.pk]
    assert set(ids(admin_client.get(LIST, {"assignee": str(colleague.pk)}))) == {a.pk, b.pk}
    unassigned = ThreadFactory()
    assert ids(admin_client.get(LIST, {"assignee": "none"})) == [unassigned.pk]


def test_cannot_assign_a_thread_to_staff_who_may_not_answer_it(admin_client):
    clerk = RoleUserFactory(role="Order clerk")  # may read threads, not answer them
    thread = ThreadFactory()
    from helpdesk.errors import HelpdeskError

    with pytest.raises(HelpdeskError):
        services.assign([thread], clerk, None)
    thread.refresh_from_db()
    assert thread.assignee is None
    # the bulk form refuses an unknown choice and changes nothing
    admin_client.post(LIST, {"_selected": [thread.pk], "assignee": clerk.pk})
    thread.refresh_from_db()
    assert thread.assignee is None


def test_department_member_can_be_assigned_a_forwarded_thread():
    thread = ThreadFactory()
    seller = RoleUserFactory(role="Sales")
    services.set_status(thread, Thread.Status.FORWARDED_SALES)
    services.assign([thread], seller, StaffFactory(is_superuser=True))
    thread.refresh_from_db()
    assert thread.assignee == seller


def test_customer_answer_on_an_assigned_thread_is_announced_to_the_assignee():
    topic = ContactTopicFactory(recipient_email="team@shop.example")
    thread = contact_thread(topic)
    owner = RoleUserFactory(role="Support", email="owner@shop.example")
    services.assign([thread], owner, owner)
    OutboxEmail.objects.all().delete()
    services.customer_reply(thread, "Still there?")
    assert OutboxEmail.objects.get(template="helpdesk_staff_notice").to == ["owner@shop.example"]


# --- time and service level ---------------------------------------------------------------


def test_sla_due_from_the_topic_and_overdue_after_it():
    topic = ContactTopicFactory(sla_hours=8)
    thread = contact_thread(topic)
    assert thread.sla_due_at == thread.created + timedelta(hours=8)
    assert not thread.is_overdue()
    age(thread, 9)
    assert thread.is_overdue()
    assert list(Thread.objects.overdue()) == [thread]
    services.operator_reply(thread, StaffFactory(), "Sorry for the wait!")
    thread.refresh_from_db()
    assert thread.first_answered_at is not None and thread.waiting_since is None
    assert not thread.is_overdue() and not Thread.objects.overdue().exists()


def test_topic_without_sla_is_never_overdue():
    thread = age(contact_thread(ContactTopicFactory(sla_hours=None)), 500)
    assert thread.sla_due_at is None and not Thread.objects.overdue().exists()


def test_changing_a_topics_sla_moves_waiting_threads_only(admin_client):
    topic = ContactTopicFactory(sla_hours=48)
    waiting = age(contact_thread(topic), 10)
    answered = age(contact_thread(topic), 10)
    services.operator_reply(answered, StaffFactory(), "Done")
    url = reverse("admin:helpdesk_contacttopic_change", args=[topic.pk])
    data = {
        "name_en": topic.name,
        "name_de": "",
        "name_pl": "",
        "name_da": "",
        "recipient_email": topic.recipient_email,
        "sla_hours": "4",
        "is_active": "on",
        "position": "0",
    }
    assert admin_client.post(url, data).status_code == 302
    waiting.refresh_from_db()
    answered.refresh_from_db()
    assert waiting.sla_due_at == waiting.created + timedelta(hours=4)
    assert waiting.is_overdue()
    assert answered.sla_due_at == answered.created + timedelta(hours=48)


def test_overdue_threads_highlighted_filtered_and_counted_on_the_start_page(admin_client):
    topic = ContactTopicFactory(sla_hours=2)
    late = age(contact_thread(topic, subject="Late one"), 3)
    fresh = contact_thread(topic, subject="Fresh one")
    html = admin_client.get(LIST).content.decode()
    assert f'<tr class="overdue" data-thread="{late.pk}">' in html
    assert f'<tr class="" data-thread="{fresh.pk}">' in html
    assert "overdue by" in html
    assert ids(admin_client.get(LIST, {"status": "overdue"})) == [late.pk]
    start = admin_client.get(reverse("admin:index"))
    tile = next(i for i in start.context["attention"] if i["label"].startswith("Overdue helpdesk"))
    assert tile["count"] == 1 and tile["url"].endswith("?status=overdue") and tile["urgent"]


def test_last_activity_and_waiting_columns_sort(admin_client):
    topic = ContactTopicFactory()
    old_wait = age(contact_thread(topic, subject="Waiting long"), 30)
    short_wait = age(contact_thread(topic, subject="Waiting short"), 2)
    answered = age(contact_thread(topic, subject="Answered"), 50)
    services.operator_reply(answered, StaffFactory(), "Done")  # activity now, nobody waits
    assert ids(admin_client.get(LIST, {"o": "-activity"})) == [
        answered.pk,
        short_wait.pk,
        old_wait.pk,
    ]
    assert ids(admin_client.get(LIST, {"o": "-waiting"})) == [
        old_wait.pk,
        short_wait.pk,
        answered.pk,
    ]
    html = admin_client.get(LIST).content.decode()
    assert "Last activity" in html and "Waiting" in html
    assert ids(admin_client.get(LIST, {"o": "nonsense"}))[0] == short_wait.pk  # newest first


def test_a_note_is_activity_but_no_answer():
    topic = ContactTopicFactory(sla_hours=1)
    thread = age(contact_thread(topic), 5)
    note = services.add_note(thread, StaffFactory(), "Checking with the warehouse")
    thread.refresh_from_db()
    assert thread.last_activity == note.created
    assert thread.waiting_since is not None and thread.is_overdue()


def test_thread_page_shows_assignment_and_sla(admin_client, staff):
    topic = ContactTopicFactory(sla_hours=24)
    thread = contact_thread(topic)
    html = admin_client.get(change_url(thread)).content.decode()
    assert 'id="assignment"' in html and 'name="_assign_me"' in html
    assert 'id="sla"' in html and "topic target: 24 hours" in html and "due " in html


def test_start_page_tile_registered_once():
    labels = [i.label for i in backoffice._attention]
    assert labels.count("Overdue helpdesk threads (first answer late)") == 1
