"""Helpdesk operations (SPEC S9): contact requests, order threads, replies, notes, status
changes, forwarding to a department, assignment, e-mails that match no thread, canned
replies and the service-level clock. Views, the backoffice, the inbound-mail task and the demo
seed all go through these functions.

Forwarding: the thread's ``forwarded_to`` names the department and that department's group
holds django-guardian object permissions on it. Both follow the *current* forwarding: a new
forwarding revokes the previous department's permissions, closing revokes them all. While a
thread is forwarded, the customer's answers are announced to the department (not to the
service address), and the conversation status changes without losing the department.

Service level: a thread's first answer is due ``topic.sla_hours`` after it came in
(``sla_due_at``); ``first_answered_at`` is the first operator answer; ``waiting_since`` is
when the customer started waiting for the answer still owed.
"""

import re
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, get_groups_with_perms, remove_perm

from shop.db import advisory_lock
from shop.mail import queue_email, queue_staff_email
from shop.models import ShopSettings

from . import attachments, links
from .errors import HelpdeskError
from .models import PLACEHOLDER_RE, PLACEHOLDERS, ContactTopic, Message, Thread

TAG_RE = re.compile(r"\[#T-([A-Z0-9]{6,20})\]")
MAX_TEXT = 10000
THREAD_PERMS = ("helpdesk.view_thread", "helpdesk.change_thread")


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


def _clean_text(text, field="text", allow_empty=False):
    text = (text or "").strip()
    if not text and not allow_empty:
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


# --- who is told ---------------------------------------------------------------------------


def _service_address(thread):
    if thread.topic_id:
        return thread.topic.recipient
    return ShopSettings.load().contact_email


