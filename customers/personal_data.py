"""The customers' personal data, declared for the privacy registry (see shop.personal_data)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shop import personal_data, retention


def delete_vat_id_checks(cutoff, dry_run=False):
    """VIES checks (``customers.VatIdCheck``) made before ``cutoff``: the invoices' period
    (a check is the proof behind its buyer's invoices without VAT, made the day the order
    was placed), counted like theirs from the end of the check's year."""
    from .models import VatIdCheck

    checks = VatIdCheck.objects.filter(checked_at__lt=cutoff)
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
