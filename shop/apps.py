from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _create_roles(sender, **kwargs):
    from django.apps import apps

    # Permissions are created per app in post_migrate: wait for the last app's turn.
    if sender.label != list(apps.get_app_configs())[-1].label:
        return
    from .roles import setup_roles

    setup_roles()


class ShopConfig(AppConfig):
    name = "shop"
    verbose_name = _("Shop")

    def ready(self):
        # Roles exist after every migrate; `manage.py setup_roles` refreshes them by hand.
        post_migrate.connect(_create_roles)
