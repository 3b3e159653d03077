from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from shop import search_indexes, shop_language


class Command(BaseCommand):
    help = (
        "After SHOP_LANGUAGE changed: fill the new default language's empty columns of the "
        "translated content (products, categories, methods, legal texts, topics, canned "
        "replies, partner offers) with the old default language's text, then build the "
        "product search's full-text indexes again for the new language (concurrently: the "
        "shop keeps running). Run once, with the new SHOP_LANGUAGE set; running it again "
        "fills nothing twice and builds only indexes that do not fit."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--from",
            dest="old",
            required=True,
            choices=[code for code, _name in settings.LANGUAGES],
            help="the shop's language until now (the old SHOP_LANGUAGE)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be filled, change nothing"
        )

    def handle(self, old, dry_run=False, **options):
        try:
            filled = shop_language.fill_from(old, dry_run=dry_run)
        except ValueError as error:
            raise CommandError(str(error)) from error
        verb = "would be filled" if dry_run else "filled"
        new = settings.LANGUAGE_CODE
        for label, field, count in filled:
            if count:
                self.stdout.write(f"{label}.{field}: {count} {verb} from {old} into {new}")
        total = sum(count for _label, _field, count in filled)
        self.stdout.write(f"{total} {verb} in all; the default language is now {new}.")
        stale = search_indexes.stale()
        if not stale:
            self.stdout.write("The search indexes fit the default language already.")
        elif dry_run:
            self.stdout.write(f"Search indexes to build again: {', '.join(stale)}.")
        else:
            for code in stale:
                self.stdout.write(f"Building the search index of {code} …")
                search_indexes.rebuild([code])
            self.stdout.write(f"Search indexes built again: {', '.join(stale)}.")
