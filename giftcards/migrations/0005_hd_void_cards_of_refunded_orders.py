"""Cards bought with an order that was then refunded in full or canceled were only blocked,
their balance left on them (and counted as owed on the start page). Since then the
cancellation / full refund voids it (``giftcards.services.block_cards_of_canceled_order``);
this voids what the cards blocked so before still hold, the same way: a ``void`` ledger
entry naming the credit note that completed the refund, or the cancellation, so the balance
stays the sum of the ledger.

The cards are found as the receivers of ``order_canceled`` find them: issued by an order
that is Closed (the full refund) or Canceled — a card is only issued once its order is
paid, so its order was canceled after payment. Only blocked cards: one an operator
unblocked after the refund is left as the operator decided."""

from django.db import migrations
from django.utils import timezone

BATCH = 500
# giftcards.services.CREDIT_NOTE_REASON, ORDER_CANCELED_REASON (msgids, translated when read)
CREDIT_NOTE_REASON = "Credit note %(number)s of order %(order)s"
ORDER_CANCELED_REASON = "Order %(number)s canceled"


def void_cards_of_refunded_orders(apps, schema_editor):
    GiftCard = apps.get_model("giftcards", "GiftCard")
    LedgerEntry = apps.get_model("giftcards", "LedgerEntry")
    CreditNote = apps.get_model("orders", "CreditNote")
    cards = (
        GiftCard.objects.select_for_update()
        .filter(
            is_blocked=True,
            balance__gt=0,
            issued_by_order__status__in=["canceled", "closed"],
        )
        .order_by("pk")
    )
    ids = list(cards.values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        batch = list(
            GiftCard.objects.filter(pk__in=ids[start : start + BATCH])
            .select_related("issued_by_order")
            .order_by("pk")
        )
        final_notes = dict(
            CreditNote.objects.filter(
                is_final=True, invoice__order_id__in={c.issued_by_order_id for c in batch}
            )
            .order_by("pk")  # the last final note of an order wins
            .values_list("invoice__order_id", "number")
        )
        now = timezone.now()
        entries = []
        for card in batch:
            order = card.issued_by_order
            note = final_notes.get(order.pk) if order.status == "closed" else None
            if note:
                message = [[CREDIT_NOTE_REASON, {"number": note, "order": order.number}]]
            else:
                message = [[ORDER_CANCELED_REASON, {"number": order.number}]]
            entries.append(
                LedgerEntry(
                    card=card,
                    amount=-card.balance,
                    kind="void",
                    order=order,
                    reason=(message[0][0] % message[0][1])[:300],
                    message=message,
                    created=now,
                )
            )
            card.balance = 0
        LedgerEntry.objects.bulk_create(entries)
        GiftCard.objects.bulk_update(batch, ["balance"])


class Migration(migrations.Migration):
    dependencies = [
        ("giftcards", "0004_ledger_void_on_refund"),
        ("orders", "0019_h2_refund_pending"),
    ]

    operations = [
        migrations.RunPython(void_cards_of_refunded_orders, migrations.RunPython.noop),
    ]
