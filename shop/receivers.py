"""The shop's own signal receivers (connected in ShopConfig.ready())."""

from django.apps import apps
from django.db.models.signals import post_migrate


def create_roles(sender, **kwargs):
    # Permissions are created per app in post_migrate: wait for the last app's turn.
    if sender.label != list(apps.get_app_configs())[-1].label:
        return
    from .roles import setup_roles

    setup_roles()


def connect():
    # Roles exist after every migrate; `manage.py setup_roles` refreshes them by hand.
    post_migrate.connect(create_roles, dispatch_uid="shop.roles")
