from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VouchersConfig(AppConfig):
    name = "vouchers"
    verbose_name = _("Discount codes")

    def ready(self):
        from shop import mail

        from . import panels, personal_data, receivers

        receivers.connect()
        panels.register()
        personal_data.declare()
        # Signed links: hidden where the backoffice shows the outbox (the unsubscribe link of
        # the code e-mails shows the customer's address and ends their code e-mails).
        mail.declare_secret_urls("vouchers:partner_frame", "vouchers:unsubscribe")
