"""Where the shop keeps personal data: each app declares its own models here.

The privacy app (the top layer) reads these declarations for the access log, the
personal-data browser, reports and exports; the apps below it never import privacy. An app
declares in its ``personal_data.py`` (a ``declare()`` called from ``AppConfig.ready()``)::

    from shop import personal_data
    personal_data.register(
        "orders.order",
        role=personal_data.ORDER,
        fields=("number", "created", "email", ...),
        subjects=order_subjects,
        email_fields=("email",),
        name_fields=("billing_first_name", "billing_last_name"),
    )

Models that nobody declares are still treated as personal when a foreign key leads to a
declared model or they have an e-mail field (see ``privacy.registry.is_personal``), so a new
table is covered by default; ``personal=False`` says a model shows no customer's data
although it looks like it (e.g. a department mailbox).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _

CUSTOMER = "customer"  # the account of a person: references ``customer:<pk>``
ORDER = "order"  # a purchase, also of guests known by e-mail: references ``order:<pk>``

# Why staff look at a model's rows: the purpose a data subject is told for each consultation
# of their data (CJEU C-579/21 Pankki S). An app's undeclared models take the purpose of its
# first declared model.
ORDER_PROCESSING = "order_processing"
CUSTOMER_SERVICE = "customer_service"
ACCOUNTING = "accounting"
MARKETING = "marketing"
MODERATION = "moderation"
DATA_PROTECTION = "data_protection"
DATA_SUBJECT = "data_subject"  # the person downloading their own data (privacy's account page)
ADMINISTRATION = "administration"
PURPOSES = {
    ORDER_PROCESSING: _("order processing"),
    CUSTOMER_SERVICE: _("customer service"),
    ACCOUNTING: _("accounting"),
    MARKETING: _("marketing"),
    MODERATION: _("review moderation"),
    DATA_PROTECTION: _("data protection request"),
    DATA_SUBJECT: _("data access by the data subject"),
    ADMINISTRATION: _("shop administration"),
}


@dataclass(frozen=True)
class Source:
    model: str  # "app_label.model_name"
    personal: bool = True
    role: str | None = None
    # Fields shown in reports and on the "Show" page, in this order (empty: every field
    # except secrets and the staff foreign keys).
    fields: tuple = ()
    # row -> list of references ("customer:1", "order:2", "email:a@b.c", "<label>:<pk>");
    # None: the row's own reference plus what its foreign keys and e-mail field point at.
    subjects: Callable | None = None
    # Fields that hold the person's e-mail address / first and last name (search); a path
    # across relations where the row keeps them elsewhere ("invoice__buyer_name").
    email_fields: tuple = ()
    name_fields: tuple = ()
    # email -> Q matching the rows addressed to it, for fields that are not plain e-mail
    # columns (e.g. the outbox's JSON list of recipients).
    email_lookup: Callable | None = None
    # Shown inside another record (order lines inside their order): no place of its own.
    shown_with: str | None = None
    # row -> title and extra fields of its record in a report.
    record_title: Callable | None = None
    record_extra: Callable | None = None
    # relations to prefetch when rows of this model are collected for a report
    prefetch: tuple = ()
    # why staff look at these rows (a key of PURPOSES)
    purpose: str | None = None
    # row -> True for an internal staff note (reports list them as their own category,
    # which the data protection officer may withhold with a recorded reason)
    staff_note: Callable | None = None
    # {field name: choices} for code fields stored without choices of their own (an
    # invoice's copy of the payment method's kind): reports print the label, not the code.
    choices: dict | None = None
    # row -> the id of the customer account the row is about, None: nobody's in particular.
    # A report of a person leaves out rows that belong to another account, however they were
    # reached (a gift card's ledger holds the redeeming customer's entries too).
    owner: Callable | None = None
    # Relation fields a report leaves out: they name another person (the account a gift
    # card went to).
    hidden_fields: tuple = ()


def field_value(row, path):
    """The value of ``path`` ("buyer_name", or across relations: "invoice__buyer_name") of
    ``row``; None where a relation on the way is empty."""
    value = row
    for part in path.split("__"):
        if value is None:
            return None
        value = getattr(value, part, None)
    return value


def customer_ref(pk):
    return f"customer:{pk}"


def order_ref(pk):
    return f"order:{pk}"


def email_ref(address):
    address = (address or "").strip().lower()
    return f"email:{address}" if address else None


_sources = {}


def register(model, **options):
    """Declare ``model`` ("app_label.model_name"); a second declaration replaces the first
    (``ready()`` may run twice in some test set-ups)."""
    label = model.lower()
    _sources[label] = Source(model=label, **options)


def source(label):
    return _sources.get(label)


def sources():
    return list(_sources.values())


def with_role(role):
    """The declaration that plays ``role`` (CUSTOMER, ORDER), or None."""
    return next((s for s in _sources.values() if s.role == role), None)


def declared_apps():
    """App labels that declared personal data: the apps whose tables are searched."""
    return {label.split(".", 1)[0] for label, s in _sources.items() if s.personal}


def searchable():
    """Declarations with name or e-mail fields, besides the customers' and orders' own: the
    personal-data browser searches these too (contact-form threads, reviews …)."""
    return [
        s
        for s in _sources.values()
        if s.personal and s.role is None and (s.name_fields or s.email_fields)
    ]


def purpose_of(label):
    """The purpose key for rows of ``label`` ("app.model", or just "app")."""
    declared = _sources.get(label)
    if declared is not None and declared.purpose:
        return declared.purpose
    app = label.split(".", 1)[0]
    for s in _sources.values():
        if s.model.split(".", 1)[0] == app and s.purpose:
            return s.purpose
    return ADMINISTRATION


# --- staff-facing views outside the backoffice ----------------------------------------------


@dataclass
class Shown:
    viewer: object
    rows: list
    action: str = "list"
    path: str | None = None
    note: str = ""


def shown(request, rows, *, viewer, action="list", path=None, note=""):
    """Mark that this request shows personal data (``rows``) to the staff member ``viewer``.

    For staff-facing views outside the backoffice, whose users are not logged in as usual
    (a feed read with a secret token, a signed export link): the access log (privacy)
    records the request like a backoffice page. ``path`` replaces the request's path in the
    log when the real one holds a secret.
    """
    request.personal_data_shown = Shown(viewer, list(rows), action, path, note)


# Sent by shown_by_command: command (its name), subjects (references), note.
command_shown = Signal()


def shown_by_command(command, subjects, *, note=""):
    """A management command wrote personal data (``subjects``, references such as
    ``order:7``) to a file or the terminal: the access log (privacy) records it like a
    backoffice export, named after the command and the system user who ran it. Call it
    after the data was written, with every subject the output names."""
    command_shown.send(sender=None, command=command, subjects=list(subjects), note=note)


def declare():
    """The shop's own declarations and those of the third-party apps it configures (called
    from ShopConfig.ready())."""
    from . import erasure, logins, mail, retention, stock_notices
    from .db import json_array_contains

    def outbox_subjects(email):
        return [ref for ref in (email_ref(a) for a in (email.to or [])) if ref]

    register(
        "shop.outboxemail",
        subjects=outbox_subjects,
        email_lookup=lambda address: json_array_contains("to", address),
    )
    # A bulk job's file (merged invoices, an order export) shows the data of the orders it
    # was started for: the job records their references in ``params["subjects"]``.
    register("shop.backgroundjob", subjects=lambda job: list(job.params.get("subjects", [])))
    retention.register(
        _("sent e-mails"),
        retention.OUTBOX,
        apply=lambda cutoff, dry_run: mail.purge_sent_before(cutoff, dry_run),
        action=retention.DELETE,
        models=("shop.outboxemail",),
    )
    # The login throttle (django-axes): the address typed as user name, IP, browser and time
    # of failed logins — and, written before AXES_DISABLE_ACCESS_LOG, of successful ones.
    # Deleted after LOGIN_RECORDS_RETENTION_DAYS and with an erased customer (shop.logins).
    login_fields = {
        "axes.accessattempt": ("username", "ip_address", "user_agent", "attempt_time"),
        "axes.accessfailurelog": ("username", "ip_address", "user_agent", "attempt_time"),
        "axes.accesslog": ("username", "ip_address", "user_agent", "attempt_time"),
    }
    for label, fields in login_fields.items():
        register(
            label,
            fields=fields,
            subjects=lambda row: [ref for ref in (email_ref(row.username),) if ref],
            email_fields=("username",),
            email_lookup=logins.username_lookup,
            purpose=ADMINISTRATION,
        )
    retention.register(
        _("login records"),
        retention.LOGINS,
        apply=logins.purge_before,
        action=retention.DELETE,
        models=tuple(login_fields),
    )
    erasure.register_address_data("login records", logins.forget)
    # Back-in-stock notices (shop.stock_notices): an address waiting for a sold-out product.
    register(
        "shop.stocknotice",
        fields=("product", "email", "language", "created", "confirmed_at", "sent_at"),
        subjects=lambda row: [ref for ref in (email_ref(row.email),) if ref],
        email_fields=("email",),
        purpose=CUSTOMER_SERVICE,
    )
    retention.register(
        _("back-in-stock notices"),
        retention.STOCK_NOTICES,
        apply=stock_notices.purge_before,
        action=retention.DELETE,
        models=("shop.stocknotice",),
    )
    erasure.register_address_data("back-in-stock notices", stock_notices.forget)
    # A user foreign key, but no customer's data: staff groups, the admin's change history,
    # second factors, object permissions, sessions.
    for label in (
        "auth.group",
        "admin.logentry",
        "otp_totp.totpdevice",
        "otp_static.staticdevice",
        "otp_static.statictoken",
        "axes.accessattemptexpiration",  # when an attempt ends; goes with it
        "guardian.userobjectpermission",
        "guardian.groupobjectpermission",
        "sessions.session",
    ):
        register(label, personal=False)
