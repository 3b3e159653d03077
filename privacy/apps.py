from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Personal data")

    def ready(self):
        from shop import panels

        from .panels import who_saw_customer, who_saw_order

        panels.BACKOFFICE_CUSTOMER.register("privacy/_who_saw.html", who_saw_customer, order=90)
        panels.BACKOFFICE_ORDER.register("privacy/_who_saw.html", who_saw_order, order=90)
