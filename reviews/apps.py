from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews")

    def ready(self):
        from shop import panels

        from .panels import product_reviews

        panels.PRODUCT_PAGE.register("reviews/_product_reviews.html", product_reviews, order=50)

        from customers.signals import customer_deleting

        from .erasure import on_customer_deleting

        customer_deleting.connect(on_customer_deleting, dispatch_uid="reviews.erasure")
