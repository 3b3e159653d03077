"""Domain errors of customers (accounts, groups, limits, loyalty)."""

from shop.exceptions import DomainError


class CustomerError(DomainError):
    pass
