"""CreditNote.account_total: the part of a note's ``credit_total`` booked as store credit at
the customer's request (a refund "to account"), apart from the account credit the order was
paid with going back. Notes issued before keep both in ``credit_total``; the backfill splits
them by the refund rule that issued them (``refunds._distribute`` gives the checkout's account
credit back first and books "to account" only with what is left): over an invoice's notes in
their order, the first ``invoice.credit_total`` of their ``credit_total`` went back, the rest
was store credit."""

from decimal import Decimal

from django.conf import settings
from django.db import migrations, models


def split_credit(apps, schema_editor):
    CreditNote = apps.get_model("orders", "CreditNote")
    notes = (
        CreditNote.objects.filter(credit_total__gt=0)
        .select_related("invoice")
        .order_by("invoice_id", "year", "sequence")
    )
    earlier = {}
    for note in notes.iterator(chunk_size=2000):
        used = earlier.get(note.invoice_id, Decimal("0"))
        back = max(Decimal("0"), min(note.credit_total, note.invoice.credit_total - used))
        earlier[note.invoice_id] = used + note.credit_total
        if note.credit_total - back:
            CreditNote.objects.filter(pk=note.pk).update(account_total=note.credit_total - back)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0026_unaccent_name_search"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="creditnote",
            name="account_total",
            field=models.DecimalField(
                db_default=Decimal("0.00"),
                decimal_places=2,
                default=Decimal("0.00"),
                editable=False,
                max_digits=12,
                verbose_name="credited as store credit",
            ),
        ),
        migrations.RunPython(split_credit, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="creditnote",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("account_total__gte", 0), ("account_total__lte", models.F("credit_total"))
                ),
                name="credit_note_store_credit_within_credit",
            ),
        ),
    ]
