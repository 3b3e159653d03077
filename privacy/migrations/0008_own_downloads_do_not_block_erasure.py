"""An access-log entry's user without a database constraint (issue found in the storefront:
a customer who had downloaded their own data could not delete their account — the
download's entry named the account through a protected foreign key). The id stays in the
entry as written (it is hashed in the chain); ``privacy.models.keep_staff_who_looked``
still refuses to delete a staff account that looked at personal data.

The purge and partition functions of 0005 ran the log's foreign-key checks by the
constraint's name before moving tables: installed again, without it.
"""

from importlib import import_module

from django.conf import settings
from django.db import migrations, models

import privacy.models

partitions = import_module("privacy.migrations.0005_access_log_partitions")


def reinstall_functions(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    n = partitions._names(apps, schema_editor)
    with schema_editor.connection.cursor() as cursor:
        keys = [name for name, _sql in partitions._indexes_and_keys(cursor, n["entry"])[1]]
        n = {**n, "immediate": f"SET CONSTRAINTS {', '.join(keys)} IMMEDIATE;" if keys else ""}
        for sql in (partitions.PARTITIONS, partitions.PURGE):
            cursor.execute(sql.format(**n))


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0007_alter_accessloghead_options"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="accesslogentry",
            name="user",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=privacy.models.keep_staff_who_looked,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="staff user",
            ),
        ),
        # Backwards the constraint comes back after this step: functions without its name
        # only skip an early check of it.
        migrations.RunPython(reinstall_functions, reinstall_functions),
    ]
