"""The gift-card e-mails already in the outbox name their card numbers as secret values
(shop.mail.queue_email's ``secrets``), so the backoffice hides them there too."""

import re

from django.db import migrations

# A number as the e-mail prints it: four groups of four digits (giftcards.models.format_number).
PRINTED_NUMBER = re.compile(r"(?<!\d)\d{4} \d{4} \d{4} \d{4}(?!\d)")


def name_card_numbers(apps, schema_editor):
    OutboxEmail = apps.get_model("shop", "OutboxEmail")
    rows = OutboxEmail.objects.filter(template="giftcard_issued", secret_values=[])
    batch = []
    for email in rows.only("pk", "body_text", "body_html").iterator(chunk_size=500):
        printed = set(PRINTED_NUMBER.findall(f"{email.body_text}\n{email.body_html}"))
        if printed:
            email.secret_values = sorted(printed | {p.replace(" ", "") for p in printed})
            batch.append(email)
        if len(batch) >= 500:
            OutboxEmail.objects.bulk_update(batch, ["secret_values"])
            batch = []
    OutboxEmail.objects.bulk_update(batch, ["secret_values"])


class Migration(migrations.Migration):
    dependencies = [
        ("giftcards", "0002_ledger_entry_message"),
        ("shop", "0026_h3_outbox_secret_values"),
    ]

    operations = [migrations.RunPython(name_card_numbers, migrations.RunPython.noop)]
