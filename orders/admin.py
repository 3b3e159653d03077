from django.contrib import admin

from shop.admin import backoffice

from .models import Order, OrderLine


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    readonly_fields = ["name", "sku", "quantity", "unit_price", "tax_rate", "line_total"]
    fields = readonly_fields


@admin.register(Order, site=backoffice)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["number", "created", "billing_name", "grand_total", "status", "payment_status"]
    list_filter = ["status", "payment_status", "payment_method"]
    list_select_related = ["payment_method"]
    search_fields = ["number", "email", "billing_last_name"]
    inlines = [OrderLineInline]
    readonly_fields = ["number", "status", "payment_status"]

    def has_add_permission(self, request):
        return False


backoffice.attention(
    "New orders",
    "admin:orders_order_changelist",
    lambda: Order.objects.filter(status=Order.Status.PENDING).count(),
    permission="orders.view_order",
    query="?status__exact=pending",
)
