from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from django.views.static import serve

from . import views
from .admin import backoffice

app_name = None
handler400 = "shop.views.bad_request"
handler403 = "shop.views.permission_denied"
handler404 = "shop.views.page_not_found"
# handler500: Django's own view, which renders templates/500.html without a context.

storefront = (
    [
        path("", views.home, name="home"),
        path("products/", views.product_list, name="products"),
        path("products/<slug:slug>/", views.product_detail, name="product"),
        path(
            "products/<slug:slug>/notify/",
            views.stock_notice_request,
            name="stock_notice_request",
        ),
        path(
            "stock-notices/confirm/<str:signed>/",
            views.stock_notice_confirm,
            name="stock_notice_confirm",
        ),
        path(
            "stock-notices/cancel/<str:signed>/",
            views.stock_notice_cancel,
            name="stock_notice_cancel",
        ),
        path("category/<slug:slug>/", views.category, name="category"),
        path("shipping/", views.shipping_costs, name="shipping_costs"),
        path("terms/", views.legal_page, {"page": "terms"}, name="terms"),
        path("privacy/", views.legal_page, {"page": "privacy"}, name="privacy"),
        path("imprint/", views.legal_page, {"page": "imprint"}, name="imprint"),
        path("accessibility/", views.accessibility, name="accessibility"),
        path("cart/", views.cart_view, name="cart"),
        path("cart/add/", views.cart_add, name="cart_add"),
        path("cart/update/", views.cart_update, name="cart_update"),
    ],
    "shop",
)

# Outside the language prefix: the backoffice (the staff user's language), the health check,
# the language switch and media files.
urlpatterns = [
    path("backoffice/", backoffice.urls),
    path("healthz", views.healthz, name="healthz"),
    path("bench/bare", views.bench_bare, name="bench_bare"),  # 404 unless BENCH_BARE_VIEW
    path("i18n/", include("django.conf.urls.i18n")),
]

# The storefront keeps a non-default language in the URL (/pl/products/…), so that search
# engines and shared links keep it; the default language keeps its URLs unprefixed. Links
# sent before (e-mails, signed links) stay valid: an unprefixed URL still resolves.
urlpatterns += i18n_patterns(
    path("", include(storefront)),
    path("", include("orders.urls")),
    path("account/", include("customers.urls")),
    path("account/", include("privacy.urls")),  # the customer's "Download my data"
    path("", include("vouchers.urls")),
    path("", include("giftcards.urls")),
    path("", include("helpdesk.urls")),
    path("", include("reviews.urls")),
    prefix_default_language=False,
)

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
