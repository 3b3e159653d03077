from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def release_on_cancel(sender, order, **kwargs):
    """A canceled (or fully refunded) order gives its codes back."""
    from . import services

    services.release_redemptions(order)


class VouchersConfig(AppConfig):
    name = "vouchers"
    verbose_name = _("Discount codes")

    def ready(self):
        from orders import signals

        from . import panels

        signals.order_canceled.connect(release_on_cancel, dispatch_uid="vouchers_release_on_cancel")
        panels.register()

        from customers.signals import customer_deleting

        from .erasure import on_customer_deleting

        customer_deleting.connect(on_customer_deleting, dispatch_uid="vouchers.erasure")
