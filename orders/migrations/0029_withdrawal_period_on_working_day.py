"""Statements recorded before the withdrawal period ended on a working day: move their
stored period end to the next working day of the seller's country and judge them again."""

from django.db import migrations
from django.utils import timezone


def forwards(apps, schema_editor):
    from orders.deadlines import next_working_day

    shop = apps.get_model("shop", "ShopSettings").objects.filter(pk=1).first()
    country = shop.country if shop is not None else "DE"
    Withdrawal = apps.get_model("orders", "Withdrawal")
    for withdrawal in Withdrawal.objects.filter(period_ends__isnull=False).iterator():
        ends = next_working_day(withdrawal.period_ends, country)
        if ends != withdrawal.period_ends:
            withdrawal.period_ends = ends
            withdrawal.is_late = timezone.localdate(withdrawal.received_at) > ends
            withdrawal.save(update_fields=["period_ends", "is_late"])


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0028_sums_within_float_tolerance"),
        ("shop", "0005_seller_structured_data"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
