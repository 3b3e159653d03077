from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from giftcards import services


class Command(BaseCommand):
    help = "Print a gift card's balance, state and ledger."

    def add_arguments(self, parser):
        parser.add_argument("number", nargs="+", help="Card number (spaces allowed)")

    def handle(self, *args, **options):
        try:
            card = services.find_card(" ".join(options["number"]))
        except services.GiftCardError as exc:
            raise CommandError(exc.message) from exc
        out = self.stdout
        out.write(f"Gift card     {card.display_number}")
        out.write(f"State         {card.state_label}")
        out.write(f"Balance       {card.balance} {card.currency}")
        out.write(f"Initial value {card.initial_value} {card.currency}")
        out.write(f"Valid until   {card.valid_until.isoformat() if card.valid_until else '-'}")
        if card.issued_by_order_id:
            out.write(f"Bought with   order {card.issued_by_order.number}")
        if card.redeemed_to_id:
            out.write(f"Redeemed into customer {card.redeemed_to.customer_number}")
        out.write("")
        out.write(f"{'time':<17} {'kind':<22} {'amount':>10}  {'order':<10} reason")
        for e in card.ledger.select_related("order").order_by("created", "id"):
            when = timezone.localtime(e.created).strftime("%Y-%m-%d %H:%M")
            order = e.order.number if e.order_id else ""
            out.write(
                f"{when:<17} {e.get_kind_display():<22} {e.amount:>10}  {order:<10} {e.reason}"
            )
