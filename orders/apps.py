from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self):
        from shop import mail

        from . import panels, personal_data, receivers

        receivers.connect()
        panels.register()
        personal_data.declare()
        # Links that work as a key: hidden where the backoffice shows the outbox.
        mail.declare_secret_urls(
            "orders:download",
            "orders:feed",
            "orders:guest_status",
            "orders:guest_invoice_pdf",
            "orders:guest_credit_note_pdf",
            "orders:guest_withdraw",
        )
