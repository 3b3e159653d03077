"""What the shop writes about what happened, in the language of whoever reads it.

An order's lifecycle event ("Invoice 2026-000001 created.", "Card payment of 39,60 €
authorized (Kreditkarte)."), a gift-card ledger reason ("Order 100131"), a loyalty points
note ("Order 100131 canceled") is written when it happens — by a German clerk, a Danish
customer's checkout, a Polish manager — and read later by staff and customers in their own
language. So it is stored twice on its row: as text, as it read in the language of the
moment (what search and older readers see), and as ``message``, the untranslated
sentence(s) with their values, from which :func:`render` writes it again in the reader's
language: amounts with that language's money format, dates with its date format, payment
and shipping methods under their translated name. Users: ``orders.OrderComment``,
``giftcards.LedgerEntry``, ``customers.LoyaltyEntry``.

``message`` is a list of parts ``[msgid, {name: value}]``; a value is a plain string or
number, or one of the tagged values made by :func:`money`, :func:`day` and :func:`method`.
A part whose sentence was reworded since is written with the sentence that replaced it
(:data:`REWORDED`: same placeholders), so old and new entries read alike; a part that
cannot be filled in makes :func:`render` give up (``None``), and the reader sees the stored
text instead.
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.db import models
from django.utils import formats
from django.utils.translation import gettext

from shop.money import format_money


class MessageField(models.JSONField):
    """The column of a row's ``message``: its parts beside the text written from them.

    Never edited in a form, and left out of a person's access report (which shows the text
    beside it, ``privacy.subjects.records``)."""

    def __init__(self, verbose_name=None, text_field="text", **kwargs):
        kwargs.update(default=list, blank=True, editable=False)
        # The row's column of the text as written (a report shows it in its reader's
        # language through ``read``); nothing in the database.
        self.text_field = text_field
        super().__init__(verbose_name, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for key in ("default", "blank", "editable"):
            kwargs.pop(key, None)
        return name, path, args, kwargs


def text_of(row, field_name):
    """``row``'s ``field_name`` — in the active language if it is the text a MessageField of
    the row was written with (``read``), else as stored."""
    stored = getattr(row, field_name)
    for field in row._meta.concrete_fields:
        if isinstance(field, MessageField) and field.text_field == field_name:
            return read(getattr(row, field.attname), stored)
    return stored


def part(message, **values):
    """One sentence of an event: ``message`` is the untranslated msgid (marked for
    translation at the caller with ``gettext_noop``), ``values`` its placeholders."""
    return [str(message), values]


def money(amount, currency):
    return {"money": str(amount), "currency": currency}


def day(value: date):
    return {"date": value.isoformat()}


def method(row):
    """A payment or shipping method: its translated name when read, the name of the moment
    if the row is gone."""
    return {"method": row._meta.label_lower, "pk": row.pk, "name": str(row.name)}


def text(parts):
    """The event in the active language (its ``text`` when written)."""
    return render(parts) or ""


def read(parts, stored):
    """What a reader sees: ``parts`` in the active language, else the ``stored`` text (no
    parts, or a part that cannot be written any more)."""
    rendered = render(parts) if parts else None
    return stored if rendered is None else rendered


# Former msgids of stored parts → the sentences that replaced them. Add the old msgid here
# when rewording a sentence that is stored: it leaves the translation catalogs, and its
# entries would otherwise be read in English.
REWORDED = {
    # "Zahlung … erhalten (Vorkasse (Überweisung))": a method's name may have brackets of
    # its own.
    "Payment of %(amount)s received (%(method)s).": (
        "Payment of %(amount)s received via %(method)s."
    ),
    "Card payment of %(amount)s captured (%(method)s).": (
        "Card payment of %(amount)s captured via %(method)s."
    ),
    "Card payment of %(amount)s authorized (%(method)s).": (
        "Card payment of %(amount)s authorized via %(method)s."
    ),
}


def render(parts):
    """``parts`` in the active language, or None if a part cannot be written."""
    try:
        return " ".join(
            gettext(REWORDED.get(message, message)) % _values(values) for message, values in parts
        )
    except (KeyError, TypeError, ValueError, LookupError, InvalidOperation):
        return None


def _values(values):
    return {name: _value(value) for name, value in values.items()}


def _value(value):
    if not isinstance(value, dict):
        return value
    if "money" in value:
        return format_money(Decimal(value["money"]), value["currency"])
    if "date" in value:
        return formats.date_format(date.fromisoformat(value["date"]))
    if "method" in value:
        model = apps.get_model(value["method"])
        # The active rows every checkout keeps (no query); a retired method by its old name.
        row = model.active_row(value["pk"]) if hasattr(model, "active_row") else None
        return str(row.name) if row is not None else value["name"]
    raise ValueError(f"unknown value {value!r}")


def scrub_values(parts, scrub):
    """``parts`` with ``scrub`` applied to every text value (erasure, retention)."""
    cleaned = []
    for message, values in parts:
        cleaned.append(
            [
                message,
                {
                    name: scrub(value) if isinstance(value, str) else value
                    for name, value in values.items()
                },
            ]
        )
    return cleaned
