"""Renaming a campaign to another's name in another case is refused with words instead of
"Constraint “campaign_name_unique_ci” is violated." (no change in the database)."""

import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("vouchers", "0014_per_customer_limit_single_use"),
    ]

    operations = [
        migrations.AlterConstraint(
            model_name="campaign",
            name="campaign_name_unique_ci",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("name"),
                name="campaign_name_unique_ci",
                violation_error_message="A campaign with this name already exists.",
            ),
        ),
    ]
