"""Domain errors of reviews."""

from shop.exceptions import DomainError


class ReviewError(DomainError):
    pass
