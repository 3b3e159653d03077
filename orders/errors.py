"""Domain errors of orders (checkout, lifecycle, downloads)."""

from shop.exceptions import DomainError


class CheckoutError(DomainError):
    pass


class OrderError(DomainError):
    pass


class DownloadError(DomainError):
    """A download link that cannot be used; ``status`` is the HTTP status to answer with."""

    def __init__(self, message, status=410):
        super().__init__(message)
        self.status = status
