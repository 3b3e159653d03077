"""The author of a review hears how moderation decided (reviews.emails): the first
publication (``published_at``), a rejection with its optional reason (``rejection_reason``),
in the language the review was written in (``language``, for authors without an account).

Reviews public now count as published already (since they were moderated): switching them
off and on later must not tell their authors "your review is online" as news."""

from django.db import migrations, models
from django.db.models import F


def published_before(apps, schema_editor):
    Review = apps.get_model("reviews", "Review")
    Review.objects.using(schema_editor.connection.alias).filter(
        moderated=True, active=True, published_at__isnull=True
    ).update(published_at=F("moderated_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0009_moderated_help_mentions_rejection"),
    ]

    operations = [
        migrations.AddField(
            model_name="review",
            name="language",
            field=models.CharField(blank=True, default="", max_length=5, verbose_name="language"),
        ),
        migrations.AddField(
            model_name="review",
            name="published_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="first published"
            ),
        ),
        migrations.AddField(
            model_name="review",
            name="rejection_reason",
            field=models.TextField(
                blank=True, default="", max_length=1000, verbose_name="reason for not publishing"
            ),
        ),
        migrations.RunPython(published_before, migrations.RunPython.noop),
    ]
