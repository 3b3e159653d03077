"""Finer planner statistics on the name-search expressions (PostgreSQL only).

The backoffice shows the planner's row estimate instead of an exact ``COUNT(*)`` when a name
search matches many rows (shop.admin.EstimatedCountPaginator). With the default statistics
target the estimate for a common surname can be off by half; a larger sample of the
"first last" expression brings it within a few per cent. Takes effect at the next ANALYZE.
"""

from django.db import migrations

INDEXES = ["privacy_user_name_trgm", "privacy_order_name_trgm"]


def set_target(target):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            for index in INDEXES:
                cursor.execute(f"ALTER INDEX {index} ALTER COLUMN 1 SET STATISTICS {target}")

    return apply


class Migration(migrations.Migration):
    dependencies = [("privacy", "0002_postgresql_guards_and_indexes")]

    operations = [migrations.RunPython(set_target(1000), set_target(-1))]
