"""An idempotent demo shop. Each app adds its part in ``<app>/demo.py`` (a ``seed(cmd)``
function), found by name and run in the apps' layer order, each in its own transaction;
running the command twice changes nothing the second time."""

from contextlib import nullcontext

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from shop import readiness
from shop.demo import ADMIN_EMAIL, DEMO_PASSWORD, STAFF
from shop.discovery import app_modules
from shop.mail import suppressed


class Command(BaseCommand):
    help = "Create (or complete) the demo shop. Safe to run repeatedly."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-mail",
            action="store_true",
            help="Queue none of the e-mails the demo history would send (confirmations, "
            "invoices …): much faster, for tests and benchmarks.",
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed a stack that runs the production settings (a trial): creates staff "
            "accounts with the public demo password.",
        )

    def handle(self, *args, **options):
        # The demo's staff accounts log in with the password printed in the README: on a
        # real shop's database they would be open doors.
        production = settings.SHOP_ENV == "production"
        if production and not options["allow_production"]:
            raise CommandError(
                "SHOP_ENV=production: seed_demo would create a superuser and staff accounts "
                f"with the public demo password ({DEMO_PASSWORD}) and the demo company's "
                "seller data. For a trial stack that is no real shop, run it with "
                "--allow-production."
            )
        quiet = suppressed() if options["no_mail"] else nullcontext()
        with quiet, readiness.demo_orders_allowed():
            for _config, module in app_modules("demo"):
                with transaction.atomic():
                    module.seed(self)
        self.stdout.write(self.style.SUCCESS("Demo shop ready."))
        self.stdout.write(
            f"Backoffice: http://127.0.0.1:8000/backoffice/  login {ADMIN_EMAIL} / {DEMO_PASSWORD}\n"
            f"Role users ({', '.join(STAFF)}) use the same password."
        )
