"""The e-invoices of a period for the accountant: for every invoice and credit note issued
from --from to --to, its CII XML (EN 16931) and its Factur-X PDF, written to a directory."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from orders import einvoice, pdf
from shop.personal_data import order_ref, shown_by_command


def _date(value):
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value!r}") from None


class Command(BaseCommand):
    help = "Write the e-invoices (XML and PDF) of a period: invoices and credit notes."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", required=True, help="last day, YYYY-MM-DD")
        parser.add_argument("-o", "--output", required=True, help="directory to write to")
        parser.add_argument(
            "--xml-only", action="store_true", help="write the XML files only (no PDFs)"
        )

    def handle(self, *args, **opts):
        date_from, date_to = _date(opts["date_from"]), _date(opts["date_to"])
        if date_from > date_to:
            raise CommandError("--from must not be after --to.")
        directory = Path(opts["output"])
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CommandError(f"Cannot create {directory}: {exc.strerror}") from None
        invoices, credit_notes = einvoice.documents_issued(date_from, date_to)
        jobs = [(invoice, False) for invoice in invoices] + [(cn, True) for cn in credit_notes]
        bar = tqdm(jobs, desc="e-invoices", unit="doc", file=self.stderr, disable=not jobs)
        for document, is_credit_note in bar:
            if is_credit_note:
                xml = einvoice.credit_note_xml(document)
                render = pdf.render_credit_note
            else:
                xml = einvoice.invoice_xml(document)
                render = pdf.render_invoice
            # One naming for the accountant's folder, whatever each order's language
            # ("invoice-2026-000117.pdf", "credit-note-2026-000004.xml").
            stem = f"{'credit-note' if is_credit_note else 'invoice'}-{document.number}"
            try:
                (directory / f"{stem}.xml").write_bytes(xml)
                if not opts["xml_only"]:
                    (directory / f"{stem}.pdf").write_bytes(render(document))
            except OSError as exc:
                raise CommandError(f"Cannot write to {directory}: {exc.strerror}") from None
        shown_by_command(
            "export_invoices",
            sorted(
                {
                    order_ref(doc.invoice.order_id if credit else doc.order_id)
                    for doc, credit in jobs
                }
            ),
            note=f"e-invoices {date_from} – {date_to} to {directory}"[:300],
        )
        self.stdout.write(
            f"{len(invoices)} invoices and {len(credit_notes)} credit notes "
            f"({date_from} – {date_to}) written to {directory}"
        )
