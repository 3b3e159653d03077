from django.conf import settings
from django.urls import include, path
from django.views.static import serve

from . import views
from .admin import backoffice

app_name = None
handler400 = "shop.views.bad_request"
handler403 = "shop.views.permission_denied"

storefront = (
    [
        path("", views.home, name="home"),
        path("products/", views.product_list, name="products"),
        path("products/<slug:slug>/", views.product_detail, name="product"),
        path("category/<slug:slug>/", views.category, name="category"),
        path("shipping/", views.shipping_costs, name="shipping_costs"),
        path("accessibility/", views.accessibility, name="accessibility"),
        path("cart/", views.cart_view, name="cart"),
        path("cart/add/", views.cart_add, name="cart_add"),
        path("cart/update/", views.cart_update, name="cart_update"),
    ],
    "shop",
)

urlpatterns = [
    path("backoffice/", backoffice.urls),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include(storefront)),
    path("", include("orders.urls")),
    path("account/", include("customers.urls")),
    path("", include("vouchers.urls")),
    path("", include("giftcards.urls")),
    path("", include("helpdesk.urls")),
    path("", include("reviews.urls")),
]

if settings.SERVE_MEDIA:
    # Product pictures from MEDIA_ROOT (development, or a single host without a web server
    # in front; otherwise the web server serves MEDIA_URL, see README "Catalog and prices").
    urlpatterns.append(
        path(
            f"{settings.MEDIA_URL.strip('/')}/<path:path>",
            serve,
            {"document_root": settings.MEDIA_ROOT},
            name="media",
        )
    )
