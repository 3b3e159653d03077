import datetime
import os

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext_noop

from giftcards import services
from shop import events
from shop.exports import csv_text
from shop.money import money_option

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
        amount = money_option(options["amount"], "--amount")
        valid_until = None
        if options["valid_until"]:
            try:
                valid_until = datetime.date.fromisoformat(options["valid_until"])
            except ValueError as exc:
                raise CommandError("--valid-until: use the form YYYY-MM-DD") from exc
        output = options["output"]
        # The file is opened before anything is issued, and the cards are issued in the same
        # transaction the file is written in: a card whose number nobody got is never issued.
        fh = None
        if output:
            try:
                fh = open(output, "w", encoding="utf-8", newline="")  # noqa: SIM115
            except OSError as exc:
                raise CommandError(
                    f"Cannot write {output}: {exc.strerror}. No card was issued."
                ) from None
        try:
            with transaction.atomic():
                cards = services.issue_cards(
                    amount,
                    options["count"],
                    valid_until=valid_until,
                    reason=options["reason"],
                    message=[events.part(gettext_noop("Issued with manage.py issue_giftcards"))],
                )
                text = csv_text(HEADER, [_row(card) for card in cards], excel=False)
                if fh is not None:
                    fh.write(text)
                    fh.close()
        except (services.GiftCardError, OSError) as exc:
            if fh is not None:
                fh.close()
                os.remove(output)
            message = exc.message if isinstance(exc, services.GiftCardError) else exc.strerror
            raise CommandError(f"{message} No card was issued.") from None
        if output:
            self.stdout.write(
                f"Issued {len(cards)} gift card(s) of {cards[0].initial_value} "
                f"{cards[0].currency}; numbers written to {output}"
            )
        else:
            self.stdout.write(text, ending="")


def _row(card):
    return [
        card.display_number,
        card.initial_value,
        card.currency,
        card.valid_until.isoformat() if card.valid_until else "",
    ]
