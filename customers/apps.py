from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = _("Customers")

    def ready(self):
        from shop import mail

        from . import panels, personal_data, receivers

        panels.register()
        personal_data.declare()
        # Links that work as a password: hidden where the backoffice shows the outbox.
        mail.declare_secret_urls(
            "customers:confirm",
            "customers:confirm_resend",
            "customers:email_confirm",
            "customers:password_reset_confirm",
        )
        receivers.connect()
