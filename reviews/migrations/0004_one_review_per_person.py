"""One review per product and person: unique indexes on (product, customer) and
(product, lower(email)).

A database that already holds several reviews of one product by one person (a demo shop
where somebody tried it out does) cannot get those indexes as it is. Nothing is deleted, hidden or
anonymised here — which review to keep public is a moderator's decision: every review after a
person's first one of a product (by date, then id) is marked *repeated*, which puts it outside
both indexes, and the backoffice filters by it. New reviews are never marked, so from now on
the indexes hold for every review a person writes.
"""

from django.db import migrations, models
from django.db.models import F, Q, Window
from django.db.models.functions import Lower, RowNumber


def _mark_after_first(rows, partition_by):
    """Mark every review of ``rows`` after the first of its partition (by date, then id):
    one UPDATE, the ranking a subquery."""
    later = rows.annotate(
        rank=Window(
            RowNumber(), partition_by=partition_by, order_by=[F("created").asc(), F("pk").asc()]
        )
    ).filter(rank__gt=1)
    return rows.model.objects.using(rows.db).filter(pk__in=later.values("pk")).update(repeated=True)


def mark_repeated(apps, schema_editor):
    Review = apps.get_model("reviews", "Review")
    reviews = Review.objects.using(schema_editor.connection.alias)
    # The address first (a signed-in customer's review carries the account's address) ...
    _mark_after_first(
        reviews.filter(anonymised="", repeated=False).exclude(email=""),
        [F("product_id"), Lower("email")],
    )
    # ... then the account, for its reviews under different addresses.
    _mark_after_first(
        reviews.filter(customer__isnull=False, repeated=False),
        [F("product_id"), F("customer_id")],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0003_review_anonymised"),
    ]

    operations = [
        migrations.AddField(
            model_name="review",
            name="repeated",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text=(
                    "A further review of the same product by the same person, written before "
                    "a second review was refused."
                ),
                verbose_name="repeated review",
            ),
        ),
        migrations.RunPython(mark_repeated, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="review",
            constraint=models.UniqueConstraint(
                condition=Q(customer__isnull=False, repeated=False),
                fields=("product", "customer"),
                name="review_once_per_product_and_customer",
            ),
        ),
        migrations.AddConstraint(
            model_name="review",
            constraint=models.UniqueConstraint(
                F("product"),
                Lower("email"),
                condition=Q(anonymised="", repeated=False) & ~Q(email=""),
                name="review_once_per_product_and_email",
            ),
        ),
    ]
