"""Products in and out of the shop as CSV or XLSX (django-import-export).

One resource, :class:`ProductResource`, serves the backoffice (import with a dry-run
preview of every change and row-level errors, export of the filtered list) and
``manage.py import_products``. Rows are keyed on the SKU: an existing SKU is updated, a new
one created. Every row is validated like the backoffice form (field limits, the database
constraints: sale price below the price, content quantity with its unit …); one invalid row
and nothing is imported. A price change is recorded in the price history by
``Product.save`` like any other.

Names, descriptions and safety information travel per language: ``name``, ``description``
and ``safety_information`` are the shop's default language (the original text), ``name_de``,
``description_pl``, ``safety_information_da`` … its translations,
exported as stored (empty where a product is not translated, never the fallback text). So a
file means the same whoever imports it: the operator's own language decides nothing, a
re-imported export writes back what it read, and a file without the translation columns
leaves the translations alone.
"""

import csv
import io
import os
import re
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import openpyxl
import tablib
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.files.storage import FileSystemStorage
from django.utils import timezone
from django.utils.text import capfirst, get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import SelectableFieldsExportForm
from import_export.results import RowResult
from openpyxl.styles.numbers import is_datetime

from .db import changed_columns
from .exceptions import DomainError
from .exports import BOM, escape_formula, excel_delimiter, unescape_formula
from .models import Category, ContentUnit, Product
from .money import normalise_decimal
from .slugs import product_slug

DEFAULT_LANGUAGE = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
TRANSLATIONS = tuple(
    code for code in settings.MODELTRANSLATION_LANGUAGES if code != DEFAULT_LANGUAGE
)


TRANSLATED_FIELDS = ("name", "description", "safety_information")


def _per_language(field):
    return (field, *(f"{field}_{code}" for code in TRANSLATIONS))


COLUMNS = (
    "sku",
    *_per_language("name"),
    "slug",
    "category",
    *_per_language("description"),
    "price",
    "sale_price",
    "sale_start",
    "sale_end",
    "tax_rate",
    "stock",
    "low_stock_threshold",
    "allow_backorders",
    "delivery_days",
    "backorder_delivery_days",
    "content_quantity",
    "content_unit",
    "manufacturer",
    "manufacturer_address",
    "manufacturer_contact",
    "responsible_person",
    "responsible_person_address",
    "responsible_person_contact",
    "product_identifier",
    *_per_language("safety_information"),
    "is_active",
)


# Who may change a product's stock quantity (Product.Meta.permissions): not Marketing, which
# edits the catalog's texts and prices (shop.roles).
STOCK_PERMISSION = "shop.change_product_stock"
STOCK_NOT_YOURS = gettext_lazy(
    "Your role may not change the stock: remove the “stock” column from the file (or keep "
    "the stock as it is now)."
)


NEW_WITHOUT_RATE = gettext_lazy(
    "A new product needs its VAT rate: fill in the “tax_rate” column in percent (e.g. 19 or 7)."
)


class CatalogImportError(DomainError):
    """A file that cannot be read as a product table."""


class ImportFileStorage(FileSystemStorage):
    """Uploaded import files between preview and confirmation: under PRIVATE_MEDIA_ROOT
    (never served; on the shared storage of a multi-node installation, so the confirming
    request may reach another node)."""

    @property
    def base_location(self):
        return str(Path(settings.PRIVATE_MEDIA_ROOT) / "imports")

    @property
    def location(self):
        return os.path.abspath(self.base_location)


def _cell(value):
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"


class DecimalCell(widgets.DecimalWidget):
    """An amount or rate: a cell that is not a number is the row's error in the reader's
    language ("“abc” is not a number"), not Python's ``decimal.ConversionSyntax``. Text is
    read as every typed amount of the shop is (``shop.money.normalise_decimal``): a decimal
    comma as spreadsheets in Germany, Poland and Denmark write it, grouped figures refused."""

    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            return None
        try:
            # Read here, not by the library's clean(): that goes through Django's
            # sanitize_separators, which reads "5,90" by the importing operator's language.
            number = Decimal(normalise_decimal(value) if isinstance(value, str) else str(value))
        except (ArithmeticError, ValueError, TypeError):
            number = Decimal("NaN")
        if not number.is_finite():
            raise ValueError(
                _("“%(value)s” is not a number (for example 19.99).") % {"value": _cell(value)}
            )
        return number


