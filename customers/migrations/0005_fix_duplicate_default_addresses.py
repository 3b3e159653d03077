"""Before a customer may have only one default address (0006): where several are marked
default, the one with the lowest id stays the default."""

from django.db import migrations
from django.db.models import Exists, OuterRef


def keep_lowest_default(apps, schema_editor):
    Address = apps.get_model("customers", "Address")
    earlier_default = Address.objects.filter(
        customer_id=OuterRef("customer_id"), is_default=True, pk__lt=OuterRef("pk")
    )
    Address.objects.filter(is_default=True).filter(Exists(earlier_default)).update(
        is_default=False
    )


class Migration(migrations.Migration):
    dependencies = [("customers", "0004_name_search_indexes")]

    operations = [migrations.RunPython(keep_lowest_default, migrations.RunPython.noop)]
