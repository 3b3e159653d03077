"""Code.campaign without a row-level foreign key (see the model): on PostgreSQL the reference
is enforced by statement-level triggers that check all new or changed rows of one statement
at once, and a campaign cannot be deleted while codes point to it."""

from django.db import migrations

FORWARD = """
CREATE FUNCTION vouchers_code_campaign_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM new_codes n
        WHERE NOT EXISTS (SELECT 1 FROM vouchers_campaign c WHERE c.id = n.campaign_id)
    ) THEN
        RAISE EXCEPTION 'vouchers_code.campaign_id refers to a missing campaign'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER vouchers_code_campaign_insert AFTER INSERT ON vouchers_code
    REFERENCING NEW TABLE AS new_codes
    FOR EACH STATEMENT EXECUTE FUNCTION vouchers_code_campaign_check();
CREATE TRIGGER vouchers_code_campaign_update AFTER UPDATE ON vouchers_code
    REFERENCING NEW TABLE AS new_codes
    FOR EACH STATEMENT EXECUTE FUNCTION vouchers_code_campaign_check();

CREATE FUNCTION vouchers_campaign_delete_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM vouchers_code WHERE campaign_id = OLD.id) THEN
        RAISE EXCEPTION 'campaign % still has codes', OLD.id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN OLD;
END $$;

CREATE TRIGGER vouchers_campaign_delete BEFORE DELETE ON vouchers_campaign
    FOR EACH ROW EXECUTE FUNCTION vouchers_campaign_delete_check();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS vouchers_campaign_delete ON vouchers_campaign;
DROP FUNCTION IF EXISTS vouchers_campaign_delete_check();
DROP TRIGGER IF EXISTS vouchers_code_campaign_update ON vouchers_code;
DROP TRIGGER IF EXISTS vouchers_code_campaign_insert ON vouchers_code;
DROP FUNCTION IF EXISTS vouchers_code_campaign_check();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("vouchers", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
