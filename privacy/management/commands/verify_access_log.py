from django.core.management.base import BaseCommand, CommandError

from privacy.services import verify_chain


class Command(BaseCommand):
    help = "Check the access log's hash chain; exits non-zero naming the first bad entry."

    def handle(self, **options):
        result = verify_chain()
        if not result.ok:
            raise CommandError(
                f"Access log chain BROKEN at entry #{result.bad_id}: {result.message} "
                f"({result.checked} entries verified before it)"
            )
        self.stdout.write(f"Access log intact: {result.checked} entries verified.")
