from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("customers", "0005_fix_duplicate_default_addresses")]

    operations = [
        migrations.AddConstraint(
            model_name="address",
            constraint=models.UniqueConstraint(
                condition=models.Q(("is_default", True)),
                fields=("customer",),
                name="one_default_address_per_customer",
            ),
        ),
    ]
