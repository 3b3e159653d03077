"""Every PDF is an HTML template under templates/pdf/ rendered by WeasyPrint."""

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

from .filenames import content_disposition

# Accessible documents (issue 27): a tagged PDF (structure tree, /MarkInfo /Marked true) that
# declares PDF/UA-1, its document language from ``<html lang>`` and its title from ``<title>``
# (templates/pdf/base.html). Factur-X invoices and credit notes keep their PDF/A-3 (see
# orders/pdf.py): WeasyPrint writes one variant per file, so they are tagged PDF/A-3b instead.
PDF_UA = "pdf/ua-1"


def render_pdf(template, context, language=None, pdf_variant=PDF_UA, pdf_tags=None):
    """``pdf_variant``: ``"pdf/ua-1"`` by default (a tagged, accessible PDF), or e.g.
    ``"pdf/a-3b"`` (WeasyPrint's PDF/A-3 output, the base of a Factur-X e-invoice);
    ``pdf_tags=True`` adds the structure tree to a variant that does not imply it."""
    from weasyprint import HTML  # imported lazily: it loads Pango on first use

    from .mail import links_in_language
    from .models import ShopSettings

    language = language or translation.get_language() or settings.LANGUAGE_CODE
    context = links_in_language({"shop": ShopSettings.load(), **context}, language)
    with translation.override(language):
        html = render_to_string(template, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        pdf_variant=pdf_variant, pdf_tags=pdf_tags
    )


def pdf_response(pdf_bytes, filename, inline=True):
    """The PDF as a response; ``filename`` may have any letters (``shop.filenames``)."""
    response = HttpResponse(pdf_bytes, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(filename, attachment=not inline)
    return response