# A whole number as typed: ASCII digits and a sign, nothing else. "1.000" (a German thousand,
# or one with three decimals?) and "5,5" are refused, never guessed.
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,9}")


class IntegerCell(widgets.IntegerWidget):
    """A count (stock, days): a whole number, or the row's error in the reader's language.
    The library's own reading went through Django's ``sanitize_separators`` and ``int()``:
    "1.000" became 1 and, for a German operator, "5,5" became 5."""

    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            return None
        if isinstance(value, bool):
            value = str(value)
        if isinstance(value, float) and value.is_integer():  # an XLSX number cell
            value = int(value)
        if isinstance(value, int) and abs(value) < 10**9:
            return value
        text = str(value).strip()
        if _WHOLE_NUMBER.fullmatch(text):
            return int(text)
        raise ValueError(_("“%(value)s” is not a whole number.") % {"value": _cell(value)})


class DateTimeCell(widgets.DateTimeWidget):
    """A sale's start or end in the shop's time zone: 2026-12-24 18:00 (as the export writes
    it, seconds optional, a "T" allowed) or 24.12.2026 18:00, as written in Germany, Poland
    and Denmark; a date alone is the start of that day, or for an end the end of it. Dates
    with slashes are refused: the library read 01/12/2026 as 12 January.

    An XLSX cell is a date alone only when it is formatted as one (:func:`load_xlsx` reads
    it as a ``date``); a date-and-time cell at midnight — the export's sale ending at 00:00 —
    is that moment, not the end of its day."""

    DATE_TIMES = (
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%d.%m.%Y %H:%M:%S",
        "%d.%m.%Y %H:%M",
    )
    DATES = ("%Y-%m-%d", "%d.%m.%Y")

    def __init__(self, end_of_day=False):
        super().__init__()
        self.end_of_day = end_of_day

    def day(self, day):
        """A date alone: the start of that day, for an end its end."""
        return datetime.combine(day, time(23, 59, 59) if self.end_of_day else time.min)

    def clean(self, value, row=None, **kwargs):
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        moment = value if isinstance(value, datetime) else None
        if isinstance(value, date) and moment is None:
            # An XLSX date cell (load_xlsx): a day, as typed dates are.
            moment = self.day(value)
        text = str(value).strip()
        for pattern in () if moment else self.DATE_TIMES:
            try:
                moment = datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
        for pattern in () if moment else self.DATES:
            try:
                moment = self.day(datetime.strptime(text, pattern).date())
                break
            except ValueError:
                continue
        if moment is None:
            raise ValueError(
                _(
                    "“%(value)s” is not a date and time (for example 2026-12-24 18:00 or "
                    "24.12.2026 18:00)."
                )
                % {"value": _cell(value)}
            )
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment.replace(microsecond=0))
        return moment


def _minute(old, new):
    """``old`` to the minute when ``new`` is given to the minute (else ``old`` as it is)."""
    return old.replace(second=0, microsecond=0) if new.second == 0 else old


class BooleanCell(widgets.BooleanWidget):
    """Yes or no: 1/0, true/false, yes/no and the words of the shop's languages (ja/nein,
    tak/nie, ja/nej). Anything else is the row's error — the library read every value it did
    not know as "no", so "ja" in ``is_active`` took a product off the shop."""

    YES = {"1", "true", "yes", "y", "ja", "j", "tak", "wahr", "sand"}
    NO = {"0", "false", "no", "n", "nein", "nie", "nej", "falsch", "falsk"}

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = "" if value is None else str(value).strip().casefold()
        if text.endswith(".0"):  # a spreadsheet's 1.0
            text = text[:-2]
        if text in self.YES:
            return True
        if text in self.NO:
            return False
        raise ValueError(
            _("“%(value)s” is neither yes nor no (write 1 or 0).") % {"value": _cell(value)}
        )


class CategoryCell(widgets.ForeignKeyWidget):
    """A category's slug; an unknown one is the row's error under the column "category",
    listed with the row's other errors (the library's ``DoesNotExist`` stopped the row at
    its first error and hid every other row's validation errors in the preview)."""

    def __init__(self):
        super().__init__(Category, field="slug")

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except Category.DoesNotExist:
            raise ValueError(
                _("Unknown category “%(slug)s” (use a category's slug).") % {"slug": _cell(value)}
            ) from None


