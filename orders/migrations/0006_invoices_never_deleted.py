"""Invoices and credit notes are never deleted (gapless number series, retention duty).

- An invoice protects its order and a credit note its invoice (``on_delete=PROTECT``): the
  ORM refuses to delete an invoiced order, and the deferred foreign keys refuse it in SQL.
- On PostgreSQL a trigger refuses every ``DELETE`` of an invoice or credit-note row, whoever
  sends it. (``TRUNCATE``, used only to empty a test database, does not fire it.)
"""

import django.db.models.deletion
from django.db import migrations, models

FUNCTION = "orders_document_never_deleted"
TRIGGERS = {"Invoice": "orders_invoice_never_deleted", "CreditNote": "orders_creditnote_never_deleted"}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # No parameters: the "%" of RAISE must reach PostgreSQL unformatted.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"""
            CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'orders: % rows are never deleted (gapless number series)',
                    TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
            END
            $$ LANGUAGE plpgsql
            """
        )
        for model, trigger in TRIGGERS.items():
            table = schema_editor.quote_name(apps.get_model("orders", model)._meta.db_table)
            cursor.execute(
                f"CREATE TRIGGER {trigger} BEFORE DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
            )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model, trigger in TRIGGERS.items():
        table = schema_editor.quote_name(apps.get_model("orders", model)._meta.db_table)
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0005_review_request_consent"),
    ]

    operations = [
        migrations.AlterField(
            model_name="creditnote",
            name="invoice",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="credit_note",
                to="orders.invoice",
                verbose_name="invoice",
            ),
        ),
        migrations.AlterField(
            model_name="invoice",
            name="order",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="invoices",
                to="orders.order",
                verbose_name="order",
            ),
        ),
        migrations.RunPython(create, drop),
    ]
