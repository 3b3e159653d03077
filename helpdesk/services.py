"""Helpdesk operations (SPEC S9): contact requests, order threads, replies, notes, status
changes and forwarding to a department. Views, the backoffice, the inbound-mail task and the
demo seed all go through these functions."""

import re

from django.contrib.auth.models import Group
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm

from shop.mail import queue_email
from shop.models import ShopSettings

from . import links
from .errors import HelpdeskError
from .models import ContactTopic, Message, Thread

TAG_RE = re.compile(r"\[#T-([A-Z0-9]{6,20})\]")
MAX_TEXT = 10000


# --- links ---------------------------------------------------------------------------------


def thread_from_signed(value):
    """The thread behind a signed guest link, or None if the link was tampered with."""
    token = links.token_from_signed(value)
    return Thread.objects.filter(token=token).first() if token else None


def thread_from_subject(subject):
    match = TAG_RE.search(subject or "")
    if not match:
        return None
    return Thread.objects.filter(token=match.group(1)).first()


def _clean_text(text, field="text"):
    text = (text or "").strip()
    if not text:
        raise HelpdeskError(_("Please write a message."), field=field)
    if len(text) > MAX_TEXT:
        raise HelpdeskError(
            _("The message is too long (at most %(n)d characters).") % {"n": MAX_TEXT}, field=field
        )
    return text


def _clean_subject(subject):
    subject = " ".join((subject or "").split())
    if not subject:
        raise HelpdeskError(_("Please enter a subject."), field="subject")
    return subject[:200]


def _lock(thread):
    return Thread.objects.select_for_update().get(pk=thread.pk)


def _staff_notice(thread, message, recipient):
    """Tell the shop side that the customer wrote (reply-to the customer)."""
    queue_email(
        "helpdesk_staff_notice",
        recipient,
        {
            "thread": thread,
            "message": message,
            "backoffice_url": reverse("admin:helpdesk_thread_change", args=[thread.pk]),
        },
        reply_to=[thread.email],
    )


def _staff_recipient(thread):
    if thread.topic_id:
        return thread.topic.recipient_email
    return ShopSettings.load().contact_email


# --- customer side -------------------------------------------------------------------------


@transaction.atomic
def create_contact_request(
    *, topic_id, name, email, subject, text, order_number="", customer=None, language="en"
):
    """A request from /contact/: e-mailed to the topic's recipient (reply-to the sender),
    stored as a thread with that topic, confirmed to the sender."""
    topic = ContactTopic.objects.filter(pk=topic_id, is_active=True).first()
    if topic is None:
        raise HelpdeskError(_("Please choose one of the listed topics."), field="topic")
    email = (email or "").strip()
    if not email:
        raise HelpdeskError(_("Please enter your e-mail address."), field="email")
    subject = _clean_subject(subject)
    text = _clean_text(text, field="message")
    order = None
    order_number = (order_number or "").strip()
    if order_number:
        from orders.models import Order

        # Only attach an order the sender can prove is theirs: otherwise a stranger's message
        # would appear on another customer's order page.
        order = Order.objects.filter(number=order_number).first()
        owns = order is not None and (
            order.email.lower() == email.lower()
            or (customer is not None and order.customer_id == customer.pk)
        )
        if not owns:
            raise HelpdeskError(
                _("We could not find an order with this number for your e-mail address."),
                field="order_number",
            )
    thread = Thread.objects.create(
        subject=subject,
        topic=topic,
        order=order,
        customer=customer,
        email=email,
        name=(name or "").strip()[:200],
        language=(language or "en")[:5],
    )
    message = Message.objects.create(thread=thread, kind=Message.Kind.CUSTOMER, text=text)
    queue_email(
        "helpdesk_contact_request",
        topic.recipient_email,
        {
            "thread": thread,
            "message": message,
            "topic": topic,
            "backoffice_url": reverse("admin:helpdesk_thread_change", args=[thread.pk]),
        },
        reply_to=[email],
    )
    queue_email(
        "helpdesk_contact_confirmation",
        email,
        {"thread": thread, "message": message, "thread_url": thread.get_absolute_url()},
        language=thread.language,
    )
    return thread


