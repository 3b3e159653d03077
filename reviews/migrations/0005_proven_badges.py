"""Verified purchase means proven (see reviews.services.has_bought).

Until now a review written without an account got the badge when the typed e-mail address
had a guest order of the product — an address nobody checked. Such a review is one with the
badge, no customer account and no review-request link; it loses the badge, as the shop cannot
back the claim. Reviews of an account or through a link keep theirs (their proof was the
account's orders or the mailed link), and so do anonymised reviews, whose account link erasure
and retention removed. The reviews themselves stay as they are.
"""

from django.db import migrations, models


def drop_unproven_badges(apps, schema_editor):
    Review = apps.get_model("reviews", "Review")
    Review.objects.using(schema_editor.connection.alias).filter(
        verified_purchase=True, customer__isnull=True, request__isnull=True, anonymised=""
    ).update(verified_purchase=False)


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0004_one_review_per_person"),
    ]

    operations = [
        migrations.AlterField(
            model_name="review",
            name="verified_purchase",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "The purchase was proven when the review was written: an order of the "
                    "signed-in customer's account, or the order of the review-request link it "
                    "was written with."
                ),
                verbose_name="verified purchase",
            ),
        ),
        migrations.RunPython(drop_unproven_badges, migrations.RunPython.noop),
    ]
