import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shop.fields import EmailField

from . import links

TOKEN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_token():
    """Short, unguessable thread token (also the ``[#T-<token>]`` tag in mail subjects)."""
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(12))


class ContactTopic(models.Model):
    name = models.CharField(_("name"), max_length=100)
    recipient_email = EmailField(
        _("recipient e-mail"), help_text=_("Contact requests on this topic are e-mailed here.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("contact topic")
        verbose_name_plural = _("contact topics")

    def __str__(self):
        return self.name


class ThreadQuerySet(models.QuerySet):
    def needing_attention(self):
        return self.filter(status__in=[Thread.Status.REPORTED, Thread.Status.CUSTOMER_REPLIED])


class Thread(models.Model):
    class Status(models.TextChoices):
        REPORTED = "reported", _("Reported")
        OPERATOR_REPLIED = "operator_replied", _("Operator replied")
        CUSTOMER_REPLIED = "customer_replied", _("Customer replied")
        CLOSED = "closed", _("Closed")
        FORWARDED_MARKETING = "fwd_marketing", _("Forwarded to Marketing")
        FORWARDED_SALES = "fwd_sales", _("Forwarded to Sales")
        FORWARDED_PAYMENTS = "fwd_payments", _("Forwarded to Payments")
        FORWARDED_MANAGER = "fwd_manager", _("Forwarded to Store manager")

    # Forwarding status -> the role group (shop/roles.py) that gets the thread.
    DEPARTMENTS = {
        Status.FORWARDED_MARKETING: "Marketing",
        Status.FORWARDED_SALES: "Sales",
        Status.FORWARDED_PAYMENTS: "Payments",
        Status.FORWARDED_MANAGER: "Shop manager",
    }

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
    language = models.CharField(_("language"), max_length=5, default="en")
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REPORTED
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
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
        ]

    def __str__(self):
        return f"#{self.pk} {self.subject}"

    def get_absolute_url(self):
        """The customer's page for this thread: the account page, or the signed guest link."""
        if self.customer_id:
            return reverse("helpdesk:account_thread", args=[self.pk])
        return links.signed_thread_path(self)

    @property
    def subject_tag(self):
        return f"[#T-{self.token}]"

    @property
    def department(self):
        return self.DEPARTMENTS.get(self.status)


class Message(models.Model):
    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        OPERATOR = "operator", _("Operator")
        NOTE = "note", _("Internal note")

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
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


class CannedReply(models.Model):
    title = models.CharField(_("title"), max_length=100)
    text = models.TextField(_("text"))
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "title"]
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")

    def __str__(self):
        return self.title
