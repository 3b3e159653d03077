import os

from django.core.management.base import BaseCommand, CommandError

from shop.exports import write_rows
from shop.money import money_option
from shop.personal_data import customer_ref, shown_by_command
from vouchers import services
from vouchers.errors import VoucherError
from vouchers.models import Campaign

from ._args import date_arg, positive_int


class Command(BaseCommand):
    help = (
        "Give one free code of the campaign to each matching customer not holding one yet "
        "(at least one criterion). Prints the number assigned; with --notify, on stderr also "
        "how many customers were not e-mailed because they objected to code e-mails."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="campaign name")
        parser.add_argument("--min-order-value", help="total order value from")
        parser.add_argument("--min-orders", type=positive_int, help="number of orders from")
        parser.add_argument("--ordered-from", type=date_arg, help="orders placed from YYYY-MM-DD")
        parser.add_argument("--ordered-to", type=date_arg, help="orders placed to YYYY-MM-DD")
        parser.add_argument(
            "--notify",
            action="store_true",
            help="e-mail each customer the code (not those who objected to code e-mails)",
        )
        parser.add_argument("--emails-csv", help="also write the matching customers' e-mails here")

    def handle(self, *args, **opts):
        campaign = Campaign.objects.filter(name__iexact=opts["name"].strip()).first()
        if campaign is None:
            raise CommandError(f"No campaign named {opts['name']!r}.")
        criteria = services.Criteria(
            min_order_value=money_option(opts["min_order_value"], "--min-order-value"),
            min_orders=opts["min_orders"],
            ordered_from=opts["ordered_from"],
            ordered_to=opts["ordered_to"],
        )
        try:
            criteria.validate()
        except VoucherError as exc:
            raise CommandError(exc.message) from None
        csv_file = None
        if opts["emails_csv"]:
            try:
                csv_file = open(opts["emails_csv"], "w", newline="", encoding="utf-8")  # noqa: SIM115
            except OSError as exc:
                raise CommandError(f"Cannot write {opts['emails_csv']}: {exc.strerror}") from None
        try:
            assignment = services.assign_to_matching(campaign, criteria, notify=opts["notify"])
            if csv_file is not None:
                rows = services.matching_customers(criteria).values_list(
                    "email", "first_name", "last_name", "customer_number"
                )
                write_rows(
                    csv_file,
                    ["e-mail", "first name", "last name", "customer number"],
                    rows.iterator(chunk_size=5000),
                )
        except VoucherError as exc:
            if csv_file is not None:
                csv_file.close()
                os.remove(opts["emails_csv"])
                csv_file = None
            raise CommandError(exc.message) from None
        finally:
            if csv_file is not None:
                csv_file.close()
        if opts["emails_csv"]:
            customers = services.matching_customers(criteria).values_list("pk", flat=True)
            shown_by_command(
                "assign_codes --emails-csv",
                [customer_ref(pk) for pk in customers.iterator(chunk_size=10000)],
                note=f"campaign {campaign.name}"[:200],
            )
        self.stdout.write(str(assignment.assigned))
        if assignment.not_emailed:
            # stderr: stdout stays the bare number scripts read
            self.stderr.write(
                f"{assignment.not_emailed} not e-mailed: the customer objected to e-mails "
                "about discount codes (the code is in their account)."
            )