class ContentUnitCell(widgets.CharWidget):
    """The content unit as exported (g, kg, ml, l, cm, m, m2) or as people write it: "m²",
    "KG". Anything else is the row's error, naming the units."""

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        unit = text.replace("²", "2").casefold()
        if not unit:
            return ""
        if unit in ContentUnit.values:
            return unit
        raise ValueError(
            _("“%(value)s” is not a content unit (use one of %(units)s).")
            % {"value": _cell(value), "units": ", ".join(ContentUnit.values)}
        )


class KeptWhenEmpty(fields.Field):
    """A yes/no column: an empty cell keeps what the product has (a new one: the default)."""

    def save(self, instance, row, is_m2m=False, **kwargs):
        value = row.get(self.column_name)
        if value is None or not str(value).strip():
            return
        super().save(instance, row, is_m2m, **kwargs)


class TextInLanguage(fields.Field):
    """A name or description in one language. An empty cell where the product has no text in
    that language changes nothing (the stored "untranslated" stays as it is, so a re-imported
    export is "unchanged"); an empty cell over a text removes the translation."""

    def save(self, instance, row, is_m2m=False, **kwargs):
        if not (row.get(self.column_name) or "") and not getattr(instance, self.attribute, None):
            return
        super().save(instance, row, is_m2m, **kwargs)


