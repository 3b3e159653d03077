"""Uses per customer for single-use campaigns too (a person holding five codes of "Welcome
5 EUR" used all five), backed by a check: at least 1, never on personal codes (assigned, or
sold for loyalty points).

Rows the check would refuse lose the value first: a limit of 0 meant "unlimited" already
(the checkout tested it for truth), and the services never let an assigned or points campaign
have one."""

import django.core.validators
from django.db import migrations, models


def clear_limits_the_check_refuses(apps, schema_editor):
    Campaign = apps.get_model("vouchers", "Campaign")
    Campaign.objects.filter(per_customer_limit__isnull=False).filter(
        models.Q(per_customer_limit__lt=1)
        | models.Q(kind="assigned")
        | models.Q(points_price__isnull=False)
    ).update(per_customer_limit=None)


class Migration(migrations.Migration):
    dependencies = [
        ("vouchers", "0013_budget_within_float_tolerance"),
    ]

    operations = [
        migrations.AlterField(
            model_name="campaign",
            name="per_customer_limit",
            field=models.PositiveIntegerField(
                blank=True,
                help_text=(
                    "How often one person may use the campaign, all its codes together "
                    "(multi-use and single-use codes not sold for points). A person is their "
                    "account and their e-mail address: anna+shop@example.com counts as "
                    "anna@example.com, dots in Gmail addresses are ignored. Empty = unlimited."
                ),
                null=True,
                validators=[django.core.validators.MinValueValidator(1)],
                verbose_name="uses per customer",
            ),
        ),
        migrations.RunPython(clear_limits_the_check_refuses, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="campaign",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("per_customer_limit__isnull", True),
                    models.Q(
                        ("per_customer_limit__gte", 1),
                        ("points_price__isnull", True),
                        models.Q(("kind", "assigned"), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="campaign_per_customer_limit_valid",
                violation_error_message=(
                    "Uses per customer apply to multi-use and single-use codes not sold for "
                    "loyalty points, and must be at least 1."
                ),
            ),
        ),
    ]
