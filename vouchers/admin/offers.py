"""Partner offers with impressions and clicks (S12)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from shop.admin import SavesChangedFields, backoffice, money_column
from shop.models import ShopSettings

from .. import offers
from ..models import PartnerOffer


@admin.register(PartnerOffer, site=backoffice)
class PartnerOfferAdmin(SavesChangedFields, TranslationAdmin):  # headline and text per language
    # Many columns: the filters in a row above the list (base_site.html, backoffice.css).
    filters_above = True
    min_order_value_column = money_column(
        "min_order_value", PartnerOffer._meta.get_field("min_order_value").verbose_name
    )
    list_display = [
        "partner",
        "headline",
        "category_names",
        "min_order_value_column",
        "valid_from",
        "valid_to",
        "enabled",
        "impressions",
        "clicks",
        "click_rate",
    ]
    list_filter = ["enabled", "categories"]
    list_editable = ["enabled"]
    search_fields = ["partner", "headline"]
    filter_horizontal = ["categories"]
    readonly_fields = ["impressions", "clicks"]
    change_list_template = "admin/vouchers/partneroffer/change_list.html"
    fieldsets = [
        (None, {"fields": ["partner", "headline", "text", "image"]}),
        (_("Benefit"), {"fields": ["voucher_code", "link_url"]}),
        (
            _("Matching"),
            {
                "fields": [
                    "categories",
                    "min_order_value",
                    "valid_from",
                    "valid_to",
                    "enabled",
                    "position",
                ]
            },
        ),
        (_("Counters"), {"fields": ["impressions", "clicks"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("categories")

    @admin.display(description=_("categories"))
    def category_names(self, obj):
        return ", ".join(c.name for c in obj.categories.all()) or _("all (general offer)")

    @admin.display(description=_("click rate"))
    def click_rate(self, obj):
        if not obj.impressions:
            return "–"
        return f"{100 * obj.clicks / obj.impressions:.1f} %"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("network/", wrap(self.network_view), name="vouchers_partneroffer_network"),
            *super().get_urls(),
        ]

    def network_view(self, request):
        """Explains the external network mode: what is sent, when, and the current setting."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        from orders.models import Order

        shop_settings = ShopSettings.load()
        example = (
            Order.objects.filter(partner_consent=True).select_related("shipping_method").first()
        )
        return TemplateResponse(
            request,
            "admin/vouchers/partneroffer/network.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("External partner network"),
                "shop_settings": shop_settings,
                "example_url": offers.partner_network_url(example, shop_settings)
                if example
                else None,
                "example": example,
            },
        )
