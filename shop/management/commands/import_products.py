"""``manage.py import_products FILE [--dry-run]``: products from CSV or XLSX."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from shop.catalog_import import CatalogImportError, import_products, read_dataset, row_errors


class Command(BaseCommand):
    help = (
        "Import products from a CSV or XLSX file (columns as the backoffice export; rows keyed "
        "on the SKU). All rows or none; --dry-run shows what would change."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and count, change nothing."
        )

    def handle(self, *args, **opts):
        try:
            dataset = read_dataset(opts["file"])
        except CatalogImportError as exc:
            raise CommandError(exc.message) from None
        with tqdm(
            total=len(dataset),
            unit="row",
            file=self.stderr._out,
            disable=opts["verbosity"] == 0,
            desc="dry run" if opts["dry_run"] else "import",
        ) as bar:
            result = import_products(dataset, dry_run=opts["dry_run"], progress=bar.update)
        errors = row_errors(result)
        if result.base_errors or errors:
            for error in result.base_errors:
                self.stderr.write(f"file: {error.error}")
            for number, message in errors:
                self.stderr.write(f"row {number}: {message}")
            raise CommandError(f"{len(errors) or 1} error(s): nothing was imported.")
        totals = result.totals
        summary = f"{totals['new']} new, {totals['update']} updated, {totals['skip']} unchanged"
        if opts["dry_run"]:
            self.stdout.write(f"Dry run: {summary}. Nothing was changed.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported: {summary}."))
