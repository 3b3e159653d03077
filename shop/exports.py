"""CSV exports, safe against spreadsheet formula injection (SPEC S16).

Files a person opens in a spreadsheet — the backoffice's downloads, the order export, the
sales report — are written for the Excel of the reader's language (the active language:
the staff member's in the backoffice and in their background jobs): UTF-8 with a byte
order mark, without which Excel reads UTF-8 as the local code page ("eingelöst" comes out
garbled), and the list separator of that language's regional settings, which Excel splits
a CSV file at: ";" where the decimal separator is a comma (de, pl, da), "," elsewhere (en).
The amounts the shop computed are written with that language's decimal separator and no
thousands separator ("-16,29" in de/pl/da, "-16.29" in en): a German, Polish or Danish
Excel reads "89.30" as text and "12.05" as a date, never as a number it can sum. Dates and
times are written as ISO dates ("2026-12-03 16:19", local time), which Excel reads as a
date in every language. Text of digits that Excel would turn into a different number — the
postcode "01067" (Dresden) into 1067, a code "0042" into 42 — is written as ``="01067"``. A script reads such a file with ``encoding="utf-8-sig"``, the
delimiter and the decimal separator. Files for scripts and accountants' tools (the ops
commands' ``write_rows`` to stdout or a file, ``excel=False``) stay plain comma-separated
UTF-8 with amounts as "-16.29"."""

import csv
import datetime
import io
import re
from decimal import Decimal

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import formats, timezone, translation

from .filenames import content_disposition

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

BOM = "\ufeff"

# Digits with a leading zero, or more than 15 of them (Excel keeps 15 significant digits).
EXCEL_WOULD_CHANGE = re.compile(r"0[0-9]+|[0-9]{16,}")


def excel_delimiter(language=None):
    """The field separator the Excel of ``language`` (default: the active language) splits
    a CSV file at: the list separator of its regional settings, ";" where numbers are
    written with a decimal comma, "," where with a decimal point."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    decimal = formats.get_format("DECIMAL_SEPARATOR", lang=language, use_l10n=True)
    return ";" if decimal == "," else ","


def excel_decimal_separator(language=None):
    """The decimal separator the Excel of ``language`` (default: the active language) reads
    a number with: "," in German, Polish and Danish, "." in English."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    return formats.get_format("DECIMAL_SEPARATOR", lang=language, use_l10n=True)


def neutralise(value, *, decimal=None):
    """Prefix a cell that a spreadsheet would run as a formula with an apostrophe. A number
    the shop computed (an amount, a count) is written as a number: "-16.29" is a refund the
    spreadsheet must be able to sum. Text is always checked — a discount code "-1000" stays
    text, not the number -1000.

    ``decimal``: the reader's Excel's decimal separator (a file for a person): an amount
    with it and without a thousands separator ("-16,29"), a date or time as an ISO date in
    local time ("2026-12-03 16:19"). Without it (a file for scripts) a number is written
    as Python writes it ("-16.29")."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        if decimal is None:
            return str(value)
        text = format(value, "f") if isinstance(value, Decimal) else str(value)
        return text.replace(".", decimal)
    if decimal is not None and isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M")
    if decimal is not None and isinstance(value, datetime.date):
        return value.strftime("%Y-%m-%d")
    text = str(value)
    if text.startswith(DANGEROUS_PREFIXES):
        return "'" + text
    if decimal is not None and EXCEL_WOULD_CHANGE.fullmatch(text):
        # Text of digits that Excel would read as a number and change — the postcode 01067
        # as 1067, a code "0042" as 42, more than 15 digits rounded — as a formula giving
        # that text, which Excel and LibreOffice evaluate to the text itself.
        return f'="{text}"'
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


def write_rows(fileobj, header, rows, *, delimiter=",", decimal=None):
    """The rows as CSV (plain comma-separated, amounts as "-16.29", by default: the ops
    commands' files for scripts). ``decimal``: see :func:`neutralise`."""
    writer = csv.writer(fileobj, delimiter=delimiter)
    if header:
        writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(v, decimal=decimal) for v in row])


def csv_tables(*tables, excel=True):
    """Several ``(header, rows)`` tables one below the other, a blank line between them, as
    the text of one file: for the reader's Excel (one byte order mark, the language's
    delimiter and decimal separator), or with ``excel=False`` plain comma-separated for
    scripts."""
    delimiter = excel_delimiter() if excel else ","
    decimal = excel_decimal_separator() if excel else None
    parts = []
    for header, rows in tables:
        buf = io.StringIO()
        write_rows(buf, header, rows, delimiter=delimiter, decimal=decimal)
        parts.append(buf.getvalue())
    return (BOM if excel else "") + "\r\n".join(parts)


def csv_text(header, rows, *, excel=True):
    """The text of a CSV file (see :func:`csv_tables`); encode it as UTF-8."""
    return csv_tables((header, rows), excel=excel)


def csv_response(filename, header, rows):
    """A CSV download for the reader's Excel."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition(filename)
    response.write(BOM)
    write_rows(
        response, header, rows, delimiter=excel_delimiter(), decimal=excel_decimal_separator()
    )
    return response


class _Echo:
    def write(self, value):
        return value


def csv_streaming_response(filename, header, rows):
    """Like :func:`csv_response`, but written while it is sent: for exports too large to
    hold in memory (e.g. the access log). The delimiter and the decimal separator are the
    language's of the request: the rows are written after the view has returned."""
    writer = csv.writer(_Echo(), delimiter=excel_delimiter())
    decimal = excel_decimal_separator()

    def lines():
        yield BOM
        if header:
            yield writer.writerow([neutralise(h) for h in header])
        for row in rows:
            yield writer.writerow([neutralise(v, decimal=decimal) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition(filename)
    return response
