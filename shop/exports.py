"""CSV exports, safe against spreadsheet formula injection (SPEC S16)."""

import csv
import io
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Prefix a cell that a spreadsheet would run as a formula with an apostrophe. A number
    the shop computed (an amount, a count) is written as it is: "-16.29" is a refund the
    spreadsheet must be able to sum. Text is always checked — a discount code "-1000" stays
    text, not the number -1000."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    if text.startswith(DANGEROUS_PREFIXES):
        return "'" + text
    return text


def escape_formula(text):
    """``text`` for a spreadsheet cell that must come back as it went out (the product
    export, read again by the import): prefixed with ``'`` where a spreadsheet would run it
    as a formula, and where it already starts with ``'`` followed by such a character or
    another ``'`` — so that :func:`unescape_formula` returns exactly ``text``."""
    if text.startswith(DANGEROUS_PREFIXES) or (
        text[:1] == "'" and text[1:2] and text[1] in (*DANGEROUS_PREFIXES, "'")
    ):
        return "'" + text
    return text


def unescape_formula(text):
    """The text :func:`escape_formula` was given: one leading ``'`` removed where it comes
    before a formula character or another ``'`` ("'=A1" → "=A1"; "'Twas" stays)."""
    if text[:1] == "'" and text[1:2] and text[1] in (*DANGEROUS_PREFIXES, "'"):
        return text[1:]
    return text


def write_rows(fileobj, header, rows):
    writer = csv.writer(fileobj)
    if header:
        writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(v) for v in row])


def csv_text(header, rows):
    buf = io.StringIO()
    write_rows(buf, header, rows)
    return buf.getvalue()


def csv_response(filename, header, rows):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    write_rows(response, header, rows)
    return response


class _Echo:
    def write(self, value):
        return value


def csv_streaming_response(filename, header, rows):
    """Like :func:`csv_response`, but written while it is sent: for exports too large to
    hold in memory (e.g. the access log)."""
    writer = csv.writer(_Echo())

    def lines():
        if header:
            yield writer.writerow([neutralise(h) for h in header])
        for row in rows:
            yield writer.writerow([neutralise(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
