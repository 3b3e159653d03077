"""A picture's alternative text per language (screen readers read it in the page's language):
the existing text becomes the default language's, which every other language falls back to
until it is translated."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import F

DEFAULT = getattr(settings, "MODELTRANSLATION_DEFAULT_LANGUAGE", settings.LANGUAGE_CODE)


def fill_default_language(apps, schema_editor):
    ProductImage = apps.get_model("shop", "ProductImage")
    ProductImage.objects.update(**{f"alt_text_{DEFAULT}": F("alt_text")})


def alt_text():
    return models.CharField(
        blank=True,
        help_text="What the picture shows, for screen readers. Empty = the product name.",
        max_length=200,
        null=True,
        verbose_name="alternative text",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0023_private_download_files"),
    ]

    operations = [
        migrations.AddField(model_name="productimage", name="alt_text_da", field=alt_text()),
        migrations.AddField(model_name="productimage", name="alt_text_de", field=alt_text()),
        migrations.AddField(model_name="productimage", name="alt_text_en", field=alt_text()),
        migrations.AddField(model_name="productimage", name="alt_text_pl", field=alt_text()),
        migrations.RunPython(fill_default_language, migrations.RunPython.noop),
    ]
