import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from shop.fields import EmailField
from shop.roles import role_label
from shop.shop_language import default_language

from . import attachments, links

TOKEN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# The end of the placeholder address erasure gives a thread (helpdesk.erasure).
ERASED_SUFFIX = "@invalid"


def new_token():
    """Short, unguessable thread token (also the ``[#T-<token>]`` tag in mail subjects)."""
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(12))


class ContactTopicQuerySet(models.QuerySet):
    def on_contact_form(self):
        """The topics a customer can choose on /contact/ (not the system topics)."""
        return self.filter(is_active=True, code="")


class ContactTopic(models.Model):
    # System topics the helpdesk files threads under by itself (they are not offered on the
    # contact form): questions from the account's order page, e-mails that match no thread.
    ORDER = "order"
    EMAIL = "email"
    SYSTEM = {
        ORDER: (_("Question about an order"), 10),
        EMAIL: (_("E-mail"), 11),
    }

    name = models.CharField(_("name"), max_length=100)
    recipient_email = EmailField(
        _("recipient e-mail"),
        blank=True,
        help_text=_(
            "Contact requests on this topic are e-mailed here. Empty: to the shop's contact "
            "e-mail (shop settings), whatever it is changed to."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    sla_hours = models.PositiveIntegerField(
        _("first answer within (hours)"),
        null=True,
        blank=True,
        help_text=_(
            "Service level: hours until the first answer. Threads without an answer after "
            "that are overdue. Empty = no target."
        ),
    )
    code = models.CharField(_("system topic"), max_length=20, blank=True, editable=False)

    objects = ContactTopicQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("contact topic")
        verbose_name_plural = _("contact topics")
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=~Q(code=""), name="helpdesk_topic_unique_code"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def recipient(self):
        """Where requests on this topic go: its own address, else the shop's contact e-mail as
        the settings say now."""
        if self.recipient_email:
            return self.recipient_email
        from shop.models import ShopSettings

        return ShopSettings.load().contact_email

    @classmethod
    def system(cls, code):
        """The system topic ``code`` (created on first use, recipient = the shop's address)."""
        topic = cls.objects.filter(code=code).first()
        if topic is None:
            from shop.models import ShopSettings

            name, position = cls.SYSTEM[code]
            defaults = {
                "recipient_email": ShopSettings.load().contact_email,
                "position": position,
            }
            for language, _label in settings.LANGUAGES:
                with translation.override(language):
                    defaults[build_localized_fieldname("name", language)] = str(name)
            topic, _created = cls.objects.get_or_create(code=code, defaults=defaults)
        return topic

    def sla_due(self, start):
        return start + timedelta(hours=self.sla_hours) if self.sla_hours else None


class ThreadQuerySet(models.QuerySet):
    def needing_attention(self):
        return self.filter(status__in=[Thread.Status.REPORTED, Thread.Status.CUSTOMER_REPLIED])

    def overdue(self, now=None):
        """Still without a first answer after the topic's service level (SLA)."""
        return self.filter(
            sla_due_at__lt=now or timezone.now(), first_answered_at__isnull=True
        ).exclude(status=Thread.Status.CLOSED)


class Thread(models.Model):
    class Status(models.TextChoices):
        REPORTED = "reported", _("Reported")
        OPERATOR_REPLIED = "operator_replied", _("Operator replied")
        CUSTOMER_REPLIED = "customer_replied", _("Customer replied")
        CLOSED = "closed", _("Closed")
        FORWARDED_MARKETING = "fwd_marketing", _("Forwarded to Marketing")
        FORWARDED_SALES = "fwd_sales", _("Forwarded to Sales")
        FORWARDED_PAYMENTS = "fwd_payments", _("Forwarded to Payments")
        FORWARDED_MANAGER = "fwd_manager", _("Forwarded to Shop manager")

    # The status as the customer reads it: the staff's words ("Customer replied", "Forwarded
    # to Sales") are about the shop's work, not about what the customer waits for.
    CUSTOMER_STATUS = {
        Status.OPERATOR_REPLIED: pgettext_lazy("helpdesk status for the customer", "Answered"),
        Status.CLOSED: pgettext_lazy("helpdesk status for the customer", "Closed"),
    }
    WAITING_FOR_US = pgettext_lazy("helpdesk status for the customer", "Waiting for our answer")

    # Forwarding status -> the role group (shop/roles.py) that gets the thread.
    DEPARTMENTS = {
        Status.FORWARDED_MARKETING: "Marketing",
        Status.FORWARDED_SALES: "Sales",
        Status.FORWARDED_PAYMENTS: "Payments",
        Status.FORWARDED_MANAGER: "Shop manager",
    }
    FORWARDING_CHOICES = [(s.value, s.label) for s in DEPARTMENTS]

    subject = models.CharField(_("subject"), max_length=200)
    order = models.ForeignKey(
        "orders.Order",
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="helpdesk_threads",
    )
    topic = models.ForeignKey(
        ContactTopic,
        verbose_name=_("topic"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="threads",
    )
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="helpdesk_threads",
    )
    email = EmailField(_("sender e-mail"))
    name = models.CharField(_("sender name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=5, default=default_language)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REPORTED
    )
    # The department the thread is forwarded to (its group holds the object permissions).
    # Kept while the conversation goes on, so a customer's answer still reaches it; cleared
    # when the thread is closed.
    forwarded_to = models.CharField(
        _("forwarded to"), max_length=20, choices=FORWARDING_CHOICES, blank=True
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_threads",
    )
    # An e-mail from another sender answering this thread's tag starts a thread of its own
    # that points back here.
    related_thread = models.ForeignKey(
        "self",
        verbose_name=_("related thread"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="linked_threads",
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    last_activity = models.DateTimeField(_("last activity"), default=timezone.now)
    # Since when the customer has been waiting for an answer (None: not waiting).
    waiting_since = models.DateTimeField(_("waiting since"), null=True, blank=True)
    first_answered_at = models.DateTimeField(_("first answer"), null=True, blank=True)
    sla_due_at = models.DateTimeField(_("first answer due"), null=True, blank=True)
    token = models.CharField(
        _("token"), max_length=20, unique=True, default=new_token, editable=False
    )

    objects = ThreadQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        indexes = [
            models.Index(fields=["-created", "-id"], name="helpdesk_thread_newest"),
            models.Index(fields=["status", "-created"], name="helpdesk_thread_status"),
            models.Index(fields=["email"], name="helpdesk_thread_email"),
            models.Index(fields=["-last_activity", "-id"], name="helpdesk_thread_activity"),
            models.Index(fields=["assignee", "-created"], name="helpdesk_thread_assignee"),
            # The start page's overdue count and the "overdue" filter.
            models.Index(
                fields=["sla_due_at"],
                condition=Q(first_answered_at__isnull=True),
                name="helpdesk_thread_unanswered",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.subject}"

    def get_absolute_url(self):
        """The customer's page for this thread: the account page, or the signed guest link."""
        if self.customer_id:
            return reverse("helpdesk:account_thread", args=[self.pk])
        return links.signed_thread_path(self)

    @property
    def customer_status(self):
        """The status on the customer's pages: answered, closed, or waiting for the shop."""
        return self.CUSTOMER_STATUS.get(self.status, self.WAITING_FOR_US)

    @property
    def sender_erased(self):
        """Erasure replaced the person by a placeholder address (helpdesk.erasure): nobody
        can be written to any more."""
        return self.customer_id is None and self.email.endswith(ERASED_SUFFIX)

    @property
    def display_name(self):
        """The sender's name, or "Deleted customer" in the reader's language once erased."""
        if self.sender_erased:
            return gettext("Deleted customer")
        return self.name

    @property
    def subject_tag(self):
        return f"[#T-{self.token}]"

    @property
    def department(self):
        """The role group the thread is forwarded to, or None."""
        return self.DEPARTMENTS.get(self.forwarded_to)

    @property
    def department_label(self):
        """The department the thread is forwarded to, in the reader's language, or None."""
        department = self.department
        return department and role_label(department)

    def is_overdue(self, now=None):
        return (
            self.sla_due_at is not None
            and self.first_answered_at is None
            and self.status != self.Status.CLOSED
            and self.sla_due_at < (now or timezone.now())
        )

    @property
    def waiting_for(self):
        return timezone.now() - self.waiting_since if self.waiting_since else None


class Message(models.Model):
    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        OPERATOR = "operator", _("Operator")
        NOTE = "note", _("Internal note")

    thread = models.ForeignKey(
        Thread, verbose_name=_("thread"), on_delete=models.CASCADE, related_name="messages"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField(_("text"))
    created = models.DateTimeField(_("created"), auto_now_add=True)
    # Message-ID of an inbound e-mail, so the same mail polled twice is stored once.
    message_id = models.CharField(_("Message-ID"), max_length=300, null=True, blank=True)

    class Meta:
        ordering = ["created", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(
                fields=["message_id"],
                condition=Q(message_id__isnull=False),
                name="helpdesk_message_unique_message_id",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_note(self):
        return self.kind == self.Kind.NOTE


class Attachment(models.Model):
    """A file sent with a message (private storage, see helpdesk/attachments.py)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(
        _("file"),
        storage=attachments.private_storage,
        upload_to=attachments.upload_path,
        max_length=300,
    )
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.filename


# {customer_name}, {order_number}, {tracking_link}: filled in when a canned reply is inserted.
PLACEHOLDERS = ("customer_name", "order_number", "tracking_link")
PLACEHOLDER_RE = re.compile(r"\{([A-Za-z0-9_]+)\}")


class CannedReply(models.Model):
    title = models.CharField(_("title"), max_length=100)
    text = models.TextField(
        _("text"),
        help_text=_(
            "Placeholders filled in when the reply is inserted: {customer_name}, "
            "{order_number}, {tracking_link}."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "title"]
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")

    def __str__(self):
        return self.title

    def clean(self):
        """Refuse unknown placeholders (in every language's text): a typo like {order_no}
        would otherwise reach the customer as it is."""
        super().clean()
        errors = {}
        for field in self._text_fields():
            unknown = sorted(
                {m for m in PLACEHOLDER_RE.findall(getattr(self, field, "") or "")}
                - set(PLACEHOLDERS)
            )
            if unknown:
                errors[field] = _("Unknown placeholder %(unknown)s. Allowed: %(allowed)s.") % {
                    "unknown": ", ".join(f"{{{name}}}" for name in unknown),
                    "allowed": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS),
                }
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def _text_fields():
        """One per language (text_en, text_de …): the columns the backoffice form edits."""
        return [build_localized_fieldname("text", code) for code, _label in settings.LANGUAGES]
