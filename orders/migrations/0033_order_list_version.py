"""The orders' list version (``orders.admin_list.list_version``): the backoffice keeps a
rendered orders list per process (``shop.keptlists``) while this count stays the same.

Every transaction that writes ``orders_order`` adds one to the count, at its commit (a
deferred constraint trigger, once per transaction: the first call of its COMMIT sets a
transaction-local mark). The count is the sum of 16 rows; a transaction adds to the row of
its transaction id, so two commits rarely wait for each other, and the row is locked only
while the transaction commits (not from its first write of an order on, which would queue
checkouts behind each other). Being rows of the
committing transaction, a reader that sees the new sum sees the new orders too, whoever
wrote them (the web, a worker, raw SQL). PostgreSQL only; elsewhere nothing is kept."""

from django.db import migrations

TABLE = "orders_listversion"
SLOTS = 16

FUNCTION = f"""
CREATE OR REPLACE FUNCTION orders_list_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    stamp text := statement_timestamp()::text;
BEGIN
    IF current_setting('orders.list_changed_at', true) IS DISTINCT FROM stamp THEN
        PERFORM set_config('orders.list_changed_at', stamp, true);
        INSERT INTO {TABLE} (slot, value) VALUES (mod(txid_current(), {SLOTS})::smallint, 1)
            ON CONFLICT (slot) DO UPDATE SET value = {TABLE}.value + 1;
    END IF;
    RETURN NULL;
END $$;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE TABLE IF NOT EXISTS {TABLE} (slot smallint PRIMARY KEY, value bigint NOT NULL)"
    )
    schema_editor.execute(
        f"INSERT INTO {TABLE} (slot, value) SELECT s, 0 FROM generate_series(0, {SLOTS - 1}) s "
        "ON CONFLICT DO NOTHING"
    )
    schema_editor.execute(FUNCTION)
    schema_editor.execute(
        "CREATE CONSTRAINT TRIGGER orders_order_list_changed "
        "AFTER INSERT OR UPDATE OR DELETE ON orders_order "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION orders_list_changed()"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP TRIGGER IF EXISTS orders_order_list_changed ON orders_order")
    schema_editor.execute("DROP FUNCTION IF EXISTS orders_list_changed()")
    schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")


class Migration(migrations.Migration):
    dependencies = [("orders", "0032_credit_note_of_free_goods")]

    operations = [migrations.RunPython(create, drop)]
