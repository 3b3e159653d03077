"""The backoffice: a custom AdminSite at /backoffice/ plus the catalog and outbox screens.

Apps register their ModelAdmins on ``backoffice`` and may add items to the start page's
"needs attention" panel with ``backoffice.attention(...)``.
"""

from dataclasses import dataclass

from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Category, OutboxEmail, PaymentMethod, Product, ShippingMethod, ShopSettings


@dataclass
class AttentionItem:
    label: str
    url_name: str
    count: callable
    permission: str | None = None
    query: str = ""


class BackofficeSite(admin.AdminSite):
    site_header = _("Nordlicht Shop · Backoffice")
    site_title = _("Backoffice")
    index_title = _("Start")
    index_template = "admin/backoffice_index.html"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._attention = []

    def attention(self, label, url_name, count, permission=None, query=""):
        """Show ``count()`` on the start page, linking to ``url_name`` (+ ``query``)."""
        self._attention.append(AttentionItem(label, url_name, count, permission, query))

    def attention_items(self, request):
        items = []
        for item in self._attention:
            if item.permission and not request.user.has_perm(item.permission):
                continue
            items.append(
                {
                    "label": item.label,
                    "count": item.count(),
                    "url": reverse(item.url_name) + item.query,
                }
            )
        return items

    def index(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "attention": self.attention_items(request)}
        return super().index(request, extra_context)


backoffice = BackofficeSite(name="admin")


@admin.register(Group, site=backoffice)
class GroupAdmin(admin.ModelAdmin):
    search_fields = ["name"]
    filter_horizontal = ["permissions"]


@admin.register(Category, site=backoffice)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Product, site=backoffice)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "sku", "category", "price", "tax_rate", "stock", "is_active"]
    list_filter = ["category", "is_active", "is_downloadable", "is_giftcard"]
    list_select_related = ["category"]
    search_fields = ["name", "sku"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(ShippingMethod, site=backoffice)
class ShippingMethodAdmin(admin.ModelAdmin):
    list_display = ["name", "price", "free_over", "is_active", "position"]
    list_editable = ["is_active", "position"]


@admin.register(PaymentMethod, site=backoffice)
class PaymentMethodAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "is_active", "limited_by_open_amount", "position"]
    list_editable = ["is_active", "limited_by_open_amount", "position"]


@admin.register(ShopSettings, site=backoffice)
class ShopSettingsAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return not ShopSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboxEmail, site=backoffice)
class OutboxEmailAdmin(admin.ModelAdmin):
    list_display = ["created", "subject", "recipients", "template", "status", "attempts", "sent_at"]
    list_filter = ["status", "template"]
    search_fields = ["subject"]
    readonly_fields = [f.name for f in OutboxEmail._meta.fields]
    actions = ["retry_now"]

    @admin.display(description=_("to"))
    def recipients(self, obj):
        return ", ".join(obj.to)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return request.method in ("GET", "HEAD") and super().has_view_permission(request, obj)

    @admin.action(description=_("Send selected pending/failed e-mails again now"))
    def retry_now(self, request, queryset):
        from . import mail

        ids = list(queryset.exclude(status=OutboxEmail.Status.SENT).values_list("pk", flat=True))
        OutboxEmail.objects.filter(pk__in=ids).update(status=OutboxEmail.Status.PENDING)
        for pk in ids:
            mail.dispatch(pk)
        self.message_user(request, _("%(n)d e-mails queued again.") % {"n": len(ids)})


backoffice.attention(
    _("E-mails that could not be sent"),
    "admin:shop_outboxemail_changelist",
    lambda: OutboxEmail.objects.filter(status=OutboxEmail.Status.FAILED).count(),
    permission="shop.view_outboxemail",
    query="?status__exact=failed",
)
