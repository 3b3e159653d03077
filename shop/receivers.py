"""The shop's own signal receivers (connected in ShopConfig.ready())."""

from django.apps import apps
from django.db.models.signals import post_migrate


def create_roles(sender, **kwargs):
    # Permissions are created per app in post_migrate: wait for the last app's turn.
    if sender.label != list(apps.get_app_configs())[-1].label:
        return
    from .roles import setup_roles

    setup_roles()


def forget_shop_settings(sender, **kwargs):
    """A save of the settings row within a request: the rest of it reads the row again."""
    from .models import _request_memo

    _request_memo.shop_settings = None


def connect():
    from django.core.signals import request_finished, request_started
    from django.db.models.signals import post_delete, post_save, pre_save

    from .images import remove_picture_files, remove_replaced_picture_files
    from .models import ProductImage, ShopSettings, close_request_memo, open_request_memo

    request_started.connect(open_request_memo, dispatch_uid="shop.settings-memo-open")
    request_finished.connect(close_request_memo, dispatch_uid="shop.settings-memo-close")
    post_save.connect(
        forget_shop_settings, sender=ShopSettings, dispatch_uid="shop.settings-memo-forget"
    )
    # A deleted picture's files (original and resized versions) after the commit.
    post_delete.connect(
        remove_picture_files, sender=ProductImage, dispatch_uid="shop.picture-files"
    )
    pre_save.connect(
        remove_replaced_picture_files, sender=ProductImage, dispatch_uid="shop.replaced-picture"
    )
    # Roles exist after every migrate; `manage.py setup_roles` refreshes them by hand.
    post_migrate.connect(create_roles, dispatch_uid="shop.roles")
