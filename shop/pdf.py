"""Every PDF is an HTML template under templates/pdf/ rendered by WeasyPrint."""

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation


def render_pdf(template, context, language=None):
    from weasyprint import HTML  # imported lazily: it loads Pango on first use

    from .models import ShopSettings

    context = {"shop": ShopSettings.load(), **context}
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        html = render_to_string(template, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def pdf_response(pdf_bytes, filename, inline=True):
    response = HttpResponse(pdf_bytes, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
