from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews")

    def ready(self):
        from shop import listing, mail, pagecache

        from . import panels, personal_data, receivers
        from .models import Review, with_rating

        pagecache.watch(Review)  # ratings on cards, the reviews on the product page
        receivers.connect()
        panels.register()
        listing.register_annotation(with_rating)
        personal_data.declare()
        # Signed links of the review request and of the confirmation of a review: hidden
        # where the backoffice shows the outbox.
        mail.declare_secret_urls("reviews:request", "reviews:unsubscribe", "reviews:confirm")
