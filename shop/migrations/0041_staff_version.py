"""The staff version (``shop.staffrows``): a counter row that every change of a staff
member's login rows moves on, in the changing transaction (PostgreSQL only; elsewhere
nothing is kept). A row, not a sequence: a request that reads the new count reads the new
rows too. Staff rows change rarely, so waiting for another writer of the row costs nothing.

``shop_staff_changed()`` is the trigger function (an upsert: a database whose tables a test
emptied gets the row back); this migration puts it on the second-factor devices,
customers/0023 on the users, groups and permissions."""

from django.db import migrations

from shop.staffrows import TABLE, drop_statement_trigger, statement_trigger

FUNCTION = f"""
CREATE OR REPLACE FUNCTION shop_staff_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {TABLE} (id, value) VALUES (1, 1)
        ON CONFLICT (id) DO UPDATE SET value = {TABLE}.value + 1;
    RETURN NULL;
END $$;
"""

DEVICE_TABLES = ("otp_totp_totpdevice", "otp_static_staticdevice")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE TABLE IF NOT EXISTS {TABLE} (id smallint PRIMARY KEY CHECK (id = 1), "
        "value bigint NOT NULL)"
    )
    schema_editor.execute(f"INSERT INTO {TABLE} (id, value) VALUES (1, 1) ON CONFLICT DO NOTHING")
    schema_editor.execute(FUNCTION)
    for table in DEVICE_TABLES:
        schema_editor.execute(statement_trigger(table))


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in DEVICE_TABLES:
        schema_editor.execute(drop_statement_trigger(table))
    schema_editor.execute("DROP FUNCTION IF EXISTS shop_staff_changed() CASCADE")
    schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0040_giftcard_without_vat"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(create, drop)]
