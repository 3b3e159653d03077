from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GiftcardsConfig(AppConfig):
    name = "giftcards"
    verbose_name = _("Gift cards")

    def ready(self):
        from . import panels, personal_data, receivers

        receivers.connect()
        panels.register()
        personal_data.declare()
