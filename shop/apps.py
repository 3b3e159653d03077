from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShopConfig(AppConfig):
    name = "shop"
    verbose_name = _("Shop")

    def ready(self):
        from . import admin, listing, mail, models, pagecache, personal_data, receivers

        # What the storefront's pages show (the page cache: shop.pagecache).
        pagecache.watch(
            models.Category,
            models.Product,
            models.ProductImage,
            models.PriceHistory,
            models.ShippingMethod,
            models.PaymentMethod,
            models.ShopSettings,
        )

        receivers.connect()
        listing.register_annotation(listing.with_main_image)
        admin.register_attention_items()
        personal_data.declare()
        # The back-in-stock notice's links confirm or delete it (shop.stock_notices).
        mail.declare_secret_urls("shop:stock_notice_confirm", "shop:stock_notice_cancel")