class ProductResource(resources.ModelResource):
    WIDGETS_MAP = {
        **resources.ModelResource.WIDGETS_MAP,
        "DecimalField": DecimalCell,
        # An empty XLSX cell is None: a text column without NULL reads it as "" (the
        # library's default widget passed None on to the database).
        "TextField": widgets.CharWidget,
        "BooleanField": BooleanCell,
        "DateTimeField": DateTimeCell,
        **{
            name: IntegerCell
            for name, widget in resources.ModelResource.WIDGETS_MAP.items()
            if widget is widgets.IntegerWidget
        },
    }
    # The original text in the default language, whatever language the importing operator
    # reads (the plain attribute would write the operator's language: modeltranslation).
    name = TextInLanguage(
        attribute=f"name_{DEFAULT_LANGUAGE}", column_name="name", widget=widgets.CharWidget()
    )
    description = TextInLanguage(
        attribute=f"description_{DEFAULT_LANGUAGE}",
        column_name="description",
        widget=widgets.CharWidget(),
    )
    safety_information = TextInLanguage(
        attribute=f"safety_information_{DEFAULT_LANGUAGE}",
        column_name="safety_information",
        widget=widgets.CharWidget(),
    )
    sale_end = fields.Field(
        attribute="sale_end", column_name="sale_end", widget=DateTimeCell(end_of_day=True)
    )
    category = fields.Field(attribute="category", column_name="category", widget=CategoryCell())
    content_unit = fields.Field(
        attribute="content_unit", column_name="content_unit", widget=ContentUnitCell()
    )

    class Meta:
        model = Product
        fields = COLUMNS
        export_order = COLUMNS
        import_id_fields = ("sku",)
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    @classmethod
    def field_from_django_field(cls, field_name, django_field, readonly):
        field = super().field_from_django_field(field_name, django_field, readonly)
        kind = None
        if getattr(django_field, "language", None):  # name_de, description_pl …
            kind = TextInLanguage
        elif isinstance(field.widget, BooleanCell):
            kind = KeptWhenEmpty
        if kind:
            field = kind(
                attribute=field.attribute,
                column_name=field.column_name,
                widget=field.widget,
                readonly=readonly,
            )
        return field

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The model's errors under the file's column names: django-modeltranslation checks
        ``name`` and its default-language column ``name_en`` alike, and the file's column for
        both is ``name`` — one error, not two, the second under a column the file lacks."""
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        except ValidationError as exc:
            default_columns = {f"{f}_{DEFAULT_LANGUAGE}": f for f in TRANSLATED_FIELDS}
            errors = {}
            for field, messages in exc.error_dict.items():
                column = default_columns.get(field, field)
                known = errors.setdefault(column, [])
                known.extend(m for m in messages if m.messages not in [k.messages for k in known])
            raise ValidationError(errors) from None

    def import_instance(self, instance, row, **kwargs):
        columns = [f for f in self.get_import_fields() if f.attribute and f.column_name in row]
        before = {f.attribute: getattr(instance, f.attribute, None) for f in columns}
        # The row's own errors (a SKU twice in the file, no name …) together with those of
        # its cells and then of the model (validate_instance): every error of every row in
        # one preview, by row and column — an exception would stop the row at its first
        # error and the preview would show only the exceptions of the whole file.
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for attribute, message in self.row_problems.items():
            errors.setdefault(attribute, []).append(ValidationError(message, code="invalid"))
        if instance.pk is None and not str(row.get("tax_rate") or "").strip():
            # The model's default rate is Germany's 19 %: a Polish (23 %) or Danish (25 %) shop,
            # or a book at 7 %, must not get it without a word.
            errors.setdefault("tax_rate", []).append(
                ValidationError(NEW_WITHOUT_RATE, code="required")
            )
        if not self.may_change_stock():
            # A role without the stock permission (Marketing) imports texts and prices; the
            # stock stays as it is, a new product starts sold out (as in the backoffice form).
            if instance.pk is None and not str(row.get("stock") or "").strip():
                instance.stock = 0
            elif getattr(instance, "stock", None) != before.get("stock", instance.stock):
                errors.setdefault("stock", []).append(
                    ValidationError(STOCK_NOT_YOURS, code="permission")
                )
        if errors:
            raise ValidationError(errors)
        for attribute in ("sale_start", "sale_end"):
            # The export writes a moment to the second, a person to the minute: the same
            # moment read back is the stored one, not a change of its fraction of a second
            # (and a price-history entry).
            old, new = before.get(attribute), getattr(instance, attribute, None)
            if old and new and new in (old.replace(microsecond=0), _minute(old, new)):
                setattr(instance, attribute, old)
        instance._changed_by_import = {
            attribute
            for attribute, value in before.items()
            if getattr(instance, attribute, None) != value
        }
        if instance.pk and "stock" in instance._changed_by_import:
            self.stock_changes += 1

    def may_change_stock(self):
        """The importing operator holds the stock permission (``manage.py import_products``
        has no operator: it may)."""
        return self.user is None or self.user.has_perm(STOCK_PERMISSION)

    def after_import(self, dataset, result, **kwargs):
        # The preview's warning: an export edited for its prices and imported after orders
        # were placed would put the sold pieces back (templates/admin/import_export/).
        result.stock_changes = self.stock_changes

    def do_instance_save(self, instance, is_create):
        if is_create:
            return super().do_instance_save(instance, is_create)
        # Only the columns the file changed: the stock an order took while the import ran is
        # not written back (shop.db.changed_columns).
        instance.save(update_fields=changed_columns(Product, instance._changed_by_import))

    def __init__(self, progress=None, **kwargs):
        super().__init__(**kwargs)
        self.progress = progress
        self.stock_changes = 0
        self.repeated = {}  # {row number: {attribute: message}}: a SKU or slug given twice
        self.user = None  # the importing operator (before_import), None for the command
        self.row_problems = {}

    def export_field(self, field, instance, **kwargs):
        """A text cell a spreadsheet would run as a formula ("=HYPERLINK(…)", "+cmd|…",
        "-20% Patelnia") with a ``'`` before it, as the shop's other exports write it
        (``shop.exports``) — and read back without it by the import, so a round trip changes
        nothing. Numbers, dates, yes/no and empty cells keep their types: the library's own
        escaping (``IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT``, off) wrote every XLSX cell as
        text ("None", "False") and dropped a leading "=" for good."""
        value = super().export_field(field, instance, **kwargs)
        return escape_formula(value) if isinstance(value, str) else value

    def import_row(self, row, instance_loader, **kwargs):
        if not any(str(value or "").strip() for value in row.values()):
            # A blank line (a spreadsheet's trailing row of separators): nothing to import.
            row_result = self.get_row_result_class()()
            row_result.import_type = RowResult.IMPORT_TYPE_SKIP
            return row_result
        return super().import_row(row, instance_loader, **kwargs)

    def before_import(self, dataset, **kwargs):
        """The header row first: without a ``sku`` column no row can be matched, and a column
        the import does not know (a typo: "prcie") would be skipped without a word while the
        operator believes the prices changed. Either is the file's one error, and no row is
        looked at."""
        self.user = kwargs.get("user")
        headers = [str(header or "").strip() for header in dataset.headers or []]
        dataset.headers = headers
        problems = []
        if "sku" not in headers:
            problems.append(_("The file has no “sku” column: it names the product of each row."))
        unknown = [header for header in headers if header and header not in COLUMNS]
        for number, header in enumerate(headers, 1):
            if not header and any(
                str(value or "").strip() for value in dataset.get_col(number - 1)
            ):
                problems.append(
                    _("Column %(number)s holds values but has no name in the header row.")
                    % {"number": number}
                )
        if unknown:
            problems.append(
                _("Unknown columns: %(columns)s. The columns are those of the export: %(known)s.")
                % {
                    "columns": ", ".join(_cell(header) for header in unknown),
                    "known": ", ".join(COLUMNS),
                }
            )
        twice = sorted({header for header in headers if header and headers.count(header) > 1})
        if twice:
            problems.append(
                _("Columns given twice: %(columns)s.")
                % {"columns": ", ".join(_cell(header) for header in twice)}
            )
        if problems:
            del dataset[:]  # nothing to check row by row: the file's columns are wrong
            raise CatalogImportError(" ".join(problems))
        while len(dataset) and not any(str(value or "").strip() for value in dataset[-1]):
            del dataset[-1]  # blank rows at the end, as spreadsheets save them
        self.repeated = {}
        for column, message in (
            (
                "sku",
                gettext_lazy("The SKU “%(value)s” appears in rows %(rows)s: one row per product."),
            ),
            (
                "slug",
                gettext_lazy(
                    "The slug “%(value)s” appears in rows %(rows)s: every product needs its own."
                ),
            ),
        ):
            self._find_repeated(dataset, headers, column, message)

    def _find_repeated(self, dataset, headers, column, message):
        """Each row whose ``column`` repeats another row's value gets ``message``: a SKU
        twice would import both rows into one product — the first row's price into the price
        history (and the Omnibus "lowest price of 30 days") though it was never charged."""
        if column not in headers:
            return
        rows = {}
        for number, value in enumerate(dataset.get_col(headers.index(column)), 1):
            value = unescape_formula(str(value or "").strip())
            if value:
                rows.setdefault(value, []).append(number)
        for value, numbers in rows.items():
            if len(numbers) < 2:
                continue
            text = message % {
                "value": _cell(value),
                # As a spreadsheet numbers them (the library counts the data rows from 1).
                "rows": get_text_list([str(n + 1) for n in numbers], _("and")),
            }
            for number in numbers:
                self.repeated.setdefault(number, {})[column] = text

    def before_import_row(self, row, **kwargs):
        for key in ("sku", "slug", "category", *_per_language("name")):
            if key in row and isinstance(row[key], str):
                row[key] = row[key].strip()
        for key, value in row.items():
            if isinstance(value, str):  # the export's "'=…" is the text "=…" (export_field)
                row[key] = unescape_formula(value)
        # Errors of the row as a whole, raised with its cells' errors (import_instance).
        self.row_problems = dict(self.repeated.get(kwargs.get("row_number"), {}))
        if "name" in row and not row["name"]:
            self.row_problems[f"name_{DEFAULT_LANGUAGE}"] = _(
                "Every product needs a name (column “name”)."
            )
        if not (row.get("slug") or "").strip() and row.get("name"):
            existing = Product.objects.filter(sku=row.get("sku")).values_list("slug", flat=True)
            row["slug"] = existing.first() or product_slug(
                Product.objects.all(), row["name"], row.get("sku", "")
            )

    def after_import_row(self, row, row_result, **kwargs):
        if self.progress is not None:
            self.progress()


class ProductExportForm(SelectableFieldsExportForm):
    """The export page's column choices in the reader's language, the file's column name
    beside each ("Pris (price)"): the columns themselves keep their names, which the import
    reads."""

    def _get_field_label(self, resource, field_name):
        try:
            field = Product._meta.get_field(field_name)
        except FieldDoesNotExist:
            return super()._get_field_label(resource, field_name)
        name = capfirst(getattr(field, "translated_field", field).verbose_name)
        language = getattr(field, "language", None)
        if language is None and field_name in TRANSLATED_FIELDS:
            language = DEFAULT_LANGUAGE
        if language:
            name = f"{name} – {dict(settings.LANGUAGES)[language]}"
        return f"{name} ({field_name})"


# A CSV that Excel saved as plain "CSV" (Windows-1252 in Germany and Denmark, 1250 in
# Poland): guessing its encoding would put wrong letters into product names.
NOT_UTF8 = gettext_lazy(
    "The file is not saved as UTF-8. In Excel, save it as “CSV UTF-8 (comma delimited)”; in "
    "LibreOffice, choose the character set “Unicode (UTF-8)”."
)


def load_csv(text):
    """A CSV file's rows under its header row. The separator is a comma or — as a spreadsheet
    saves CSV in Germany, Poland and Denmark — a semicolon, whichever the header row holds
    more of. A row with more cells than the header has columns is the file's error, named by
    its row as a spreadsheet numbers it, the header row being row 1 (tablib's own message is
    empty)."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise CatalogImportError(NOT_UTF8) from None
    text = text.removeprefix("\ufeff")
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    width = len(rows[0]) if rows else 0
    for number, row in enumerate(rows[1:], 2):
        if len(row) > width:
            raise CatalogImportError(
                _(
                    "Row %(number)s has %(cells)s cells, but the header row names %(columns)s "
                    "columns (a separator too many, or a value with a separator and no quotes?)."
                )
                % {"number": number, "cells": len(row), "columns": width}
            )
    return tablib.Dataset().load(text, format="csv", delimiter=delimiter)