def _department_emails(thread):
    if not thread.department:
        return []
    return list(
        get_user_model()
        .objects.filter(groups__name=thread.department, is_active=True, is_staff=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )


def staff_recipients(thread):
    """Who hears of the customer's message: the department the thread is forwarded to and
    the assignee; the topic's service address only when neither exists."""
    emails = _department_emails(thread)
    assignee = thread.assignee
    if assignee is not None and assignee.is_active and assignee.email:
        emails.append(assignee.email)
    if not emails:
        emails = [_service_address(thread)]
    return sorted({e.lower(): e for e in emails}.values(), key=str.lower)


def _staff_notice(thread, message, recipients):
    """Tell the shop side that the customer wrote (reply-to the customer)."""
    queue_staff_email(
        "helpdesk_staff_notice",
        recipients,
        {
            "thread": thread,
            "message": message,
            "attachment_count": message.attachments.count(),
            "backoffice_url": reverse("admin:helpdesk_thread_change", args=[thread.pk]),
        },
        reply_to=[thread.email],
    )


# --- creating threads and messages ---------------------------------------------------------


def _new_thread(*, topic, **fields):
    thread = Thread.objects.create(topic=topic, **fields)
    # The clock starts when the thread came in (``created``, set by the database save).
    thread.last_activity = thread.waiting_since = thread.created
    thread.sla_due_at = topic.sla_due(thread.created) if topic is not None else None
    thread.save(update_fields=["last_activity", "waiting_since", "sla_due_at"])
    return thread


def _add_message(thread, kind, text, *, author=None, message_id=None, files=()):
    message = Message.objects.create(
        thread=thread, kind=kind, author=author, text=text, message_id=message_id
    )
    attachments.store(message, files)
    return message


def _customer_wrote(thread, message):
    thread.last_activity = message.created
    if thread.waiting_since is None:
        thread.waiting_since = message.created


def _operator_answered(thread, message):
    thread.last_activity = message.created
    thread.waiting_since = None
    if thread.first_answered_at is None:
        thread.first_answered_at = message.created


# --- customer side -------------------------------------------------------------------------

# The same message sent again within this time — a double click, the browser's "send again"
# — is the message sent before, not a second one (no second thread, no second e-mail).
REPEAT_WINDOW = timedelta(minutes=10)


def _same_files(message, checked):
    return sorted(a.filename for a in message.attachments.all()) == sorted(
        item.filename for item in checked
    )


def _repeated_message(messages, text, checked):
    """The customer message among ``messages`` (newest first) that this one repeats: the
    same text and files, written within ``REPEAT_WINDOW``; else None."""
    since = timezone.now() - REPEAT_WINDOW
    for message in messages.filter(kind=Message.Kind.CUSTOMER, created__gte=since).order_by(
        "-created", "-id"
    )[:5]:
        if message.text == text and _same_files(message, checked):
            return message
    return None


def _repeated_thread(threads, text, checked):
    """The thread among ``threads`` whose first message this request repeats, or None."""
    since = timezone.now() - REPEAT_WINDOW
    for thread in threads.filter(created__gte=since).order_by("-created", "-id")[:5]:
        first = thread.messages.order_by("created", "id").first()
        if first is not None and first.kind == Message.Kind.CUSTOMER:
            if first.text == text and _same_files(first, checked):
                return thread
    return None


@transaction.atomic
def create_contact_request(
    *,
    topic_id,
    name,
    email,
    subject,
    text,
    order_number="",
    customer=None,
    language="",
    files=(),
):
    """A request from /contact/: e-mailed to the topic's recipient (reply-to the sender),
    stored as a thread with that topic (with the ``files`` attached to its first message),
    confirmed to the sender. A shop without topics of its own takes requests without one,
    for its contact e-mail."""
    checked = attachments.check(files)
    topics = ContactTopic.objects.on_contact_form()
    topic = topics.filter(pk=topic_id).first() if topic_id is not None else None
    if topic is None and (topic_id is not None or topics.exists()):
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
        in_account = order is not None and customer is not None and order.customer_id == customer.pk
        if not in_account and not (order is not None and order.email.lower() == email.lower()):
            raise HelpdeskError(
                _("We could not find an order with this number for your e-mail address."),
                field="order_number",
            )
        if not in_account:
            # Found by the typed address alone, which anyone can type (and an account's
            # address, which nobody confirmed): the request goes to that address as a
            # guest's, never into the sender's account, whose pages would show the shop's
            # answers about someone else's order. Its owner can take it into their account
            # through the e-mailed link (can_claim); the sender sees nothing of the order.
            customer = None
    # Requests from one address wait for each other: the same one sent twice is one.
    advisory_lock(f"helpdesk.contact:{email.lower()}")
    repeated = _repeated_thread(
        Thread.objects.filter(email__iexact=email, subject=subject, topic=topic, order=order),
        text,
        checked,
    )
    if repeated is not None:
        return repeated
    thread = _new_thread(
        subject=subject,
        topic=topic,
        order=order,
        customer=customer,
        email=email,
        name=(name or "").strip()[:200],
        language=(language or settings.LANGUAGE_CODE)[:5],
    )
    message = _add_message(thread, Message.Kind.CUSTOMER, text, files=checked)
    queue_staff_email(
        "helpdesk_contact_request",
        topic.recipient if topic else ShopSettings.load().contact_email,
        {
            "thread": thread,
            "message": message,
            "topic": topic,
            "attachment_count": len(checked),
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


def can_claim(thread, user):
    """May ``user`` take the contact request ``thread`` into the account? Only a thread
    without an account, sent from the account's own address, and only when the user opens
    it through the link e-mailed to that address (the caller's part): an address typed into
    the contact form proves nothing by itself, the mailbox and the login together do."""
    return (
        thread.customer_id is None
        and user is not None
        and user.is_authenticated
        and user.is_active
        and not user.is_staff
        and bool(user.email)
        and (thread.email or "").strip().lower() == user.email.strip().lower()
    )


@transaction.atomic
def claim_thread(thread, user):
    """Link the contact request ``thread`` to the account of ``user`` (see ``can_claim``):
    it then appears among the account's questions. Returns the thread."""
    thread = _lock(thread)
    if not can_claim(thread, user):
        raise HelpdeskError(_("This request cannot be added to your account."))
    thread.customer = user
    thread.save(update_fields=["customer", "updated"])
    return thread


@transaction.atomic
def start_order_thread(order, customer, *, subject, text, files=()):
    """The customer asks about one of their orders from the account."""
    if customer is None or order.customer_id != customer.pk:
        raise HelpdeskError(_("This order does not belong to your account."))
    checked = attachments.check(files)
    subject = _clean_subject(subject)
    text = _clean_text(text, allow_empty=bool(checked))
    advisory_lock(f"helpdesk.order:{order.pk}")
    repeated = _repeated_thread(
        Thread.objects.filter(order=order, customer=customer, subject=subject), text, checked
    )
    if repeated is not None:  # the same question sent twice (a double click)
        return repeated
    thread = _new_thread(
        subject=subject,
        topic=ContactTopic.system(ContactTopic.ORDER),
        order=order,
        customer=customer,
        email=customer.email,
        name=customer.get_full_name(),
        language=customer.language or order.language,
    )
    message = _add_message(thread, Message.Kind.CUSTOMER, text, files=checked)
    _staff_notice(thread, message, staff_recipients(thread))
    return thread


@transaction.atomic
def customer_reply(thread, text, *, message_id=None, files=()):
    """The customer answers (account page, guest link or e-mail): status Customer replied.

    A forwarded thread stays with its department, which is told of the answer."""
    checked = attachments.check(files)
    thread = _lock(thread)
    text = _clean_text(text, allow_empty=bool(checked))
    if message_id is None:  # an e-mail is one by its Message-ID
        repeated = _repeated_message(thread.messages, text, checked)
        if repeated is not None:  # the same answer sent twice (a double click)
            return repeated
    message = _add_message(
        thread, Message.Kind.CUSTOMER, text, message_id=message_id, files=checked
    )
    thread.status = Thread.Status.CUSTOMER_REPLIED
    _customer_wrote(thread, message)
    thread.save(update_fields=["status", "last_activity", "waiting_since", "updated"])
    _staff_notice(thread, message, staff_recipients(thread))
    return message


@transaction.atomic
def create_email_thread(
    *, email, name="", subject="", text="", message_id=None, files=(), related_thread=None
):
    """An e-mail that answers no thread of its sender becomes a thread of its own (topic
    "E-mail"); one from another sender answering a thread's tag links that thread."""
    checked = attachments.check(files)
    text = _clean_text(text, allow_empty=bool(checked))
    subject = " ".join(TAG_RE.sub("", subject or "").split())[:200] or _("(no subject)")
    if related_thread is not None:
        language = related_thread.language
    else:
        known = get_user_model().objects.filter(email__iexact=email).first()
        language = (known.language if known else "") or settings.LANGUAGE_CODE
    thread = _new_thread(
        subject=subject,
        topic=ContactTopic.system(ContactTopic.EMAIL),
        email=email,
        name=(name or "").strip()[:200],
        language=language[:5],
        related_thread=related_thread,
    )
    message = _add_message(
        thread, Message.Kind.CUSTOMER, text, message_id=message_id, files=checked
    )
    _staff_notice(thread, message, staff_recipients(thread))
    return thread


# --- operator side -------------------------------------------------------------------------


def unfilled_placeholders(text):
    return sorted({name for name in PLACEHOLDER_RE.findall(text or "") if name in PLACEHOLDERS})


@transaction.atomic
def operator_reply(thread, user, text, files=()):
    """Send an answer: the customer gets an e-mail linking to the page that shows it."""
    checked = attachments.check(files)
    text = _clean_text(text, allow_empty=bool(checked))
    left = unfilled_placeholders(text)
    if left:
        raise HelpdeskError(
            _("The reply still contains %(placeholders)s: replace it before sending.")
            % {"placeholders": ", ".join(f"{{{name}}}" for name in left)},
            field="text",
        )
    thread = _lock(thread)
    if thread.sender_erased:  # the reply would go to a placeholder address and fail
        raise HelpdeskError(
            _(
                "The sender's personal data has been erased: nobody can be sent a reply. Save it "
                "as an internal note instead."
            ),
            field="text",
        )
    message = _add_message(thread, Message.Kind.OPERATOR, text, author=user, files=checked)
    thread.status = Thread.Status.OPERATOR_REPLIED
    _operator_answered(thread, message)
    thread.save(
        update_fields=["status", "last_activity", "waiting_since", "first_answered_at", "updated"]
    )
    queue_email(
        "helpdesk_reply",
        thread.email,
        {"thread": thread, "thread_url": f"{thread.get_absolute_url()}#m{message.pk}"},
        language=thread.language,
    )
    return message


@transaction.atomic
def add_note(thread, user, text, files=()):
    """An internal note: visible to staff only, never e-mailed, status unchanged."""
    checked = attachments.check(files)
    thread = _lock(thread)
    text = _clean_text(text, allow_empty=bool(checked))
    message = _add_message(thread, Message.Kind.NOTE, text, author=user, files=checked)
    Thread.objects.filter(pk=thread.pk).update(
        updated=message.created, last_activity=message.created
    )
    return message


@transaction.atomic
def set_status(thread, status, user=None):
    """Set the status by hand; a "Forwarded to …" status forwards to that department,
    "Closed" takes the thread back from the department."""
    if status not in Thread.Status.values:
        raise HelpdeskError(_("Unknown status."), field="status")
    thread = _lock(thread)
    if status in Thread.DEPARTMENTS:
        return _forward(thread, status, user)
    now = timezone.now()
    thread.status = status
    if status == Thread.Status.CLOSED:
        _revoke_departments(thread)
        thread.forwarded_to = ""
        thread.waiting_since = None
    elif status == Thread.Status.OPERATOR_REPLIED:
        # Answered outside the helpdesk (phone, letter): nobody is waiting any more.
        thread.waiting_since = None
        thread.first_answered_at = thread.first_answered_at or now
    elif thread.waiting_since is None:
        thread.waiting_since = now
    _drop_assignee_without_access(thread)
    thread.save(
        update_fields=[
            "status",
            "forwarded_to",
            "waiting_since",
            "first_answered_at",
            "assignee",
            "updated",
        ]
    )
    return thread


def _revoke_departments(thread, keep=None):
    for group in get_groups_with_perms(thread):
        if group.name in Thread.DEPARTMENTS.values() and group != keep:
            for perm in THREAD_PERMS:
                remove_perm(perm, group, thread)


def _forward(thread, status, user):
    group_name = Thread.DEPARTMENTS[status]
    group = Group.objects.filter(name=group_name).first()
    if group is None:
        raise HelpdeskError(
            _("The department group “%(name)s” does not exist (run setup_roles).")
            % {"name": group_name}
        )
    _revoke_departments(thread, keep=group)
    thread.status = status
    thread.forwarded_to = status
    for perm in THREAD_PERMS:
        assign_perm(perm, group, thread)
    _drop_assignee_without_access(thread)
    thread.save(update_fields=["status", "forwarded_to", "assignee", "updated"])
    recipients = sorted(
        group.user_set.filter(is_active=True, is_staff=True).values_list("email", flat=True)
    )
    if recipients:
        queue_staff_email(
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


# --- assignment ----------------------------------------------------------------------------


def can_work_on(user, thread):
    """May ``user`` answer ``thread``: the global permission, or the thread's department."""
    if user is None or not (user.is_active and user.is_staff):
        return False
    return user.has_perm("helpdesk.change_thread") or user.has_perm(
        "helpdesk.change_thread", thread
    )


def assignable_staff(thread=None):
    """Staff who may take threads: everyone with the global permission to answer them, and
    for a forwarded thread the members of its department."""
    perm = Permission.objects.filter(
        content_type__app_label="helpdesk", codename="change_thread"
    ).first()
    query = Q(is_superuser=True) | Q(user_permissions=perm) | Q(groups__permissions=perm)
    if thread is not None and thread.department:
        query |= Q(groups__name=thread.department)
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(query)
        .distinct()
        .order_by("first_name", "last_name", "email")
    )


def _drop_assignee_without_access(thread):
    """After a forwarding changed, an assignee who can no longer open the thread lets go."""
    if thread.assignee_id and not can_work_on(_fresh_user(thread.assignee_id), thread):
        thread.assignee = None


def _fresh_user(pk):
    # A new instance: the permission caches of an earlier instance may predate the change.
    return get_user_model().objects.filter(pk=pk).first()


@transaction.atomic
def assign(threads, assignee, by):
    """Assign one or several threads to ``assignee`` (None: unassign). Every thread must be
    one the assignee may answer, else nothing changes. The assignee is told by e-mail
    (unless they assigned themselves). Returns the number of threads that changed hands."""
    ids = [getattr(t, "pk", t) for t in threads]
    locked = list(
        Thread.objects.filter(pk__in=ids)
        .select_related("topic")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    if assignee is not None:
        refused = [t.pk for t in locked if not can_work_on(assignee, t)]
        if refused:
            raise HelpdeskError(
                _("%(name)s may not answer thread(s) %(ids)s.")
                % {
                    "name": assignee.get_full_name() or assignee.email,
                    "ids": ", ".join(f"#{pk}" for pk in refused),
                },
                field="assignee",
            )
    new_id = assignee.pk if assignee is not None else None
    changed = [t for t in locked if t.assignee_id != new_id]
    if not changed:
        return 0
    Thread.objects.filter(pk__in=[t.pk for t in changed]).update(
        assignee=assignee, updated=timezone.now()
    )
    if assignee is not None and assignee != by and assignee.email:
        queue_staff_email(  # in the assignee's backoffice language
            "helpdesk_assigned",
            assignee.email,
            {
                "items": [
                    {"thread": t, "url": reverse("admin:helpdesk_thread_change", args=[t.pk])}
                    for t in changed
                ],
                "assigned_by": by,
                "backoffice_url": reverse("admin:helpdesk_thread_changelist") + "?assignee=me",
            },
        )
    return len(changed)


# --- service level -------------------------------------------------------------------------


@transaction.atomic
def apply_topic_sla(topic):
    """A topic's service level changed: threads of it still waiting for their first answer
    get the new due time (answered and closed threads keep theirs)."""
    threads = list(
        Thread.objects.select_for_update()
        .filter(topic=topic, first_answered_at__isnull=True)
        .exclude(status=Thread.Status.CLOSED)
    )
    for thread in threads:
        thread.sla_due_at = topic.sla_due(thread.created)
    Thread.objects.bulk_update(threads, ["sla_due_at"])
    return len(threads)


# --- canned replies ------------------------------------------------------------------------


def tracking_links(order, language=None):
    """The order's tracking pages, in ``language`` (the thread's) where the carrier has it."""
    from orders.models import TrackingNumber

    numbers = TrackingNumber.objects.filter(shipment__order=order).order_by(
        "shipment__created", "id"
    )
    urls = (n.url_for(language or translation.get_language()) for n in numbers)
    return [url for url in urls if url]


def placeholder_values(thread):
    """What the placeholders stand for in this thread; a placeholder without a value (no
    order, no tracking yet) is left in the text, visible to the operator."""
    values = {}
    name = (thread.name or "").strip()
    if not name and thread.customer_id:
        name = thread.customer.get_full_name()
    if name:
        values["customer_name"] = name
    if thread.order_id:
        values["order_number"] = thread.order.number
        urls = tracking_links(thread.order, thread.language)
        if urls:
            values["tracking_link"] = "\n".join(urls)
    return values


def fill_placeholders(text, values):
    """One pass over the text: a value that itself looks like a placeholder stays as it is."""
    return PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1), m.group(0)), text or "")


def canned_reply_text(canned, thread, values=None):
    """The canned reply in the thread's language (the default language where that
    translation is empty), placeholders filled in."""
    with translation.override(thread.language or settings.LANGUAGE_CODE):
        text = canned.text
    return fill_placeholders(text, placeholder_values(thread) if values is None else values)


def canned_reply_texts(thread, canned_replies):
    values = placeholder_values(thread)
    return {str(c.pk): canned_reply_text(c, thread, values) for c in canned_replies}
