"""Domain errors of gift cards and credit accounts."""

from shop.exceptions import DomainError


class GiftCardError(DomainError):
    field = "giftcard_number"


class GiftCardOperationError(GiftCardError):
    """An error about an operation as a whole (backoffice, cancellation), not a typed number."""

    field = None
