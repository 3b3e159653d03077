from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _issue_on_paid(sender, order, **kwargs):
    from . import services

    services.issue_for_paid_order(order)


def _reverse_on_cancel(sender, order, **kwargs):
    from . import services

    services.on_order_canceled(order)


class GiftcardsConfig(AppConfig):
    name = "giftcards"
    verbose_name = _("Gift cards")

    def ready(self):
        from orders import signals
        from shop import panels

        from .panels import account_home_context, account_nav_context, backoffice_customer_context

        signals.order_paid.connect(_issue_on_paid, dispatch_uid="giftcards.issue_on_paid")
        signals.order_canceled.connect(
            _reverse_on_cancel, dispatch_uid="giftcards.reverse_on_cancel"
        )
        panels.ACCOUNT_HOME.register(
            "giftcards/_account_panel.html", account_home_context, order=40
        )
        panels.registry("account_nav").register(
            "giftcards/_account_nav.html", account_nav_context, order=40
        )
        panels.BACKOFFICE_CUSTOMER.register(
            "giftcards/_backoffice_customer_panel.html", backoffice_customer_context, order=40
        )

        from customers.signals import customer_deleting

        from .erasure import on_customer_deleting

        customer_deleting.connect(on_customer_deleting, dispatch_uid="giftcards.erasure")
