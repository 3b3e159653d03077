from django.core.management.base import BaseCommand, CommandError

from shop.exports import write_rows
from shop.personal_data import shown_by_command
from vouchers.exports import export_rows, export_subjects
from vouchers.models import Campaign

HEADER = ["code", "active", "assigned customer", "order number", "used"]


class Command(BaseCommand):
    help = "CSV of a campaign's codes (code, active, assigned e-mail, order number, used date)."

    def add_arguments(self, parser):
        parser.add_argument("name", help="campaign name")
        parser.add_argument("-o", "--output", help="file to write (default: stdout)")

    def handle(self, *args, **opts):
        campaign = Campaign.objects.filter(name__iexact=opts["name"].strip()).first()
        if campaign is None:
            raise CommandError(f"No campaign named {opts['name']!r}.")
        if opts["output"]:
            try:
                with open(opts["output"], "w", newline="", encoding="utf-8") as fh:
                    write_rows(fh, HEADER, export_rows(campaign))
            except OSError as exc:
                raise CommandError(f"Cannot write {opts['output']}: {exc.strerror}") from None
            self.stderr.write(f"{campaign.codes.count()} codes written to {opts['output']}")
        else:
            write_rows(self.stdout, HEADER, export_rows(campaign))
        shown_by_command(
            "export_codes", export_subjects(campaign), note=f"campaign {campaign.name}"[:200]
        )
