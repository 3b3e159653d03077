from django.core.management.base import BaseCommand
from django.db import transaction

from reviews.services import refresh_all_verified


class Command(BaseCommand):
    help = (
        "Apply the rule of a verified purchase (reviews.services.proving_lines) again to every "
        "review it can decide: after a rule change, the badges of existing reviews follow. "
        "Orders paid, canceled or credited refresh their reviews' badges by themselves."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="only count, change nothing")
        parser.add_argument(
            "--batch-size", type=int, default=1000, help="reviews per query (default 1000)"
        )

    def handle(self, dry_run=False, batch_size=1000, **options):
        with transaction.atomic():
            changed = refresh_all_verified(batch_size=max(batch_size, 1))
            if dry_run:
                transaction.set_rollback(True)
        verb = "Would change" if dry_run else "Changed"
        self.stdout.write(f"{verb} the verified-purchase badge of {changed} reviews.")
