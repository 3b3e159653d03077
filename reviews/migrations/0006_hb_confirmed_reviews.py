"""A review written without an account or review-request link is held until the typed
address confirms it (reviews.services.confirm_review): ``confirmed_at``. Reviews that exist
already were accepted without that step and stay as they are: confirmed when written.

One review per product and address counts confirmed reviews only: an address nobody
confirmed must not block its owner's own review.
"""

import django.db.models.functions.text
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0005_proven_badges"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="review",
            name="review_once_per_product_and_email",
        ),
        migrations.AddField(
            model_name="review",
            name="confirmed_at",
            field=models.DateTimeField(
                blank=True,
                default=django.utils.timezone.now,
                null=True,
                verbose_name="author confirmed",
            ),
        ),
        migrations.RunSQL(
            "UPDATE reviews_review SET confirmed_at = created", migrations.RunSQL.noop
        ),
        migrations.AlterField(
            model_name="review",
            name="verified_purchase",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "The purchase is proven and stands: an order of the signed-in customer's "
                    "account, or the order of the review-request link it was written with, "
                    "that holds the product, is not canceled and has not been fully returned "
                    "and credited."
                ),
                verbose_name="verified purchase",
            ),
        ),
        migrations.AddConstraint(
            model_name="review",
            constraint=models.UniqueConstraint(
                models.F("product"),
                django.db.models.functions.text.Lower("email"),
                condition=models.Q(
                    ("anonymised", ""),
                    ("confirmed_at__isnull", False),
                    ("repeated", False),
                    models.Q(("email", ""), _negated=True),
                ),
                name="review_once_per_product_and_email",
            ),
        ),
    ]
