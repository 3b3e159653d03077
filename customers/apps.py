from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = _("Customers")

    def ready(self):
        from orders import signals as order_signals
        from shop import panels

        from . import receivers
        from .panels import account_points

        order_signals.order_paid.connect(receivers.order_paid, dispatch_uid="customers.points.earn")
        order_signals.order_canceled.connect(
            receivers.order_canceled, dispatch_uid="customers.points.reverse"
        )
        panels.ACCOUNT_HOME.register("customers/_points_panel.html", account_points, order=20)
