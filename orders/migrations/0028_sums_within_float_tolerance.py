"""The constraints on sums compare within a tenth of a cent (``SUM_TOLERANCE``): those that
add amounts up, and the order's ``credited_total``, which the refunds add up in the database.

SQLite, the embedded database of ``make run``, computes decimals as floats: a credit note of
0.10 + 0.20 failed ``grand_total = …`` against 0.30 there, and ``seed_demo`` crashed. On
PostgreSQL the columns are numeric(12, 2), whole cents, so "within 0.001" is "equal" and
"at most 0.001 more" is "at most": the same rows pass as before (re-adding the constraints
only checks them again)."""

from decimal import Decimal

import django.db.models.functions.math
import django.db.models.lookups
from django.db import migrations, models
from django.db.models.expressions import CombinedExpression

TOLERANCE = Decimal("0.001")


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0027_credit_note_store_credit"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="creditnote",
            name="credit_note_total_adds_up",
        ),
        migrations.RemoveConstraint(
            model_name="creditnote",
            name="credit_note_money_back_within_total",
        ),
        migrations.RemoveConstraint(
            model_name="invoice",
            name="invoice_paid_within_total",
        ),
        migrations.RemoveConstraint(
            model_name="order",
            name="order_credited_within_total",
        ),
        migrations.AddConstraint(
            model_name="creditnote",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThan(
                    django.db.models.functions.math.Abs(
                        CombinedExpression(
                            CombinedExpression(
                                CombinedExpression(
                                    CombinedExpression(
                                        models.F("goods_total"), "-", models.F("discount_total")
                                    ),
                                    "+",
                                    models.F("shipping_total"),
                                ),
                                "+",
                                models.F("adjustment"),
                            ),
                            "-",
                            models.F("grand_total"),
                        )
                    ),
                    TOLERANCE,
                ),
                name="credit_note_total_adds_up",
            ),
        ),
        migrations.AddConstraint(
            model_name="creditnote",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("giftcard_total__gte", 0),
                    ("credit_total__gte", 0),
                    ("paid_total__gte", 0),
                    (
                        "grand_total__gte",
                        CombinedExpression(
                            CombinedExpression(
                                CombinedExpression(
                                    models.F("giftcard_total"), "+", models.F("credit_total")
                                ),
                                "+",
                                models.F("paid_total"),
                            ),
                            "-",
                            models.Value(TOLERANCE),
                        ),
                    ),
                ),
                name="credit_note_money_back_within_total",
            ),
        ),
        migrations.AddConstraint(
            model_name="invoice",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("paid_total__gte", 0),
                    (
                        "paid_total__lte",
                        CombinedExpression(
                            CombinedExpression(
                                CombinedExpression(
                                    models.F("grand_total"), "-", models.F("giftcard_total")
                                ),
                                "-",
                                models.F("credit_total"),
                            ),
                            "+",
                            models.Value(TOLERANCE),
                        ),
                    ),
                ),
                name="invoice_paid_within_total",
            ),
        ),
        migrations.AddConstraint(
            model_name="order",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("credited_total__gte", 0),
                    (
                        "credited_total__lte",
                        CombinedExpression(models.F("grand_total"), "+", models.Value(TOLERANCE)),
                    ),
                ),
                name="order_credited_within_total",
            ),
        ),
    ]