@transaction.atomic
def start_order_thread(order, customer, *, subject, text):
    """The customer asks about one of their orders from the account."""
    if customer is None or order.customer_id != customer.pk:
        raise HelpdeskError(_("This order does not belong to your account."))
    subject = _clean_subject(subject)
    text = _clean_text(text)
    thread = Thread.objects.create(
        subject=subject,
        order=order,
        customer=customer,
        email=customer.email,
        name=customer.get_full_name(),
        language=customer.language or order.language,
    )
    message = Message.objects.create(thread=thread, kind=Message.Kind.CUSTOMER, text=text)
    _staff_notice(thread, message, _staff_recipient(thread))
    return thread


@transaction.atomic
def customer_reply(thread, text, *, message_id=None):
    """The customer answers (account page, guest link or e-mail): status Customer replied."""
    thread = _lock(thread)
    text = _clean_text(text)
    message = Message.objects.create(
        thread=thread, kind=Message.Kind.CUSTOMER, text=text, message_id=message_id
    )
    thread.status = Thread.Status.CUSTOMER_REPLIED
    thread.save(update_fields=["status", "updated"])
    _staff_notice(thread, message, _staff_recipient(thread))
    return message


# --- operator side -------------------------------------------------------------------------


@transaction.atomic
def operator_reply(thread, user, text):
    """Send an answer: the customer gets an e-mail linking to the page that shows it."""
    thread = _lock(thread)
    text = _clean_text(text)
    message = Message.objects.create(
        thread=thread, kind=Message.Kind.OPERATOR, author=user, text=text
    )
    thread.status = Thread.Status.OPERATOR_REPLIED
    thread.save(update_fields=["status", "updated"])
    queue_email(
        "helpdesk_reply",
        thread.email,
        {"thread": thread, "thread_url": f"{thread.get_absolute_url()}#m{message.pk}"},
        language=thread.language,
    )
    return message


@transaction.atomic
def add_note(thread, user, text):
    """An internal note: visible to staff only, never e-mailed, status unchanged."""
    thread = _lock(thread)
    text = _clean_text(text)
    message = Message.objects.create(thread=thread, kind=Message.Kind.NOTE, author=user, text=text)
    Thread.objects.filter(pk=thread.pk).update(updated=message.created)
    return message


@transaction.atomic
def set_status(thread, status, user=None):
    """Set the status by hand; a "Forwarded to …" status forwards to that department."""
    if status not in Thread.Status.values:
        raise HelpdeskError(_("Unknown status."), field="status")
    thread = _lock(thread)
    if status in Thread.DEPARTMENTS:
        return _forward(thread, status, user)
    thread.status = status
    thread.save(update_fields=["status", "updated"])
    return thread


def _forward(thread, status, user):
    group_name = Thread.DEPARTMENTS[status]
    group = Group.objects.filter(name=group_name).first()
    if group is None:
        raise HelpdeskError(
            _("The department group “%(name)s” does not exist (run setup_roles).")
            % {"name": group_name}
        )
    thread.status = status
    thread.save(update_fields=["status", "updated"])
    assign_perm("helpdesk.view_thread", group, thread)
    assign_perm("helpdesk.change_thread", group, thread)
    recipients = sorted(
        group.user_set.filter(is_active=True, is_staff=True).values_list("email", flat=True)
    )
    if recipients:
        queue_email(
            "helpdesk_forwarded",
            recipients,
            {
                "thread": thread,
                "department": group_name,
                "forwarded_by": user,
                "backoffice_url": reverse("admin:helpdesk_thread_change", args=[thread.pk]),
            },
        )
    return thread
