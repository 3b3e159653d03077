"""django-otp's plugins with a name for the backoffice's app list.

The plugins have no verbose name, so the start page listed their labels ("OTP_TOTP",
"OTP_STATIC"). Installed through these configs (``settings.INSTALLED_APPS``) they keep their
app labels and tables. (A module of their own: ``shop/apps.py`` must hold one config only,
or Django would not know which one is the shop's.)
"""

from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.apps import DefaultConfig as OTPStaticConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as OTPTOTPConfig


def _name_models(config, names):
    """django-otp names its models in plain English ("TOTP device"); the backoffice shows
    them in each staff member's language. Only the display names change (``_meta`` after
    loading), so no migration follows."""
    for model_name, (singular, plural) in names.items():
        opts = config.get_model(model_name)._meta
        opts.verbose_name, opts.verbose_name_plural = singular, plural


class TOTPConfig(OTPTOTPConfig):
    verbose_name = _("Two-factor authentication: authenticator apps")

    def ready(self):
        super().ready()
        _name_models(self, {"TOTPDevice": (_("authenticator app"), _("authenticator apps"))})


class StaticOTPConfig(OTPStaticConfig):
    verbose_name = _("Two-factor authentication: recovery codes")

    def ready(self):
        super().ready()
        _name_models(
            self,
            {
                "StaticDevice": (_("recovery-code set"), _("recovery-code sets")),
                "StaticToken": (_("recovery code"), _("recovery codes")),
            },
        )
