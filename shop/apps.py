from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShopConfig(AppConfig):
    name = "shop"
    verbose_name = _("Shop")

    def ready(self):
        from . import admin, personal_data, receivers

        receivers.connect()
        admin.register_attention_items()
        personal_data.declare()
