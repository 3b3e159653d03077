"""Field types shared by every app's models and forms.

An e-mail address is at most ``EMAIL_MAX_LENGTH`` (254) characters everywhere: RFC 5321
limits the forward path to 256 octets including the angle brackets. Every column that
stores an address and every form field that accepts one use the types below, so no form can
accept an address that its column (or the login throttle's record) cannot hold — Django's
plain ``forms.EmailField`` accepts 320 characters, its model field stores 254.

A typed whole number is ASCII digits with an optional sign (:class:`WholeNumberField`,
:func:`parse_whole_number`): Python's ``int()`` — and with it Django's ``IntegerField`` — also
reads "1_0" as 10, "٣" as 3 and "1.000" as 1. A typed date is read in the reader's language
(:class:`LocalDateField`), not in the browser's.
"""

import re
from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.images import get_image_dimensions
from django.db import models
from django.utils import formats
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext, pgettext

from .images import PictureFormField

EMAIL_MAX_LENGTH = 254

# A whole number as people type one: ASCII digits, an optional sign, nothing else.
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")


def parse_whole_number(value):
    """``value`` — typed text or a number — as an ``int``; ``ValueError`` for anything that
    is not a whole number as people write one. Surrounding spaces are allowed; refused are
    "1_0" (which ``int()`` reads as 10), "1.000" and "1,5" (a German thousand or a fraction:
    never guessed), "1e3", "10.0", and digits other than 0–9 ("٣", "３", "²"). For typed
    quantities a service receives (``{line id: "2"}``) and :class:`WholeNumberField`."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        if not _WHOLE_NUMBER.fullmatch(text):
            raise ValueError(f"not a whole number: {text[:40]!r}")
        return int(text)
    if isinstance(value, (float, Decimal)):
        # A computed number without a fraction (JSON, a Decimal sum); not NaN or infinity.
        try:
            number = int(value)
        except (OverflowError, ValueError, ArithmeticError):
            number = None
        if number is not None and number == value:
            return number
    raise ValueError(f"not a whole number: {value!r}")


# A phone number as people write one: digits with an optional leading "+", spaced or grouped
# with " ", "-", "/", ".", "()" — at least 3 digits, at most 20 (E.164 allows 15, plus an
# extension). Not a format per country: carriers and staff read it, nobody dials it here.
_PHONE = re.compile(r"\+?[0-9 ()./-]+")


def validate_phone(value):
    """A phone number or nothing: "+49 40 123456-7", "(040) 123 456"; not "call me maybe"."""
    text = (value or "").strip()
    if not text:
        return
    digits = sum(ch.isdigit() for ch in text)
    if not _PHONE.fullmatch(text) or not 3 <= digits <= 20:
        raise ValidationError(
            gettext(
                "Enter a phone number with digits only (spaces, +, -, / and brackets are "
                "fine), e.g. +49 40 1234567."
            ),
            code="invalid_phone",
        )


class WholeNumberField(forms.IntegerField):
    """Django's ``IntegerField`` reading only what :func:`parse_whole_number` reads, with
    Django's own "Enter a whole number." for the rest. Every integer input of the shop is one:
    the backoffice's model forms get it for every integer column (shop.admin), the other forms
    declare it."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_whole_number(value)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class EmailFormField(forms.EmailField):
    def __init__(self, *, max_length=EMAIL_MAX_LENGTH, **kwargs):
        if max_length > EMAIL_MAX_LENGTH:
            raise ValueError(f"An e-mail field holds at most {EMAIL_MAX_LENGTH} characters")
        super().__init__(max_length=max_length, **kwargs)


class EmailField(models.EmailField):
    """A column holding an e-mail address; its form field is :class:`EmailFormField`."""

    def __init__(self, *args, **kwargs):
        kwargs["max_length"] = EMAIL_MAX_LENGTH
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        # Migrations see Django's EmailField: the column is exactly the one it was.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.EmailField", args, kwargs

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": EmailFormField, **kwargs})


class LanguageField(models.CharField):
    """A language code whose default is the shop's language (a callable default,
    ``shop.shop_language.default_language``). Its forms leave out the hidden "initial" input
    Django adds for a callable default: a form posted without it would count the language
    as changed ("Your details have been saved" for an untouched profile)."""

    def formfield(self, **kwargs):
        kwargs.setdefault("show_hidden_initial", False)
        return super().formfield(**kwargs)


class URLField(models.URLField):
    """A column holding a web address; its form field takes a bare host name as https
    (Django 6's default, without the deprecated transitional setting)."""

    def formfield(self, **kwargs):
        return super().formfield(**{"assume_scheme": "https", **kwargs})

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.URLField", args, kwargs


