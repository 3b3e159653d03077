"""Domain errors of the privacy tools."""

from shop.exceptions import DomainError


class PrivacyError(DomainError):
    pass
