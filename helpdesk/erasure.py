"""Erasure of a customer's helpdesk data (receiver of ``customers.signals.customer_deleting``).

A real customer's threads stay as the business record of the conversation, without the
person: sender name → "Deleted customer", sender e-mail → ``deleted-t<pk>@invalid`` (the
pattern customers uses for anonymised orders), no customer link, the customer's e-mail
addresses, names, phone numbers and streets replaced in subjects and message texts, the Message-IDs of their inbound
mails cleared and the thread token renewed, so links and reply tags in old e-mails no longer
open the thread. Every file attached in those threads (by the customer or by staff about
them) is deleted — rows now, files on disk once the deletion has committed. A test customer's
threads are deleted with their files. A guest erased by e-mail (``guest_deleting``) loses
their threads like a real customer. Either way the backoffice's change history of the threads
keeps who changed what and when, without the person (``shop.adminlog``).

Runs inside the deletion transaction; it only ever touches rows of this app.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext as _
from guardian.models import GroupObjectPermission

from customers.erasure import email_in, person_details, person_names, scrubber
from shop import adminlog

from . import attachments
from .models import ERASED_SUFFIX, Attachment, Message, Thread, new_token


def placeholder_email(thread):
    return f"deleted-t{thread.pk}{ERASED_SUFFIX}"


def customer_threads(customer, emails=()):
    """Threads about the person: linked to the account, sent from one of its addresses
    (``emails``: its earlier ones, a guest's), or about one of its orders (guest orders
    under those addresses too). ``customer`` is None for a guest."""
    emails = {e.strip().lower() for e in emails if e and e.strip()}
    if customer is not None and (customer.email or "").strip():
        emails.add(customer.email.strip().lower())
    query = email_in("email", emails) | (
        Q(order__customer__isnull=True) & email_in("order__email", emails)
    )
    if customer is not None:
        query |= Q(customer_id=customer.pk) | Q(order__customer_id=customer.pk)
    return Thread.objects.filter(query)


def _delete_attachments(thread_ids):
    files = Attachment.objects.filter(message__thread_id__in=thread_ids)
    names = list(files.values_list("file", flat=True))
    files.delete()
    attachments.delete_files_on_commit(names)


def scrub_thread_history(customer, details, threads):
    """Take the person out of the backoffice's change history of ``threads`` (their subject
    in an entry's text, names and addresses in its message): run before the threads are
    anonymised or deleted, while they still say who wrote them."""
    rows = list(threads.values_list("pk", "email", "name"))
    if not rows:
        return 0
    identifiers = [*details.emails, *details.needles()]
    for _pk, email, name in rows:
        identifiers += [email, *person_names(customer, name)]
    if customer is not None:
        identifiers.append(customer.email)
    return scrub_history([pk for pk, _email, _name in rows], identifiers)


def scrub_history(thread_ids, identifiers):
    """The one rule for the change history of threads, of the erasure and of retention
    (``helpdesk.retention``): each of the person's ``identifiers`` becomes "Deleted", an
    entry's text (the subject) that names them goes whole (``shop.adminlog``). Returns the
    number of entries changed."""
    deleted = _("Deleted")
    return adminlog.scrub_history(
        {Thread: list(thread_ids)},
        scrubber((identifier, deleted) for identifier in identifiers),
        deleted,
    )


def scrub_each_thread_history(threads):
    """Retention: :func:`scrub_history` for each of ``threads`` on its own (they are
    different people's), with what the thread says about the person who wrote it — the
    address and name it came with, the linked account's name and address. Run before the
    threads are deleted. Returns the number of entries changed."""
    changed = 0
    for thread in threads.select_related("customer").only(
        "pk", "email", "name", "customer__email", "customer__first_name", "customer__last_name"
    ):
        customer = thread.customer if thread.customer_id else None
        identifiers = [thread.email, *person_names(customer, thread.name)]
        if customer is not None:
            identifiers.append(customer.email)
        changed += scrub_history([thread.pk], identifiers)
    return changed


def erase_customer(customer, details=None):
    """Anonymise (real customer, guest: ``customer`` None) or delete (test customer) the
    threads; returns the count. ``details``: the person's addresses, phones and streets
    (``customers.erasure.PersonDetails``)."""
    if details is None:
        details = person_details(customer)
    threads = customer_threads(customer, details.emails)
    scrub_thread_history(customer, details, threads)
    ids = list(threads.values_list("pk", flat=True))
    _delete_attachments(ids)
    if customer is not None and customer.is_test:
        # the departments' object permissions on these threads go too (no orphan rows)
        GroupObjectPermission.objects.filter(
            content_type=ContentType.objects.get_for_model(Thread),
            object_pk__in=[str(pk) for pk in ids],
        ).delete()
        Thread.objects.filter(pk__in=ids).delete()  # messages cascade
        return len(ids)
    deleted_name, deleted = _("Deleted customer"), _("Deleted")
    count = 0
    for thread in threads.select_for_update(of=("self",)).order_by("pk"):
        placeholder = placeholder_email(thread)
        clean = scrubber(
            [(email, placeholder) for email in [thread.email, *sorted(details.emails)]]
            + [(name, deleted_name) for name in person_names(customer, thread.name)]
            + [(needle, deleted) for needle in details.needles()]
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


def on_customer_deleting(sender, customer, by=None, details=None, **kwargs):
    erase_customer(customer, details)


def on_guest_deleting(sender, email, by=None, details=None, **kwargs):
    return {"threads_anonymised": erase_customer(None, details or person_details(None, [email]))}


def customer_addresses(sender, customer, **kwargs):
    """The addresses the person's threads came from (``customer_addresses``)."""
    threads = customer_threads(customer)
    return set(threads.exclude(email="").values_list("email", flat=True).distinct())
