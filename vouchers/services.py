"""Discount codes at checkout (S7)."""

from django.utils.translation import gettext as _

from shop.exceptions import DomainError


class VoucherError(DomainError):
    field = "voucher_code"


def quote_for_checkout(code_text, *, customer, order, lock=False):
    """Validate a code for an unsaved order and return the discount it grants."""
    raise VoucherError(_("This discount code does not exist."))


def record_redemption(quote, order):
    raise VoucherError(_("This discount code does not exist."))
