"""The access log of personal data (append-only, hash-chained) and disclosures (SPEC S11).

Subject references are short strings, so an entry can name data subjects of any app without
a foreign key to it: ``customer:<pk>``, ``order:<pk>``, ``email:<address>`` (a guest known only
by e-mail) and ``<app_label>.<model_name>:<pk>`` for everything else (see privacy.registry).
"""

from django.conf import settings
from django.db import models
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from shop.fields import EMAIL_MAX_LENGTH

GENESIS_HASH = "0" * 64


def keep_staff_who_looked(collector, field, sub_objs, using):
    """``on_delete`` of an access-log entry's user. A staff account that looked at personal
    data is not deleted (ProtectedError, as PROTECT): an auditor must always be able to
    follow who looked; deactivate it instead. A customer's account is: the entries of its
    own data downloads (GDPR Art. 15) must not stop its erasure (Art. 17). An entry keeps
    the id and the address it was written with either way (both are hashed in the chain)."""
    staff = sub_objs.filter(user__is_staff=True)
    if staff.exists():
        raise ProtectedError(
            "Cannot delete a staff account that has looked at personal data "
            f"(referenced through '{field.model.__name__}.{field.name}'); deactivate it.",
            staff,
        )


class AccessLogEntry(models.Model):
    class Action(models.TextChoices):
        LIST = "list", _("list")
        SEARCH = "search", _("search")
        DETAIL = "detail", _("detail")
        EXPORT = "export", _("export")
        PRINT = "print", _("print")
        CHANGE = "change", _("change")
        PURGE = "purge", _("retention purge")

    time = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    # Who looked: a staff account, or a customer downloading their own data. Without a
    # database constraint: the id is part of the hashed entry and stays as it was written.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff user"),
        null=True,
        blank=True,
        on_delete=keep_staff_who_looked,
        db_constraint=False,
        related_name="+",
    )
    username = models.CharField(_("user name"), max_length=EMAIL_MAX_LENGTH)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    subjects = models.JSONField(_("data subjects"), default=list, blank=True)
    path = models.CharField(_("path"), max_length=500)
    ip = models.CharField(_("IP address"), max_length=45, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    # Not unique in the database: on PostgreSQL the table is partitioned by month
    # (privacy/0005), and a unique index there would have to include the time.
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        indexes = [models.Index(fields=["user", "-time"])]
        permissions = [("export_accesslogentry", _("Can export the access log (CSV)"))]

    def __str__(self):
        return f"#{self.pk} {self.username} {self.get_action_display()} {self.path}"


class AccessLogHead(models.Model):
    """The newest entry of the chain: one row, moved forward with each append.

    Locking this row serialises appends (no forked chain under concurrency, times in the
    order of the ids) and lets ``verify_access_log`` notice entries missing at the end of
    the chain. On PostgreSQL a trigger lets it move only forward, to an existing entry.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    prev_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    last_id = models.BigIntegerField(default=0)
    last_time = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("access log head")
        verbose_name_plural = _("access log heads")

    def __str__(self):
        return self.last_hash


class AccessLogAnchor(models.Model):
    """Where the chain continues after a retention purge: the hash of the last purged entry."""

    time = models.DateTimeField(_("time"), default=timezone.now)
    cutoff = models.DateTimeField(_("purged entries older than"))
    last_purged_id = models.BigIntegerField(_("last purged entry"))
    last_purged_hash = models.CharField(_("hash of the last purged entry"), max_length=64)
    purged = models.PositiveIntegerField(_("entries purged"))

    class Meta:
        ordering = ["-id"]
        verbose_name = _("access log anchor")
        verbose_name_plural = _("access log anchors")

    def __str__(self):
        return f"purge of {self.cutoff:%Y-%m-%d}: {self.purged} entries"


class Disclosure(models.Model):
    """Personal data of a subject handed to a third party (recipient, scope, date)."""

    subject = models.CharField(_("data subject"), max_length=300, db_index=True)
    subject_name = models.CharField(_("subject name"), max_length=300, blank=True)
    date = models.DateField(_("date"))
    recipient = models.CharField(_("recipient"), max_length=300)
    scope = models.TextField(_("scope"), help_text=_("Which data was handed over, and why."))
    created = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")

    def __str__(self):
        return f"{self.date} → {self.recipient}"


class Subject(models.Model):
    """No table: gives the personal-data browser its place and permissions in the backoffice."""

    class Meta:
        managed = False
        default_permissions = ("view",)
        verbose_name = _("personal-data browser")
        verbose_name_plural = _("personal-data browser")

    def __str__(self):
        return str(self._meta.verbose_name)


class AccessReport(models.Model):
    """A personal-data report handed to a data subject (GDPR Art. 15), and what the data
    protection officer decided for it: categories withheld to protect others (Art. 15(4))
    and staff names added to the access history — each with its reason."""

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        JSON = "json", "JSON"

    subject = models.CharField(_("data subject"), max_length=300, db_index=True)
    subject_name = models.CharField(_("subject name"), max_length=300, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    language = models.CharField(_("language"), max_length=5)
    # [{"key": place key, "place": its name, "records": count, "reason": why}]
    withheld = models.JSONField(_("withheld categories"), default=list, blank=True)
    staff_names_reason = models.TextField(
        _("why staff names are included"),
        blank=True,
        help_text=_("Empty: the access history shows no staff names."),
    )

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("access report")
        verbose_name_plural = _("access reports")

    def __str__(self):
        return f"{self.subject_name or self.subject} · {self.created:%Y-%m-%d} ({self.format})"


class ErasureRecord(models.Model):
    """That a customer was erased (GDPR Art. 17), for the accountability of Art. 5(2): the
    customer number, when, by whom and how many of the person's records were anonymised,
    deleted or kept — counts only, nothing that identifies the person beyond the number.
    Written in the erasure's transaction (``privacy.receivers``); read-only in the
    backoffice."""

    customer_number = models.CharField(_("customer number"), max_length=20, db_index=True)
    erased_at = models.DateTimeField(_("erased"), default=timezone.now, db_index=True)
    # None with ``by_customer``: the customer deleted their own account.
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("erased by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The staff member's login as it was, should their account be deleted later.
    staff_name = models.CharField(_("staff user"), max_length=EMAIL_MAX_LENGTH, blank=True)
    by_customer = models.BooleanField(_("self-deletion"), default=False)
    test_customer = models.BooleanField(_("test customer"), default=False)
    # {"orders_anonymised": n, "orders_deleted": n, "orders_canceled": n, "invoices_kept": n,
    #  "credit_notes_kept": n, "vat_id_checks_kept": n, "threads_anonymised": n,
    #  "threads_deleted": n,
    #  "reviews_anonymised": n, "reviews_deleted": n}
    counts = models.JSONField(_("what was done"), default=dict, blank=True)

    class Meta:
        ordering = ["-erased_at", "-id"]
        default_permissions = ("view",)
        verbose_name = _("erasure record")
        verbose_name_plural = _("erasure records")

    def __str__(self):
        return f"{self.customer_number} · {self.erased_at:%Y-%m-%d %H:%M}"

    @property
    def erased_by_display(self):
        if self.by_customer:
            return _("the customer themselves")
        return self.staff_name or "–"

    def summary(self):
        """What was done, in the reader's language: one sentence."""
        counts = self.counts or {}
        parts = [
            str(phrase % {"n": counts[key]}) for key, phrase in ERASURE_PHRASES if counts.get(key)
        ]
        return _("Customer %(number)s erased: %(done)s.") % {
            "number": self.customer_number,
            "done": "; ".join(parts) if parts else _("no orders, helpdesk threads or reviews"),
        }


# The parts of ``ErasureRecord.summary``, in this order (``counts`` keys).
ERASURE_PHRASES = [
    ("orders_anonymised", ngettext_lazy("%(n)d order anonymised", "%(n)d orders anonymised", "n")),
    ("orders_deleted", ngettext_lazy("%(n)d order deleted", "%(n)d orders deleted", "n")),
    (
        "orders_canceled",
        ngettext_lazy(
            "%(n)d unpaid order canceled first", "%(n)d unpaid orders canceled first", "n"
        ),
    ),
    (
        "invoices_kept",
        ngettext_lazy("%(n)d invoice kept (tax law)", "%(n)d invoices kept (tax law)", "n"),
    ),
    (
        "credit_notes_kept",
        ngettext_lazy("%(n)d credit note kept (tax law)", "%(n)d credit notes kept (tax law)", "n"),
    ),
    # tax proof of the invoices without VAT: deleted with them by the retention
    (
        "vat_id_checks_kept",
        ngettext_lazy(
            "%(n)d VIES check of a VAT ID kept (tax law)",
            "%(n)d VIES checks of VAT IDs kept (tax law)",
            "n",
        ),
    ),
    (
        "threads_anonymised",
        ngettext_lazy("%(n)d helpdesk thread anonymised", "%(n)d helpdesk threads anonymised", "n"),
    ),
    (
        "threads_deleted",
        ngettext_lazy("%(n)d helpdesk thread deleted", "%(n)d helpdesk threads deleted", "n"),
    ),
    (
        "reviews_anonymised",
        ngettext_lazy("%(n)d review anonymised", "%(n)d reviews anonymised", "n"),
    ),
    ("reviews_deleted", ngettext_lazy("%(n)d review deleted", "%(n)d reviews deleted", "n")),
]
