"""Domain errors of the helpdesk."""

from shop.exceptions import DomainError


class HelpdeskError(DomainError):
    pass
