"""A campaign's ``discount_spent`` (added up by the redemptions in the database) stays within
its budget give or take a tenth of a cent (``shop.money.SUM_TOLERANCE``): SQLite, the
embedded database of ``make run``, adds decimals as floats, so 0.10 + 0.20 spent of a budget
of 0.30 was refused there. PostgreSQL's numeric(…, 2) columns hold whole cents: the same
rows pass as before."""

from decimal import Decimal

from django.db import migrations, models
from django.db.models.expressions import CombinedExpression


class Migration(migrations.Migration):
    dependencies = [
        ("vouchers", "0012_code_mail_optout"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="campaign",
            name="campaign_within_budget",
        ),
        migrations.AddConstraint(
            model_name="campaign",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("discount_spent__gte", 0),
                    models.Q(
                        ("budget__isnull", True),
                        (
                            "discount_spent__lte",
                            CombinedExpression(
                                models.F("budget"), "+", models.Value(Decimal("0.001"))
                            ),
                        ),
                        _connector="OR",
                    ),
                ),
                name="campaign_within_budget",
                violation_error_message="The budget cannot be lower than the discount already granted.",
            ),
        ),
    ]
