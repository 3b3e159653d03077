"""``{% load money %}{{ amount|money }}``: an amount in the active language's format with the
shop currency (``{{ amount|money:order.currency }}`` for a document's own currency);
``{{ price|unit_money:invoice.currency }}`` keeps a unit price's decimals beyond the cent (an
e-invoice line's net price). See :func:`shop.money.format_money`. ``{{ rate|percent }}``: a VAT
rate as the language writes a percentage (:func:`shop.money.format_percent`)."""

from django import template

from shop.money import format_money, format_percent

register = template.Library()


@register.filter(is_safe=True)
def money(value, currency=None):
    return format_money(value, currency or None)


@register.filter(is_safe=True)
def unit_money(value, currency=None):
    return format_money(value, currency or None, exact=True)


@register.filter(is_safe=True)
def percent(value):
    """A VAT rate as the active language writes a percentage ("19 %", "23%")."""
    from django.utils import translation

    return format_percent(value, translation.get_language())
