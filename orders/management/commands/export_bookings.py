"""``manage.py export_bookings --month 2026-03 [-o FILE]``: the month's DATEV Buchungsstapel."""

from django.core.management.base import BaseCommand, CommandError

from orders import datev
from shop.exceptions import DomainError
from shop.personal_data import shown_by_command


class Command(BaseCommand):
    help = (
        "Writes the month's revenue bookings (invoices and credit notes per VAT rate) as a "
        "DATEV Buchungsstapel CSV (EXTF) for the tax consultant."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM, e.g. 2026-03")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args, **options):
        try:
            filename, content, count = datev.export(options["month"])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        output = options.get("output")
        if output:
            try:
                with open(output, "wb") as fh:
                    fh.write(content)
            except OSError as exc:
                raise CommandError(f"Cannot write {output}: {exc.strerror}") from None
            self.stderr.write(f"{count} bookings written to {output}.")
        else:
            # The bytes as they are (Windows-1252); a text stream (tests) gets them decoded.
            binary = getattr(self.stdout._out, "buffer", None)
            if binary is not None:
                binary.write(content)
                binary.flush()
            else:
                self.stdout.write(content.decode(datev.ENCODING), ending="")
        # The booking texts name the buyers (and their VAT IDs).
        shown_by_command(
            "export_bookings", datev.order_refs(options["month"]), note=f"DATEV {filename}"
        )
