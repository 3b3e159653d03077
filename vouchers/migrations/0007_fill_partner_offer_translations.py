"""Data for 0006: the default language's columns of partner offers get the existing texts."""

from django.conf import settings
from django.db import migrations
from django.db.models import F
from modeltranslation.utils import build_localized_fieldname

DEFAULT = getattr(settings, "MODELTRANSLATION_DEFAULT_LANGUAGE", settings.LANGUAGE_CODE)


def fill(apps, schema_editor):
    PartnerOffer = apps.get_model("vouchers", "PartnerOffer")
    PartnerOffer.objects.update(
        **{
            build_localized_fieldname("headline", DEFAULT): F("headline"),
            build_localized_fieldname("text", DEFAULT): F("text"),
        }
    )


class Migration(migrations.Migration):
    dependencies = [("vouchers", "0006_translated_partner_offers")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
