from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpdeskConfig(AppConfig):
    name = "helpdesk"
    verbose_name = _("Helpdesk")

    def ready(self):
        from . import panels, personal_data, receivers

        receivers.connect()
        panels.register()
        personal_data.declare()
