from django.db import migrations, models
from django.db.models import Exists, OuterRef, Q


def mark_pending_refunds(apps, schema_editor):
    """Orders that said "Refunded" (or "Partly refunded") while money was still owed back
    through the payment method — a paid order canceled before its invoice whose payout is
    not recorded, or a credit note not marked refunded — say "Refund pending" now."""
    Order = apps.get_model("orders", "Order")
    CreditNote = apps.get_model("orders", "CreditNote")
    pending_note = CreditNote.objects.filter(
        invoice__order=OuterRef("pk"), paid_total__gt=0, refunded_at__isnull=True
    )
    Order.objects.filter(
        Q(payout_due__gt=0, payout_done_at__isnull=True)
        | Q(
            Exists(pending_note),
            payment_status__in=["paid", "partly_refunded", "refunded"],
        )
    ).update(payment_status="refund_pending")


def unmark_pending_refunds(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    pending = Order.objects.filter(payment_status="refund_pending")
    pending.filter(status__in=["canceled", "closed"]).update(payment_status="refunded")
    pending.update(payment_status="partly_refunded")


class Migration(migrations.Migration):
    """Payment status "Refund pending": paid, and money owed back through the payment method
    not paid out yet (``orders.services.lifecycle.refund_status``); "Refunded" only once it
    is. The order's own payout (a paid order canceled before its invoice) is held to it by a
    constraint."""

    dependencies = [
        ("orders", "0018_export_delivery"),
    ]

    operations = [
        migrations.AlterField(
            model_name="order",
            name="payment_status",
            field=models.CharField(
                choices=[
                    ("unpaid", "Unpaid"),
                    ("authorized", "Authorized"),
                    ("paid", "Paid"),
                    ("partly_refunded", "Partly refunded"),
                    ("refund_pending", "Refund pending"),
                    ("refunded", "Refunded"),
                ],
                db_index=True,
                default="unpaid",
                max_length=20,
                verbose_name="payment status",
            ),
        ),
        migrations.RunPython(mark_pending_refunds, unmark_pending_refunds, elidable=True),
        migrations.AddConstraint(
            model_name="order",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("payout_due", 0),
                    models.Q(
                        ("payment_status", "refund_pending"), ("payout_done_at__isnull", True)
                    ),
                    models.Q(("payment_status", "refunded"), ("payout_done_at__isnull", False)),
                    _connector="OR",
                ),
                name="order_payout_matches_payment_status",
            ),
        ),
    ]
