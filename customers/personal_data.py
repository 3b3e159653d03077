"""The customers' personal data, declared for the privacy registry (see shop.personal_data)."""

from django.utils.translation import gettext as _

from shop import personal_data


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
