"""The helpdesk's personal data, declared for the privacy registry (see shop.personal_data),
and its retention (shop.retention)."""

from django.utils.translation import gettext_lazy

from shop import personal_data, retention
from shop.personal_data import customer_ref, email_ref, order_ref

from .retention import delete_closed_threads


def thread_subjects(thread):
    """The thread, its customer and order — or its sender's address. Not the assignee: a
    staff member, not a data subject."""
    refs = [f"helpdesk.thread:{thread.pk}"]
    if thread.customer_id:
        refs.append(customer_ref(thread.customer_id))
    if thread.order_id:
        refs.append(order_ref(thread.order_id))
    if not (thread.customer_id or thread.order_id):
        ref = email_ref(thread.email)
        if ref:
            refs.append(ref)
    return refs


def declare():
    personal_data.register(
        "helpdesk.thread",
        email_fields=("email",),
        name_fields=("name",),
        subjects=thread_subjects,
        purpose=personal_data.CUSTOMER_SERVICE,
    )
    personal_data.register(
        "helpdesk.message",
        purpose=personal_data.CUSTOMER_SERVICE,
        staff_note=lambda message: message.is_note,
    )
    # Files sent in a thread: their name, type and size (the file itself is served only to
    # those who may open the thread).
    personal_data.register(
        "helpdesk.attachment",
        fields=("filename", "content_type", "size", "created"),
        purpose=personal_data.CUSTOMER_SERVICE,
    )
    # Its e-mail field is a department mailbox, not a person's address.
    personal_data.register("helpdesk.contacttopic", personal=False)
    retention.register(
        gettext_lazy("closed helpdesk threads"),
        retention.THREADS,
        apply=delete_closed_threads,
        action=retention.DELETE,
        models=("helpdesk.thread", "helpdesk.message", "helpdesk.attachment"),
    )
