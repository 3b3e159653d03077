"""``{% load money %}{{ amount|money }}``: an amount in the active language's format with the
shop currency (``{{ amount|money:order.currency }}`` for a document's own currency);
``{{ price|unit_money:invoice.currency }}`` keeps a unit price's decimals beyond the cent (an
e-invoice line's net price). See :func:`shop.money.format_money`. ``{{ rate|percent }}``: a VAT
rate as the language writes a percentage (:func:`shop.money.format_percent`)."""

from decimal import Decimal, InvalidOperation

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


@register.filter(is_safe=True)
def credited_money(value, currency=None):
    """An amount a credit note credits, with the minus the document prints before it
    ("−12,00 €"); a negative one (a deduction, or the balance of an earlier extra credit) is
    shown without it, never as "−-0,01 €"."""
    text = format_money(value, currency or None)
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return text
    if amount < 0:
        return format_money(-amount, currency or None)
    return f"−{text}" if amount > 0 else text
