from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpdeskConfig(AppConfig):
    name = "helpdesk"
    verbose_name = _("Helpdesk")

    def ready(self):
        from shop import panels as shop_panels

        from . import panels

        shop_panels.ACCOUNT_ORDER.register(
            "helpdesk/_order_threads.html", panels.account_order, order=50
        )
        shop_panels.ACCOUNT_HOME.register(
            "helpdesk/_account_threads.html", panels.account_home, order=60
        )
        shop_panels.BACKOFFICE_ORDER.register(
            "admin/helpdesk/_threads_panel.html", panels.backoffice_order, order=50
        )
        shop_panels.BACKOFFICE_CUSTOMER.register(
            "admin/helpdesk/_threads_panel.html", panels.backoffice_customer, order=50
        )

        from customers.signals import customer_deleting

        from .erasure import on_customer_deleting

        customer_deleting.connect(on_customer_deleting, dispatch_uid="helpdesk.erasure")
