import datetime
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError

from giftcards import services
from shop.exports import csv_text

HEADER = ["number", "value", "currency", "valid_until"]


class Command(BaseCommand):
    help = "Issue gift cards and write their numbers as CSV (stdout, or -o FILE)."

    def add_arguments(self, parser):
        parser.add_argument("--amount", required=True, help="Value of each card, e.g. 25.00")
        parser.add_argument("--count", type=int, default=1, help="Number of cards (default 1)")
        parser.add_argument("--valid-until", help="Last day of use, YYYY-MM-DD (default: none)")
        parser.add_argument("--reason", default="", help="Note for the ledger")
        parser.add_argument("-o", "--output", help="Write the CSV to this file")

    def handle(self, *args, **options):
        try:
            amount = Decimal(options["amount"])
        except InvalidOperation as exc:
            raise CommandError(f"--amount: not a number: {options['amount']!r}") from exc
        valid_until = None
        if options["valid_until"]:
            try:
                valid_until = datetime.date.fromisoformat(options["valid_until"])
            except ValueError as exc:
                raise CommandError("--valid-until: use the form YYYY-MM-DD") from exc
        try:
            cards = services.issue_cards(
                amount,
                options["count"],
                valid_until=valid_until,
                reason=options["reason"] or "Issued with manage.py issue_giftcards",
            )
        except services.GiftCardError as exc:
            raise CommandError(exc.message) from exc
        text = csv_text(
            HEADER,
            [
                [
                    c.display_number,
                    c.initial_value,
                    c.currency,
                    c.valid_until.isoformat() if c.valid_until else "",
                ]
                for c in cards
            ],
        )
        if options["output"]:
            try:
                with open(options["output"], "w", encoding="utf-8", newline="") as fh:
                    fh.write(text)
            except OSError as exc:
                # The cards exist; say so, so nobody issues them twice.
                raise CommandError(
                    f"{len(cards)} cards were issued but {options['output']} could not be "
                    f"written ({exc}). Their numbers:\n{text}"
                ) from exc
            self.stdout.write(
                f"Issued {len(cards)} gift card(s) of {cards[0].initial_value} "
                f"{cards[0].currency}; numbers written to {options['output']}"
            )
        else:
            self.stdout.write(text, ending="")
