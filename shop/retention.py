"""Retention of personal data: how long each category is kept, and what happens then.

The *categories* are the shop's legal concepts (below: their periods come from the
``RetentionPolicy`` row or the environment, the help texts name the law). Each app
registers *rules* for its own rows in its ``personal_data.declare()`` — which rows fall
under a category once the period is over and how they are anonymised or deleted::

    from shop import retention
    retention.register(
        _("guest orders"),  # gettext_lazy: shown in the reader's language
        retention.GUEST_DATA,
        apply=anonymise_guest_orders,  # (cutoff, dry_run) -> number of rows
        action=retention.ANONYMISE,
        models=("orders.order",),
    )

:func:`run` applies every rule: daily by beat (``shop.tasks.apply_retention``), or
``manage.py apply_retention [--dry-run]``. A rule handles rows older than its category's
*cutoff*; each rule runs in its own transaction, a failing one is recorded and the others go
on. Every run is a ``RetentionRun`` row and a line in the application log. ``run()`` calls
``apply`` with ``dry_run=False`` also for a dry run, which it rolls back (see there);
``dry_run=True`` is for callers that only count.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

log = logging.getLogger("shop.retention")

INVOICES = "invoices"
ORDERS = "orders"
GUEST_DATA = "guest_data"
THREADS = "threads"
REVIEWS = "reviews"
OUTBOX = "outbox"
LOGINS = "logins"
ACCESS_LOG = "access_log"
STOCK_NOTICES = "stock_notices"
# Days after which sent and never-confirmed back-in-stock notices are deleted (settings may
# override it with STOCK_NOTICE_RETENTION_DAYS).
STOCK_NOTICE_DAYS = 90

ANONYMISE = "anonymise"
DELETE = "delete"
ACTIONS = {ANONYMISE: _("anonymised"), DELETE: _("deleted")}

# The legal period for invoices and credit notes by the seller's country: (years, extra
# years before the count starts at the end of the document's calendar year). Germany: 8
# years for invoices and other Buchungsbelege since 1 January 2025 (§ 147 Abs. 3 AO, § 257
# Abs. 4 HGB, § 14b Abs. 1 UStG as amended by the Viertes Bürokratieentlastungsgesetz; it
# applies to every document whose 10 years had not run out by then). An operator whose
# documents matter for a tax assessment still open keeps them longer (``invoice_years``).
INVOICE_LAW = {"DE": (8, 0), "PL": (5, 1), "DK": (5, 0)}


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    # "year_end": counted from the end of the calendar year of the record; "date": from
    # the record's own date (creation, sending, closing).
    counted_from: str
    law: str


CATEGORIES = {
    c.key: c
    for c in [
        Category(
            INVOICES,
            _("Invoices and credit notes"),
            "year_end",
            _("DE § 147 AO; PL art. 70, 86 Ordynacja podatkowa; DK bogføringsloven"),
        ),
        Category(
            ORDERS,
            _("Orders without invoice"),
            "year_end",
            _("limitation period: DE § 195 BGB, PL art. 118 KC, DK forældelsesloven § 3"),
        ),
        Category(
            GUEST_DATA,
            _("Guest data"),
            "date",
            _("legal guarantee, Directive (EU) 2019/771 Art. 10"),
        ),
        Category(
            THREADS,
            _("Helpdesk threads (after closing)"),
            "date",
            _("storage limitation, GDPR Art. 5(1)(e)"),
        ),
        Category(REVIEWS, _("Reviews"), "date", _("until erased, GDPR Art. 17")),
        # The periods of these three are set by the shop (OUTBOX_RETENTION_DAYS,
        # LOGIN_RECORDS_RETENTION_DAYS, ACCESS_LOG_RETENTION_DAYS); the text is the reason a
        # data subject reads in their report, never a setting's name.
        Category(
            OUTBOX,
            _("Sent e-mails"),
            "date",
            _(
                "copies kept for questions about what was sent; storage limitation, GDPR Art. 5(1)(e)"
            ),
        ),
        Category(
            LOGINS,
            _("Failed logins"),
            "date",
            _("protection against password guessing, GDPR Art. 32"),
        ),
        Category(
            ACCESS_LOG,
            _("Access log"),
            "date",
            _("proof of who consulted personal data and why, GDPR Art. 5(2) and Art. 32"),
        ),
        # Sent notices and those never confirmed (shop.stock_notices); a confirmed notice
        # waits for the stock a year at most (stock_notices.WAIT_DAYS), unless it is sent,
        # cancelled or its person erased before.
        Category(
            STOCK_NOTICES,
            _("Back-in-stock notices (sent, not confirmed, or waiting a year)"),
            "date",
            _("storage limitation, GDPR Art. 5(1)(e)"),
        ),
    ]
}


@dataclass(frozen=True)
class Period:
    """``amount`` ``unit`` ("years", "days") after the start; None amount: kept until erased."""

    amount: int | None
    unit: str
    extra_years: int = 0

    def __str__(self):
        if self.amount is None:
            return str(_("until erased"))
        if self.unit == "days":
            return ngettext("%(n)s day", "%(n)s days", self.amount) % {"n": self.amount}
        return ngettext("%(n)s year", "%(n)s years", self.amount) % {"n": self.amount}


def period(category, policy=None):
    """The period of ``category`` under the shop's policy (and environment)."""
    from .models import RetentionPolicy

    if category == OUTBOX:
        return Period(settings.OUTBOX_RETENTION_DAYS or None, "days")
    if category == ACCESS_LOG:
        return Period(settings.ACCESS_LOG_RETENTION_DAYS, "days")
    if category == LOGINS:
        return Period(settings.LOGIN_RECORDS_RETENTION_DAYS, "days")
    if category == STOCK_NOTICES:
        return Period(getattr(settings, "STOCK_NOTICE_RETENTION_DAYS", STOCK_NOTICE_DAYS), "days")
    policy = policy or RetentionPolicy.load()
    if category == INVOICES:
        years, extra = INVOICE_LAW.get(policy.country, INVOICE_LAW["DE"])
        if policy.invoice_years:
            years = policy.invoice_years
        return Period(years, "years", extra)
    years = {
        ORDERS: policy.order_years,
        GUEST_DATA: policy.guest_years,
        THREADS: policy.thread_years,
        REVIEWS: policy.review_years,
    }[category]
    return Period(years, "years")


