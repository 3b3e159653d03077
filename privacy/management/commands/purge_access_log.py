from django.core.management.base import BaseCommand, CommandError

from privacy.services import PrivacyError, purge_access_log, retention_days


class Command(BaseCommand):
    help = (
        "Drop the whole months of access-log entries older than the retention period "
        "(ACCESS_LOG_RETENTION_DAYS); the purge is itself logged and the remaining chain "
        "stays verifiable. The daily retention run (apply_retention) does this too."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, help="keep more than ACCESS_LOG_RETENTION_DAYS (never fewer)"
        )
        parser.add_argument("--dry-run", action="store_true", help="only count, drop nothing")

    def handle(self, days=None, dry_run=False, **options):
        try:
            # ``--days`` is checked by the service: fewer days than the retention period
            # is an error that drops and writes nothing (no purge entry either).
            result = purge_access_log(days, dry_run=dry_run)
        except PrivacyError as exc:
            raise CommandError(str(exc)) from exc
        days = retention_days() if days is None else days
        verb = "Would purge" if dry_run else "Purged"
        upto = f" (months before {result.upto:%Y-%m-%d})" if result.upto else ""
        self.stdout.write(
            f"{verb} {result.purged} access-log entries older than {days} days{upto}."
        )
