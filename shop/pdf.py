"""Every PDF is an HTML template under templates/pdf/ rendered by WeasyPrint."""

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation


def render_pdf(template, context, language=None, pdf_variant=None):
    """``pdf_variant``: e.g. ``"pdf/a-3b"`` (WeasyPrint's PDF/A-3 output, the base of a
    Factur-X e-invoice)."""
    from weasyprint import HTML  # imported lazily: it loads Pango on first use

    from .mail import links_in_language
    from .models import ShopSettings

    language = language or translation.get_language() or settings.LANGUAGE_CODE
    context = links_in_language({"shop": ShopSettings.load(), **context}, language)
    with translation.override(language):
        html = render_to_string(template, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant=pdf_variant)


def pdf_response(pdf_bytes, filename, inline=True):
    response = HttpResponse(pdf_bytes, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
