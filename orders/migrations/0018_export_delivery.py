from django.db import migrations, models


class Migration(migrations.Migration):
    """Export deliveries (goods shipped outside the EU): VAT-exempt, priced net, EN 16931
    category G (orders.vat.apply_export). Orders and invoices before it are not exports."""

    dependencies = [
        ("orders", "0017_order_consent_proof"),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="export_delivery",
            field=models.BooleanField(default=False, verbose_name="export delivery (no VAT)"),
        ),
        migrations.AddField(
            model_name="invoice",
            name="export_delivery",
            field=models.BooleanField(default=False, verbose_name="export delivery (no VAT)"),
        ),
        migrations.AddConstraint(
            model_name="order",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("export_delivery", False), ("shipping_tax_rate", 0), _connector="OR"
                ),
                name="order_export_shipping_without_vat",
            ),
        ),
    ]
