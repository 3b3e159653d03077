"""An idempotent demo shop. Each app adds its part in ``<app>/demo.py`` (a ``seed(cmd)``
function), found by name and run in the apps' layer order, each in its own transaction;
running the command twice changes nothing the second time."""

from contextlib import nullcontext

from django.core.management.base import BaseCommand
from django.db import transaction

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

    def handle(self, *args, **options):
        quiet = suppressed() if options["no_mail"] else nullcontext()
        with quiet:
            for _config, module in app_modules("demo"):
                with transaction.atomic():
                    module.seed(self)
        self.stdout.write(self.style.SUCCESS("Demo shop ready."))
        self.stdout.write(
            f"Backoffice: http://127.0.0.1:8000/backoffice/  login {ADMIN_EMAIL} / {DEMO_PASSWORD}\n"
            f"Role users ({', '.join(STAFF)}) use the same password."
        )
