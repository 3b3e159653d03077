"""Money inputs have a sane maximum (shop.money.MAX_AMOUNT): validators only, no SQL."""

import django.core.validators
from decimal import Decimal
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0007_user_email_ci_unique'),
    ]

    operations = [
        migrations.AlterField(
            model_name='customergroup',
            name='open_amount_limit',
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0.00')), django.core.validators.MaxValueValidator(Decimal('1000000.00'))], verbose_name='open amount limit'),
        ),
        migrations.AlterField(
            model_name='user',
            name='open_amount_limit',
            field=models.DecimalField(blank=True, decimal_places=2, help_text="Overrides the group's and the shop's limit for limited payment methods.", max_digits=12, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0.00')), django.core.validators.MaxValueValidator(Decimal('1000000.00'))], verbose_name='open amount limit'),
        ),
    ]
