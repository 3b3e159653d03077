"""Domain errors of orders (checkout, lifecycle, downloads)."""

from django.utils.translation import gettext as _

from shop.exceptions import DomainError


class CheckoutError(DomainError):
    pass


class OrderAlreadyPlaced(CheckoutError):
    """The checkout page this input comes from has been placed already, as ``order`` (a
    second submit of the same page: a double click, a reload). Nothing of this attempt was
    written; the checkout answers it as it answered the first submit."""

    def __init__(self, order):
        super().__init__(_("An order has already been placed from this checkout page."))
        self.order = order


class FiguresChanged(CheckoutError):
    """What the order would charge differs from what its checkout page showed (a price, the
    shipping cost, a discount, a gift card's balance): nothing was placed; the page is shown
    again with the new figures."""


class OrderError(DomainError):
    pass


class DownloadError(DomainError):
    """A download link that cannot be used; ``status`` is the HTTP status to answer with."""

    def __init__(self, message, status=410):
        super().__init__(message)
        self.status = status
