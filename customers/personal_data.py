"""The customers' personal data, declared for the privacy registry (see shop.personal_data)."""

from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shop import personal_data, retention

# What rests on a VIES check in the apps above (the orders' invoices): each registers, in its
# ``personal_data.declare()``, ``still_proves(cutoff, window)`` -> a condition on
# ``VatIdCheck`` rows (``Exists(...)`` with ``OuterRef("vat_id")``/``OuterRef("checked_at")``)
# that holds for a check still needed after ``cutoff``. The customers app cannot read the
# orders (a lower app never imports a higher one): :func:`delete_vat_id_checks` asks these.
_check_uses = {}


def register_vat_id_check_use(name, still_proves):
    """Declare what keeps a VIES check (a second registration of ``name`` replaces the
    first)."""
    _check_uses[name] = still_proves


def vat_id_check_window():
    """How long after a check an order may rest on it: a confirmation is reused for
    ``VIES_CACHE_HOURS`` (customers.vies.cached_confirmation)."""
    return timedelta(hours=float(getattr(settings, "VIES_CACHE_HOURS", 24)))


def delete_vat_id_checks(cutoff, dry_run=False):
    """VIES checks (``customers.VatIdCheck``) made before ``cutoff`` (the invoices' period:
    a check is the proof behind its buyer's invoices without VAT), unless a document still
    kept rests on it.

    A confirmation is reused for ``VIES_CACHE_HOURS``: a check of 31 December may prove an
    order of 1 January, whose invoice is kept a year longer than the check's own year
    says. So a check stays while an order of its VAT ID placed within that window after it
    is kept — as the apps above declare it (:func:`register_vat_id_check_use`; orders: an
    invoice of that VAT ID and order date kept by its own period, or such an order placed
    after ``cutoff`` and not invoiced yet). The window, not "any kept invoice of the VAT
    ID": a regular buyer's every check since their first order would stay for as long as
    they buy. Only checks older than ``cutoff`` are looked at, and only the documents of
    their VAT ID around their own moment — cheap for a daily run."""
    from .models import VatIdCheck

    checks = VatIdCheck.objects.filter(checked_at__lt=cutoff)
    window = vat_id_check_window()
    for still_proves in _check_uses.values():
        checks = checks.exclude(still_proves(cutoff, window))
    if dry_run:
        return checks.count()
    return checks.delete()[0]


def declare():
    personal_data.register(
        "customers.user",
        role=personal_data.CUSTOMER,
        fields=(
            "email",
            "pending_email",
            "pending_email_requested_at",
            "customer_number",
            "first_name",
            "last_name",
            "company",
            "vat_id",
            "buyer_reference",
            "purchase_order_reference",
            "phone",
            "language",
            "group",
            "is_rejected",
            "is_test",
            "open_amount_limit",
            "date_joined",
            "last_login",
            "is_active",
        ),
        subjects=lambda user: [personal_data.customer_ref(user.pk)],
        email_fields=("email",),
        name_fields=("first_name", "last_name"),
        record_title=lambda user: _("Customer account"),
        purpose=personal_data.CUSTOMER_SERVICE,
    )
    personal_data.register(
        "customers.address",
        fields=(
            "first_name",
            "last_name",
            "company",
            "street",
            "postcode",
            "city",
            "country",
            "phone",
            "is_default",
        ),
        name_fields=("first_name", "last_name"),
        record_title=lambda address: _("Address"),
        purpose=personal_data.CUSTOMER_SERVICE,
    )
    # The registered name and address of a buyer's VAT ID as VIES stated them (a sole
    # trader's are a person's): tax proof of the reverse charge, kept like the invoices
    # (legal obligation, GDPR Art. 17(3)(b)) and then deleted; not taken out by an erasure.
    personal_data.register(
        "customers.vatidcheck",
        fields=("vat_id", "checked_at", "result", "name", "address", "request_identifier"),
        name_fields=("name",),
        record_title=lambda check: _("VIES check of a VAT ID"),
        purpose=personal_data.ACCOUNTING,
    )
    retention.register(
        gettext_lazy("VIES checks of VAT IDs"),
        retention.INVOICES,
        apply=delete_vat_id_checks,
        action=retention.DELETE,
        models=("customers.vatidcheck",),
    )
