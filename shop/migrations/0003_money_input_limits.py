"""Money inputs have a sane maximum (shop.money.MAX_AMOUNT): validators only, no SQL."""

import django.core.validators
from decimal import Decimal
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('shop', '0002_review_request_days'),
    ]

    operations = [
        migrations.AlterField(
            model_name='product',
            name='price',
            field=models.DecimalField(decimal_places=2, help_text='Including VAT.', max_digits=10, validators=[django.core.validators.MinValueValidator(Decimal('0.00')), django.core.validators.MaxValueValidator(Decimal('1000000.00'))], verbose_name='gross price'),
        ),
        migrations.AlterField(
            model_name='shippingmethod',
            name='free_over',
            field=models.DecimalField(blank=True, decimal_places=2, help_text='Goods value (gross) from which shipping is free. Empty = never free.', max_digits=10, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0.00')), django.core.validators.MaxValueValidator(Decimal('1000000.00'))], verbose_name='free from order value'),
        ),
        migrations.AlterField(
            model_name='shippingmethod',
            name='price',
            field=models.DecimalField(decimal_places=2, max_digits=10, validators=[django.core.validators.MinValueValidator(Decimal('0.00')), django.core.validators.MaxValueValidator(Decimal('1000000.00'))], verbose_name='gross price'),
        ),
        migrations.AlterField(
            model_name='shopsettings',
            name='default_open_amount_limit',
            field=models.DecimalField(decimal_places=2, default=Decimal('500.00'), max_digits=12, validators=[django.core.validators.MinValueValidator(Decimal('0.00')), django.core.validators.MaxValueValidator(Decimal('1000000.00'))], verbose_name='default open amount limit'),
        ),
    ]
