from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from privacy import services, subjects
from privacy.services import PrivacyError
from shop.pdf import render_pdf


class Command(BaseCommand):
    help = "Write the personal-data report (PDF, SPEC S11) of the data subject with this e-mail."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("-o", "--output", required=True, help="PDF file to write")
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            help="default: the language of the person's account or latest order",
        )

    def handle(self, email, output, language=None, **options):
        try:
            person = subjects.find_by_email(email)
        except PrivacyError as exc:
            raise CommandError(str(exc)) from exc
        language = language or person.language or settings.LANGUAGE_CODE
        with translation.override(language):
            data = subjects.build(person)
        pdf = render_pdf("pdf/privacy_report.html", {"data": data}, language=language)
        try:
            Path(output).write_bytes(pdf)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}") from exc
        services.hand_out_report(
            None,
            person,
            fmt="pdf",
            language=language,
            places={p["key"]: p["place"] for p in data["places"]},
            command=f"manage.py privacy_report {email}"[:254],
        )
        self.stdout.write(f"Wrote the report of {person.name} ({person.ref}) to {output}")
