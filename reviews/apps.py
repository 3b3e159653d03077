from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews")

    def ready(self):
        from shop import listing

        from . import panels, personal_data, receivers
        from .models import with_rating

        receivers.connect()
        panels.register()
        listing.register_annotation(with_rating)
        personal_data.declare()
