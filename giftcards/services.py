"""Gift cards and customer credit (S8)."""

from django.utils.translation import gettext as _

from shop.exceptions import DomainError


class GiftCardError(DomainError):
    field = "giftcard_number"


def pay_order(order, *, card_number="", use_credit=False, customer=None, lines=()):
    """Pay part or all of a just-placed order with a gift card or account credit."""
    raise GiftCardError(_("This gift card number is unknown."))
