"""The staff version (``shop.staffrows``) moves on with every change of a staff user (an
insert cannot be kept yet; a customer's row is not kept: its changes do not count), of a
user's groups or permissions, and of a group or its permissions — in the transaction of
the change (``shop_staff_changed()``, shop/0041)."""

from django.db import migrations

from shop.staffrows import drop_statement_trigger, statement_trigger

USER_TRIGGERS = (
    "CREATE TRIGGER customers_user_staff_changed AFTER UPDATE ON customers_user "
    "FOR EACH ROW WHEN (OLD.is_staff OR NEW.is_staff) EXECUTE FUNCTION shop_staff_changed()",
    "CREATE TRIGGER customers_user_staff_deleted AFTER DELETE ON customers_user "
    "FOR EACH ROW WHEN (OLD.is_staff) EXECUTE FUNCTION shop_staff_changed()",
)
STATEMENT_TABLES = (
    "customers_user_groups",
    "customers_user_user_permissions",
    "auth_group",
    "auth_group_permissions",
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in USER_TRIGGERS:
        schema_editor.execute(sql)
    for table in STATEMENT_TABLES:
        schema_editor.execute(statement_trigger(table))


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in ("customers_user_staff_changed", "customers_user_staff_deleted"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON customers_user")
    for table in STATEMENT_TABLES:
        schema_editor.execute(drop_statement_trigger(table))


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0022_person_name_order_index"),
        ("shop", "0041_staff_version"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create, drop)]
