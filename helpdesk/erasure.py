"""Erasure of a customer's helpdesk data (receiver of ``customers.signals.customer_deleting``).

A real customer's threads stay as the business record of the conversation, without the
person: sender name → "Deleted customer", sender e-mail → ``deleted-t<pk>@invalid`` (the
pattern customers uses for anonymised orders), no customer link, the customer's e-mail
address and name replaced in subjects and message texts, the Message-IDs of their inbound
mails cleared and the thread token renewed, so links and reply tags in old e-mails no longer
open the thread. Every file attached in those threads (by the customer or by staff about
them) is deleted — rows now, files on disk once the deletion has committed. A test customer's
threads are deleted with their files.

Runs inside the deletion transaction; it only ever touches rows of this app.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext as _
from guardian.models import GroupObjectPermission

from customers.erasure import person_names, scrubber

from . import attachments
from .models import ERASED_SUFFIX, Attachment, Message, Thread, new_token


def placeholder_email(thread):
    return f"deleted-t{thread.pk}{ERASED_SUFFIX}"


def customer_threads(customer):
    """Threads about the person: linked to the account, sent from its address, or about
    one of its orders."""
    query = Q(customer_id=customer.pk) | Q(order__customer_id=customer.pk)
    email = (customer.email or "").strip()
    if email:
        query |= Q(email__iexact=email)
    return Thread.objects.filter(query)


def _delete_attachments(thread_ids):
    files = Attachment.objects.filter(message__thread_id__in=thread_ids)
    names = list(files.values_list("file", flat=True))
    files.delete()
    attachments.delete_files_on_commit(names)


def erase_customer(customer):
    """Anonymise (real customer) or delete (test customer) the threads; returns the count."""
    threads = customer_threads(customer)
    ids = list(threads.values_list("pk", flat=True))
    _delete_attachments(ids)
    if customer.is_test:
        # the departments' object permissions on these threads go too (no orphan rows)
        GroupObjectPermission.objects.filter(
            content_type=ContentType.objects.get_for_model(Thread),
            object_pk__in=[str(pk) for pk in ids],
        ).delete()
        Thread.objects.filter(pk__in=ids).delete()  # messages cascade
        return len(ids)
    deleted_name = _("Deleted customer")
    count = 0
    for thread in threads.select_for_update(of=("self",)).order_by("pk"):
        placeholder = placeholder_email(thread)
        clean = scrubber(
            [(customer.email, placeholder), (thread.email, placeholder)]
            + [(name, deleted_name) for name in person_names(customer, thread.name)]
        )
        Thread.objects.filter(pk=thread.pk).update(
            customer=None,
            email=placeholder,
            name=deleted_name,
            subject=clean(thread.subject)[:200],
            token=new_token(),
        )
        for message in Message.objects.filter(thread=thread).only("pk", "kind", "text"):
            text = clean(message.text)
            fields = {}
            if text != message.text:
                fields["text"] = text
            if message.kind == Message.Kind.CUSTOMER:
                fields["message_id"] = None  # inbound mail headers of the person
            if fields:
                Message.objects.filter(pk=message.pk).update(**fields)
        count += 1
    return count


def on_customer_deleting(sender, customer, by=None, **kwargs):
    erase_customer(customer)


def customer_addresses(sender, customer, **kwargs):
    """The addresses the person's threads came from (``customer_addresses``)."""
    return set(
        customer_threads(customer).exclude(email="").values_list("email", flat=True).distinct()
    )
