"""``{% load locales %}``: ``{{ order.billing_country|country_name }}`` and
``{{ order.language|language_name }}``, by name in the active language (shop/locales.py); a
language name that starts a sentence or is a menu item of its own:
``{{ code|language_name|capfirst }}`` (Polish and Danish write it in lower case otherwise).
``{{ day|date_in_words:"yMMMM" }}``: a date by a CLDR skeleton, month names as the language
writes them in running text ("grudzień 2026", where Django's ``date:"F Y"`` has "Grudzień")."""

from django import template

from shop import locales

register = template.Library()


@register.filter
def country_name(code):
    return locales.country_name(code)


@register.filter
def language_name(code):
    return locales.language_name(code)


@register.filter
def label_text(label):
    """A form field's label as the start of "label: error" — without the full stop or colon
    a sentence-like label ("I understand that my account is deleted.") ends with."""
    return str(label or "").rstrip(" .:")


@register.filter
def date_in_words(day, skeleton):
    """``day`` by the CLDR ``skeleton`` in the active language (shop.locales.date_in_words);
    nothing for no date."""
    if not day:
        return ""
    return locales.date_in_words(day, skeleton)
