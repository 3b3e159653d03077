"""The numbers of the shop settings within what their form allows, as database checks: a
negative loyalty rate, no downloads per link, a withdrawal period under the legal 14 days …
Rows written before (a negative rate was accepted) are brought into range first."""

from decimal import Decimal

import django.core.validators
from django.db import migrations, models
from django.db.models import Q


def into_range(apps, schema_editor):
    settings = apps.get_model("shop", "ShopSettings").objects
    settings.filter(default_open_amount_limit__lt=0).update(default_open_amount_limit=0)
    settings.filter(loyalty_points_per_euro__lt=0).update(loyalty_points_per_euro=0)
    settings.filter(download_expiry_days__lt=1).update(download_expiry_days=1)
    settings.filter(download_max_count__lt=1).update(download_max_count=1)
    settings.filter(withdrawal_period_days__lt=14).update(withdrawal_period_days=14)
    settings.filter(withdrawal_period_days__gt=365).update(withdrawal_period_days=365)
    settings.filter(delivery_transit_days__gt=60).update(delivery_transit_days=60)


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0021_sent_forms"),
    ]

    operations = [
        migrations.RunPython(into_range, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="shopsettings",
            name="download_expiry_days",
            field=models.PositiveIntegerField(
                default=14,
                validators=[django.core.validators.MinValueValidator(1)],
                verbose_name="download link valid (days)",
            ),
        ),
        migrations.AlterField(
            model_name="shopsettings",
            name="download_max_count",
            field=models.PositiveIntegerField(
                default=5,
                validators=[django.core.validators.MinValueValidator(1)],
                verbose_name="downloads per link",
            ),
        ),
        migrations.AlterField(
            model_name="shopsettings",
            name="loyalty_points_per_euro",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("1.00"),
                help_text="0 = customers earn no points.",
                max_digits=6,
                validators=[django.core.validators.MinValueValidator(Decimal("0.00"))],
                verbose_name="loyalty points per currency unit",
            ),
        ),
        migrations.AddConstraint(
            model_name="shopsettings",
            constraint=models.CheckConstraint(
                condition=Q(("default_open_amount_limit__gte", 0)),
                name="shopsettings_open_amount_limit_not_negative",
            ),
        ),
        migrations.AddConstraint(
            model_name="shopsettings",
            constraint=models.CheckConstraint(
                condition=Q(("loyalty_points_per_euro__gte", 0)),
                name="shopsettings_loyalty_rate_not_negative",
            ),
        ),
        migrations.AddConstraint(
            model_name="shopsettings",
            constraint=models.CheckConstraint(
                condition=Q(("download_expiry_days__gte", 1), ("download_max_count__gte", 1)),
                name="shopsettings_downloads_possible",
            ),
        ),
        migrations.AddConstraint(
            model_name="shopsettings",
            constraint=models.CheckConstraint(
                condition=Q(
                    ("withdrawal_period_days__gte", 14), ("withdrawal_period_days__lte", 365)
                ),
                name="shopsettings_withdrawal_period_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="shopsettings",
            constraint=models.CheckConstraint(
                condition=Q(("delivery_transit_days__lte", 60)),
                name="shopsettings_delivery_transit_days_at_most_60",
            ),
        ),
    ]