class PictureField(models.ImageField):
    """An image column whose width and height come from their own columns, never from the
    file when a row is loaded.

    Django's ``ImageField`` opens the file to measure it whenever a row without stored
    dimensions is loaded (and on every instance made without them, such as a listing's
    first picture): a disk read per picture on every page, and a page that fails when a
    picture's file is missing. Here the file is measured only when one is assigned (an
    upload, ``image.save(...)``), also from content without a name (a ``ContentFile``).
    Migrations see Django's ``ImageField``: the column is the same.
    """

    def contribute_to_class(self, cls, name, **kwargs):
        # FileField's, not ImageField's: no post_init receiver that measures on load.
        super(models.ImageField, self).contribute_to_class(cls, name, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.ImageField", args, kwargs

    def formfield(self, **kwargs):
        # A picture too large for Pillow to open is named as such (shop.images).
        return super().formfield(**{"form_class": PictureFormField, **kwargs})

    def update_dimension_fields(self, instance, force=False, *args, **kwargs):
        if not force or self.attname not in instance.__dict__:
            return
        file = getattr(instance, self.attname)
        content = getattr(file, "_file", None)
        if file or content is None:
            super().update_dimension_fields(instance, force=True)
            return
        width, height = get_image_dimensions(content)  # content without a name
        if self.width_field:
            setattr(instance, self.width_field, width)
        if self.height_field:
            setattr(instance, self.height_field, height)


def date_format_hint():
    """How the reader's language writes a date for typing, in the reader's letters:
    "TT.MM.JJJJ" (German), "DD.MM.RRRR" (Polish), "DD.MM.ÅÅÅÅ" (Danish), "YYYY-MM-DD"
    (English) — the first of its ``DATE_INPUT_FORMATS``, the format the field shows a date in."""
    pattern = formats.get_format("DATE_INPUT_FORMATS")[0]
    parts = {
        "%d": pgettext("date format hint: day", "DD"),
        "%m": pgettext("date format hint: month", "MM"),
        "%Y": pgettext("date format hint: year", "YYYY"),
        "%y": pgettext("date format hint: two-digit year", "YY"),
    }
    return re.sub(r"%[dmYy]", lambda match: parts[match[0]], pattern)


class LocalDateInput(forms.DateInput):
    """A date as text in the reader's language ("24.12.2026"), its format as the placeholder.
    Not ``type="date"``: Chromium writes that input in the browser's locale — "12/24/2026"
    for a German operator in an English browser — whatever the page's ``lang``."""

    def __init__(self, attrs=None, format=None):
        super().__init__({"size": 10, "autocomplete": "off", **(attrs or {})}, format)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].setdefault("placeholder", date_format_hint())
        return context


def _format_help():
    return gettext("Format: %(format)s") % {"format": date_format_hint()}


class LocalDateField(forms.DateField):
    """A typed date in the reader's language — its ``DATE_INPUT_FORMATS`` ("24.12.2026" in
    German, Polish and Danish) — or as ISO 8601 ("2026-12-24", as links and exports write
    it); its format shown under the input (``help_text``) and as the placeholder. A date that
    is none gives "Enter a valid date.", like any form error."""

    widget = LocalDateInput
    # The years a shop's date can be in. Beyond them the pages' arithmetic fails ("the day
    # after 31.12.9999", a time zone shift before year 1): "Enter a valid date.", not a 500.
    years = range(1900, 3000)

    def to_python(self, value):
        day = super().to_python(value)
        if day is not None and day.year not in self.years:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return day

    def __init__(self, *, help_text="", **kwargs):
        hint = lazy(_format_help, str)()
        help_text = format_lazy("{} {}", help_text, hint) if help_text else hint
        super().__init__(help_text=help_text, **kwargs)

    def bound_data(self, data, initial):
        """A date read is shown back as the reader's language writes it — "2026-12-01" from
        a link and "1.12.26" as "01.12.2026", so the operator sees what was understood;
        what is no date, as typed (next to its error)."""
        data = super().bound_data(data, initial)
        try:
            return self.to_python(data) or data
        except ValidationError:
            return data


def parse_typed_date(text):
    """A date typed into a page's own date input (a list filter, a one-field form), read as
    :class:`LocalDateField` reads it: ``None`` when empty, ``ValueError`` when no date."""
    try:
        return LocalDateField(required=False).clean(text)
    except ValidationError:
        raise ValueError(text) from None


def typed_date_value(value):
    """What a date input shows for ``value`` (a date, or text as typed): a date in the
    reader's language ("01.12.2026"), text that is no date as it is."""
    try:
        day = value if isinstance(value, date) else parse_typed_date(value or "")
    except ValueError:
        return value
    return formats.localize_input(day, formats.get_format("DATE_INPUT_FORMATS")[0]) if day else ""
