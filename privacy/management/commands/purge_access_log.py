from django.core.management.base import BaseCommand, CommandError

from privacy.services import PrivacyError, purge_access_log, retention_days


class Command(BaseCommand):
    help = (
        "Delete access-log entries older than the retention period (ACCESS_LOG_RETENTION_DAYS); "
        "the purge is itself logged and the remaining chain stays verifiable."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, help="override ACCESS_LOG_RETENTION_DAYS")

    def handle(self, days=None, **options):
        days = retention_days() if days is None else days
        try:
            count = purge_access_log(days)
        except PrivacyError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Purged {count} access-log entries older than {days} days.")
