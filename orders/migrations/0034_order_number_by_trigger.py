"""The order number is given by the database when the row is inserted: ``100000 + id``
(``orders.models.OrderNumberField``), unless the insert names one (an import, the scale
data's COPY). The insert returns it, so the placement writes the order's row once instead
of inserting it and updating its number. PostgreSQL only; elsewhere the placement sets it."""

from django.db import migrations

import orders.models

FUNCTION = """
CREATE OR REPLACE FUNCTION orders_order_number() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.number := (100000 + NEW.id)::text;
    RETURN NEW;
END $$;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    schema_editor.execute(
        "CREATE TRIGGER orders_order_number BEFORE INSERT ON orders_order FOR EACH ROW "
        "WHEN (NEW.number IS NULL) EXECUTE FUNCTION orders_order_number()"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP TRIGGER IF EXISTS orders_order_number ON orders_order")
    schema_editor.execute("DROP FUNCTION IF EXISTS orders_order_number()")


class Migration(migrations.Migration):
    dependencies = [("orders", "0033_order_list_version")]

    operations = [
        migrations.AlterField(
            model_name="order",
            name="number",
            field=orders.models.OrderNumberField(
                editable=False, max_length=20, null=True, unique=True, verbose_name="order number"
            ),
        ),
        migrations.RunPython(create, drop),
    ]
