from shop.exceptions import DomainError


class VoucherError(DomainError):
    """A discount code or campaign operation that is not allowed; nothing was changed."""

    field = "voucher_code"
