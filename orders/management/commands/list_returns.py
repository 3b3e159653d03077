from django.core.management.base import BaseCommand, CommandError
from django.db.models import Prefetch
from django.utils import timezone

from orders.aftersales import Return, ReturnLine, Withdrawal
from orders.models import Order
from shop.personal_data import order_ref, shown_by_command


class Command(BaseCommand):
    help = (
        "List returns (default: the open ones, requested or received) and withdrawal "
        "statements not processed yet."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--status",
            action="append",
            choices=Return.Status.values,
            help="Only returns in this status (repeatable). Default: requested and received.",
        )
        parser.add_argument("--all", action="store_true", help="Every return, whatever its status.")
        parser.add_argument("--order", help="Only the returns of this order number.")

    def handle(self, *args, **options):
        if options["all"] and options["status"]:
            raise CommandError("--all and --status exclude each other.")
        returns = Return.objects.select_related("order").prefetch_related(
            Prefetch("lines", queryset=ReturnLine.objects.select_related("order_line"))
        )
        if not options["all"]:
            returns = returns.filter(status__in=options["status"] or list(Return.OPEN))
        if options["order"] is not None:
            returns = returns.filter(order=self._order(options["order"]))
        returns = returns.order_by("created", "id")
        out = self.stdout
        out.write(
            f"{'return':<16} {'created':<17} {'status':<10} {'reason':<18} {'customer':<28} items"
        )
        count = 0
        shown = set()
        for ret in returns.iterator(chunk_size=500):
            when = timezone.localtime(ret.created).strftime("%Y-%m-%d %H:%M")
            items = ", ".join(f"{li.quantity} × {li.order_line.name}" for li in ret.lines.all())
            customer = ret.order.email[:28]
            out.write(
                f"{ret.number:<16} {when:<17} {ret.status:<10} {ret.reason:<18} {customer:<28} "
                f"{items}"
            )
            count += 1
            shown.add(order_ref(ret.order_id))
        out.write(f"{count} return(s)")
        shown_by_command("list_returns", sorted(shown))
        new = Withdrawal.objects.new().count()
        if new:
            late = Withdrawal.objects.new().filter(is_late=True).count()
            out.write(
                f"{new} withdrawal statement(s) not processed yet ({late} late): "
                "Backoffice → Orders → Withdrawals"
            )

    def _order(self, number):
        """The order of ``--order``; an unknown number is an error, not an empty list."""
        number = number.strip()
        if not number:
            raise CommandError("--order: give an order number.")
        order = Order.objects.filter(number=number).first()
        if order is None:
            raise CommandError(f"--order: no order has the number {number!r}.")
        return order
