"""The e-mails already in the outbox that brought a customer their personal discount code
name it as a secret value (shop.mail.queue_email's ``secrets``), so the backoffice hides it
there too."""

import re

from django.db import migrations

# The text part prints the code alone on a line, indented by four spaces
# (templates/emails/voucher_assigned.txt).
PRINTED_CODE = re.compile(r"^ {4}(\S+) *$", re.MULTILINE)


def name_personal_codes(apps, schema_editor):
    OutboxEmail = apps.get_model("shop", "OutboxEmail")
    rows = OutboxEmail.objects.filter(template="voucher_assigned", secret_values=[])
    batch = []
    for email in rows.only("pk", "body_text").iterator(chunk_size=500):
        codes = set(PRINTED_CODE.findall(email.body_text))
        if codes:
            email.secret_values = sorted(codes)
            batch.append(email)
        if len(batch) >= 500:
            OutboxEmail.objects.bulk_update(batch, ["secret_values"])
            batch = []
    OutboxEmail.objects.bulk_update(batch, ["secret_values"])


class Migration(migrations.Migration):
    dependencies = [
        ("vouchers", "0009_partner_offer_constraint_messages"),
        ("shop", "0026_h3_outbox_secret_values"),
    ]

    operations = [migrations.RunPython(name_personal_codes, migrations.RunPython.noop)]
