"""A partner offer without a code or link, or ending before it starts, is refused by the
backoffice form with words instead of "Constraint … is violated" (no change in the
database)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("vouchers", "0008_limits_said_in_language"),
    ]

    operations = [
        migrations.AlterConstraint(
            model_name="partneroffer",
            name="partneroffer_code_or_link",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("voucher_code", ""), _negated=True),
                    models.Q(("link_url", ""), _negated=True),
                    _connector="OR",
                ),
                name="partneroffer_code_or_link",
                violation_error_message="Please give a voucher code or a link (or both).",
            ),
        ),
        migrations.AlterConstraint(
            model_name="partneroffer",
            name="partneroffer_valid_range",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("valid_from__isnull", True),
                    ("valid_to__isnull", True),
                    ("valid_to__gte", models.F("valid_from")),
                    _connector="OR",
                ),
                name="partneroffer_valid_range",
                violation_error_message="“Valid to” is before “valid from”.",
            ),
        ),
    ]
