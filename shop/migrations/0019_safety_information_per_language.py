"""A product's warnings and safety information per language (the GPSR wants them in the
consumer's language): the existing text becomes the default language's, which every other
language falls back to until it is translated."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import F

DEFAULT = getattr(settings, "MODELTRANSLATION_DEFAULT_LANGUAGE", settings.LANGUAGE_CODE)


def fill_default_language(apps, schema_editor):
    Product = apps.get_model("shop", "Product")
    Product.objects.update(**{f"safety_information_{DEFAULT}": F("safety_information")})


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0018_vat_rate_range"),
    ]

    operations = [
        migrations.AddField(
            model_name="product",
            name="safety_information_da",
            field=models.TextField(
                blank=True, null=True, verbose_name="warnings and safety information"
            ),
        ),
        migrations.AddField(
            model_name="product",
            name="safety_information_de",
            field=models.TextField(
                blank=True, null=True, verbose_name="warnings and safety information"
            ),
        ),
        migrations.AddField(
            model_name="product",
            name="safety_information_en",
            field=models.TextField(
                blank=True, null=True, verbose_name="warnings and safety information"
            ),
        ),
        migrations.AddField(
            model_name="product",
            name="safety_information_pl",
            field=models.TextField(
                blank=True, null=True, verbose_name="warnings and safety information"
            ),
        ),
        migrations.RunPython(fill_default_language, migrations.RunPython.noop),
    ]
