"""PostgreSQL only (skipped on the embedded SQLite default):

* the access log and its purge anchors are append-only: a trigger refuses UPDATE and
  DELETE — except a DELETE of log entries inside the retention purge, which sets the
  transaction-local flag ``privacy.purge`` (privacy.services.purge_access_log);
* a GIN index on the entries' subject references (``subjects ?| array[...]``);
* trigram GIN indexes for the personal-data browser's name search, on exactly the
  expressions privacy.subjects.PersonName + ``icontains`` produce.
"""

from django.db import migrations

FORWARD = [
    """
    CREATE OR REPLACE FUNCTION privacy_append_only() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'privacy_accesslogentry'
           AND current_setting('privacy.purge', true) = 'on' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'privacy: % is append-only, % refused', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER privacy_accesslogentry_append_only
    BEFORE UPDATE OR DELETE ON privacy_accesslogentry
    FOR EACH ROW EXECUTE FUNCTION privacy_append_only()
    """,
    """
    CREATE TRIGGER privacy_accessloganchor_append_only
    BEFORE UPDATE OR DELETE ON privacy_accessloganchor
    FOR EACH ROW EXECUTE FUNCTION privacy_append_only()
    """,
    "CREATE INDEX IF NOT EXISTS privacy_accesslog_subjects_gin "
    "ON privacy_accesslogentry USING gin (subjects)",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """
    CREATE INDEX IF NOT EXISTS privacy_user_name_trgm ON customers_user
    USING gin ((UPPER(("first_name" || ' ' || "last_name")::text)) gin_trgm_ops)
    """,
    """
    CREATE INDEX IF NOT EXISTS privacy_user_email_trgm ON customers_user
    USING gin ((UPPER("email"::text)) gin_trgm_ops)
    """,
    """
    CREATE INDEX IF NOT EXISTS privacy_order_name_trgm ON orders_order
    USING gin ((UPPER(("billing_first_name" || ' ' || "billing_last_name")::text)) gin_trgm_ops)
    """,
    """
    CREATE INDEX IF NOT EXISTS privacy_order_email_trgm ON orders_order
    USING gin ((UPPER("email"::text)) gin_trgm_ops)
    """,
]

BACKWARD = [
    "DROP INDEX IF EXISTS privacy_order_email_trgm",
    "DROP INDEX IF EXISTS privacy_order_name_trgm",
    "DROP INDEX IF EXISTS privacy_user_email_trgm",
    "DROP INDEX IF EXISTS privacy_user_name_trgm",
    "DROP INDEX IF EXISTS privacy_accesslog_subjects_gin",
    "DROP TRIGGER IF EXISTS privacy_accessloganchor_append_only ON privacy_accessloganchor",
    "DROP TRIGGER IF EXISTS privacy_accesslogentry_append_only ON privacy_accesslogentry",
    "DROP FUNCTION IF EXISTS privacy_append_only()",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        # No parameters: the "%" of RAISE must reach PostgreSQL unformatted.
        with schema_editor.connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_initial"),
        ("customers", "0001_initial"),
        ("orders", "0001_initial"),
    ]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
