"""Money inputs within shop.money.MAX_AMOUNT; points prices only on single-use or assigned
campaigns."""

import django.core.validators
from decimal import Decimal
from django.db import migrations, models


def drop_points_price_of_multi_use(apps, schema_editor):
    """A multi-use code can never be bought with points (buying assigns a code to one
    customer): such a price was never usable, so it goes before the constraint comes."""
    Campaign = apps.get_model("vouchers", "Campaign")
    Campaign.objects.filter(kind="multi", points_price__isnull=False).update(points_price=None)


class Migration(migrations.Migration):

    dependencies = [
        ('vouchers', '0003_codejob_heartbeat'),
    ]

    operations = [
        migrations.AlterField(
            model_name='campaign',
            name='min_order_value',
            field=models.DecimalField(blank=True, decimal_places=2, help_text='Goods value (gross) the order must reach.', max_digits=10, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0.00')), django.core.validators.MaxValueValidator(Decimal('1000000.00'))], verbose_name='minimum order value'),
        ),
        migrations.AlterField(
            model_name='partneroffer',
            name='min_order_value',
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=10, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0.00')), django.core.validators.MaxValueValidator(Decimal('1000000.00'))], verbose_name='minimum order value'),
        ),
        migrations.RunPython(drop_points_price_of_multi_use, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='campaign',
            constraint=models.CheckConstraint(condition=models.Q(('points_price__isnull', True), models.Q(('kind', 'multi'), _negated=True), _connector='OR'), name='campaign_points_price_not_multi_use'),
        ),
    ]