class ProductCSV(CSV):
    """The backoffice's CSV format for products: read as :func:`load_csv` reads a file, and
    written for the reader's Excel as the shop's other CSV downloads (``shop.exports``): UTF-8
    with a byte order mark and the list separator of the staff member's language — ";" in
    German, Polish and Danish, whose amounts the export writes with a decimal comma ("12,90"),
    "," in English. The import reads either separator, with or without the mark."""

    def create_dataset(self, in_stream, **kwargs):
        return load_csv(in_stream)

    def export_data(self, dataset, **kwargs):
        return BOM + dataset.export("csv", delimiter=excel_delimiter(), **kwargs)


def load_xlsx(data):
    """The first sheet of an XLSX file (bytes) as rows under its header row, each cell's
    value as openpyxl reads it — except a cell formatted as a date alone ("24.12.2026"),
    which is a ``date``: openpyxl reads it as a datetime at midnight, and the import could
    not tell the day (for a sale's end, its end) from the moment 00:00 of a date-and-time
    cell, as the export writes a sale ending at midnight. A row shorter than the header
    row is filled with empty cells."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        rows = book.active.iter_rows()
        header = next(rows, None)
        dataset = tablib.Dataset()
        if header is None:
            return dataset
        dataset.headers = [cell.value for cell in header]
        width = len(dataset.headers)
        for row in rows:
            values = [_xlsx_value(cell) for cell in row]
            dataset.append(values + [None] * (width - len(values)))
        return dataset
    finally:
        book.close()


def _xlsx_value(cell):
    value = cell.value
    if isinstance(value, datetime) and is_datetime(cell.number_format) == "date":
        return value.date()
    return value


class ProductXLSX(XLSX):
    """The backoffice's XLSX format for products: read as :func:`load_xlsx` reads a file (a
    date cell is a day, a date-and-time cell a moment, midnight included)."""

    def create_dataset(self, in_stream, **kwargs):
        return load_xlsx(in_stream)


def read_dataset(path):
    """The rows of a CSV (UTF-8, with a header row) or XLSX file."""
    suffix = Path(path).suffix.lower()
    try:
        if suffix == ".csv":
            with open(path, encoding="utf-8-sig", newline="") as handle:
                return load_csv(handle.read())
        if suffix == ".xlsx":
            with open(path, "rb") as handle:
                return load_xlsx(handle.read())
    except CatalogImportError:
        raise
    except UnicodeDecodeError:
        raise CatalogImportError(NOT_UTF8) from None
    except OSError as exc:
        raise CatalogImportError(str(exc)) from None
    except Exception as exc:  # tablib/openpyxl: any unreadable file
        raise CatalogImportError(
            _("The file could not be read: %(error)s") % {"error": exc}
        ) from None
    raise CatalogImportError(_("Please use a .csv or .xlsx file."))


def import_products(dataset, *, dry_run=False, progress=None):
    """Import ``dataset``; all rows or none (one transaction). Returns import-export's
    ``Result`` (``has_errors()``, ``has_validation_errors()``, ``totals``)."""
    resource = ProductResource(progress=progress)
    return resource.import_data(
        dataset,
        dry_run=dry_run,
        use_transactions=True,
        rollback_on_validation_errors=True,
    )


def row_errors(result):
    """``[(row number, message)]`` of a result: exceptions and field validation errors, each
    row numbered as a spreadsheet numbers it (the header row is row 1; the library counts the
    data rows from 1)."""
    errors = []
    for number, row_errors_ in result.row_errors():
        for error in row_errors_:
            errors.append((number + 1, str(error.error)))
    for invalid in result.invalid_rows:
        for field, messages in invalid.error_dict.items():
            for message in messages:
                label = "" if field == "__all__" else f"{field}: "
                errors.append((invalid.number + 1, f"{label}{message}"))
    return sorted(errors, key=lambda item: item[0])
