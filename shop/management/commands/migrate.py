"""``migrate`` as the owner role: with MIGRATE_DATABASE_URL set, the schema is changed by
the role that owns it, and the role of DATABASE_URL (web and workers) is then granted what
it may do — everything on the shop's tables except writing to the ones an app declared
read-only (the access log: shop.db.read_only_for_app_role). Without it (``make run``,
``make test``) this is Django's ``migrate``."""

from django.conf import settings
from django.core.management.commands.migrate import Command as MigrateCommand

from shop.db import grant_app_role, owner_connection, role_name


class Command(MigrateCommand):
    def handle(self, *args, **options):
        using = options["database"]
        with owner_connection(settings.MIGRATE_DATABASE, using) as app_role:
            super().handle(*args, **options)
            if app_role and app_role != role_name(using):
                grant_app_role(app_role, using)
                if options["verbosity"] >= 1:
                    self.stdout.write(f"Granted the web and worker role {app_role} its rights.")
