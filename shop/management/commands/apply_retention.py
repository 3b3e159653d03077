from django.core.management.base import BaseCommand, CommandError

from shop import retention


class Command(BaseCommand):
    help = (
        "Apply the retention policy to every category of personal data (what the daily beat "
        "task does): anonymise what accounting needs, delete the rest."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="print what would happen, change nothing"
        )

    def handle(self, dry_run=False, **options):
        run, results = retention.run(dry_run=dry_run, trigger="manage.py apply_retention")
        for result in results:
            category = retention.CATEGORIES[result["category"]]
            if result["cutoff"] is None:
                what = f"kept ({result['period']})"
            else:
                verb = "would be" if dry_run else "were"
                action = retention.ACTIONS[result["action"]]
                what = (
                    f"{result['count']} {verb} {action} "
                    f"(older than {result['cutoff'][:10]}, {result['period']})"
                )
            line = f"{category.label} · {result['rule']}: {what}"
            if result["error"]:
                self.stderr.write(f"{line} — FAILED: {result['error']}")
            else:
                self.stdout.write(line)
        if run is not None:
            self.stdout.write(f"Recorded as retention run #{run.pk}.")
        if any(r["error"] for r in results):
            raise CommandError("Some retention rules failed (see above); the others were applied.")
