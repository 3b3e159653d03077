from django.core.management.base import BaseCommand

from shop.roles import setup_roles


class Command(BaseCommand):
    help = "Create or update the backoffice role groups and their permissions."

    def handle(self, *args, **options):
        for role, count in setup_roles().items():
            self.stdout.write(f"{role}: {count} permissions")
