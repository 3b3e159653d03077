from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Personal data")

    def ready(self):
        from shop import db

        from . import panels, personal_data, receivers
        from .models import AccessLogAnchor, AccessLogEntry, AccessLogHead

        panels.register()
        receivers.connect()
        personal_data.declare()
        # The web and worker role only reads the log; it writes through the database
        # functions of privacy/0005, which run with the owner's rights.
        for model in (AccessLogEntry, AccessLogHead, AccessLogAnchor):
            db.read_only_for_app_role(model)
        post_migrate.connect(after_migrate, sender=self)
        from shop.personal_data import command_shown

        command_shown.connect(log_command, dispatch_uid="privacy.log_command")


def log_command(*, command, subjects, note="", **kwargs):
    """``shop.personal_data.shown_by_command``: one access-log entry per command run that
    wrote personal data, in the name of the system user who ran it."""
    import getpass

    from .services import Action, write_entry

    if not subjects:
        return  # nothing personal in the output
    try:
        system_user = getpass.getuser()
    except (KeyError, OSError):  # no user name for this uid (a container)
        system_user = "unknown"
    write_entry(
        username=f"manage.py {command}",
        action=Action.EXPORT,
        subjects=subjects,
        path=f"manage.py {command}",
        note=" · ".join(part for part in (note, f"run by {system_user}") if part),
    )


def after_migrate(using, **kwargs):
    """Run by the owner at every ``migrate``: the retention the database enforces follows
    ACCESS_LOG_RETENTION_DAYS, and the partitions of the coming months exist."""
    from shop.db import is_postgresql

    from .services import ensure_partitions, set_retention_floor

    if not is_postgresql(using) or not _migrated(using):
        return
    set_retention_floor()
    ensure_partitions()


def _migrated(using):
    from django.db import connections

    with connections[using].cursor() as cursor:
        cursor.execute("SELECT to_regproc('privacy_accesslog_partitions') IS NOT NULL")
        return cursor.fetchone()[0]