def _years_before(moment, years):
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)


def cutoff(category, now=None, policy=None):
    """Records of ``category`` dated before this moment are past their period (None: keep)."""
    now = now or timezone.now()
    span = period(category, policy)
    if span.amount is None:
        return None
    if span.unit == "days":
        return now - timedelta(days=span.amount)
    if CATEGORIES[category].counted_from == "year_end":
        # A record of year Y is kept until the end of year Y + extra + amount.
        local = timezone.localtime(now)
        year = local.year - span.amount - span.extra_years
        return datetime(year, 1, 1, tzinfo=local.tzinfo)
    return _years_before(now, span.amount)


def expires(category, moment, policy=None):
    """The day a record of ``category`` dated ``moment`` passes its period (None: never)."""
    span = period(category, policy)
    if span.amount is None or moment is None:
        return None
    if span.unit == "days":
        return timezone.localdate(moment + timedelta(days=span.amount))
    if CATEGORIES[category].counted_from == "year_end":
        year = timezone.localtime(moment).year + span.extra_years + span.amount + 1
        return datetime(year, 1, 1).date()
    return timezone.localdate(_years_before(moment, -span.amount))


@dataclass(frozen=True)
class Rule:
    name: str  # in the reader's language (a lazy translation)
    category: str
    apply: object  # (cutoff, dry_run) -> int
    action: str
    models: tuple = ()
    # The name untranslated: the rule's key, and its name in the runs' results and the log
    key: str = ""


_rules = {}


def _untranslated(text):
    with translation.override(None):
        return str(text)


def register(name, category, *, apply, action, models=()):
    """Register a rule (a second registration of ``name`` replaces the first). ``name``: a
    lazy translation (``gettext_lazy``), shown to people in their language."""
    if category not in CATEGORIES:
        raise ValueError(f"unknown retention category {category!r}")
    if action not in ACTIONS:
        raise ValueError(f"unknown retention action {action!r}")
    key = _untranslated(name)
    _rules[key] = Rule(name, category, apply, action, tuple(models), key)


def rules():
    order = list(CATEGORIES)
    return sorted(_rules.values(), key=lambda r: (order.index(r.category), r.key))


def rule_name(key):
    """The name of the rule recorded as ``key`` (a run's results) in the active language;
    the key itself for a rule no longer registered."""
    rule = _rules.get(key)
    return str(rule.name) if rule is not None else key


def rules_for(model_label):
    return [r for r in rules() if model_label in r.models]


def run(*, dry_run=False, trigger="beat", now=None):
    """Apply every rule; returns the results (and records the run unless ``dry_run``).

    A dry run applies the rules exactly as the real run does, in one transaction that is
    rolled back at the end: a rule then counts only what the rules before it in the same run
    left (an order anonymised as "order without invoice" is no longer a guest order to
    anonymise), so the dry run reports what the real run would do. Side effects after commit
    (files deleted with helpdesk threads, e-mails) never happen in a dry run.
    """
    if not dry_run:
        return _run(dry_run=False, trigger=trigger, now=now)
    with transaction.atomic():
        try:
            return _run(dry_run=True, trigger=trigger, now=now)
        finally:
            transaction.set_rollback(True)


def _run(*, dry_run, trigger, now):
    from .models import RetentionPolicy, RetentionRun

    now = now or timezone.now()
    policy = RetentionPolicy.load()
    results, ok = [], True
    for rule in rules():
        limit = cutoff(rule.category, now, policy)
        result = {
            "rule": rule.key,
            "category": rule.category,
            "action": rule.action,
            "period": str(period(rule.category, policy)),
            "cutoff": limit.isoformat() if limit else None,
            "count": 0,
            "error": "",
        }
        if limit is not None:
            try:
                with transaction.atomic():  # a savepoint in a dry run
                    result["count"] = int(rule.apply(limit, False) or 0)
            except Exception as exc:  # one broken rule must not stop the others
                ok = False
                result["error"] = f"{type(exc).__name__}: {exc}"[:500]
                log.exception("retention rule %s failed", rule.key)
        results.append(result)
        if limit is None:
            outcome = "kept"
        else:
            outcome = f"{result['count']} {rule.action if not dry_run else f'to {rule.action}'}"
        # A dry run changes nothing: not a line of the application log (its caller prints
        # the results; apply_retention --dry-run printed each line twice).
        log.log(
            logging.DEBUG if dry_run else logging.INFO,
            "retention%s: %s (%s, %s): %s%s",
            " (dry run)" if dry_run else "",
            rule.key,
            rule.category,
            result["period"],
            outcome,
            f" — ERROR {result['error']}" if result["error"] else "",
        )
    if dry_run:
        return None, results
    record = RetentionRun.objects.create(
        started=now, finished=timezone.now(), trigger=trigger, ok=ok, results=results
    )
    return record, results
