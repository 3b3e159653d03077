from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpdeskConfig(AppConfig):
    name = "helpdesk"
    verbose_name = _("Helpdesk")

    def ready(self):
        from shop import mail

        from . import panels, personal_data, receivers

        receivers.connect()
        panels.register()
        personal_data.declare()
        # A guest's signed thread link: hidden where the backoffice shows the outbox.
        mail.declare_secret_urls("helpdesk:guest_thread", "helpdesk:guest_attachment")
