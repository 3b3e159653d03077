from django.core.management.base import BaseCommand, CommandError

from privacy.services import PrivacyError, parse_digest, verify_chain


class Command(BaseCommand):
    help = (
        "Check the access log's hash chain; exits non-zero naming the first bad entry. With "
        "--digest, the chain must also still contain the entry of an earlier daily digest."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--digest",
            metavar="FILE|HASH",
            help="a digest e-mail saved to a file, or the hash it names (64 hex digits)",
        )

    def handle(self, digest=None, **options):
        try:
            wanted = parse_digest(digest) if digest else None
        except PrivacyError as exc:
            raise CommandError(str(exc)) from exc
        result = verify_chain(wanted)
        if not result.ok and result.bad_id is None and wanted is not None:
            raise CommandError(
                f"Digest NOT proven: {result.message} ({result.checked} entries verified)"
            )
        if not result.ok:
            raise CommandError(
                f"Access log chain BROKEN at entry #{result.bad_id}: {result.message} "
                f"({result.checked} entries verified before it)"
            )
        self.stdout.write(f"Access log intact: {result.checked} entries verified.")
        if wanted is not None:
            self.stdout.write(
                f"The chain contains the digest's entry #{result.digest_entry} ({wanted.hash})."
            )
