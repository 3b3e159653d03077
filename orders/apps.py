from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self):
        from . import panels, personal_data, receivers

        receivers.connect()
        panels.register()
        personal_data.declare()
