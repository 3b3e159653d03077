from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from shop.admin import backoffice

from .models import CustomerGroup, User


@admin.register(User, site=backoffice)
class UserAdmin(BaseUserAdmin):
    ordering = ["-date_joined"]
    list_display = [
        "customer_number",
        "email",
        "first_name",
        "last_name",
        "group",
        "is_rejected",
        "is_test",
    ]
    list_filter = ["group", "is_rejected", "is_test", "is_staff"]
    list_select_related = ["group"]
    search_fields = ["email", "first_name", "last_name", "customer_number"]
    readonly_fields = ["customer_number", "date_joined", "last_login"]
    fieldsets = (
        (None, {"fields": ("email", "password", "customer_number")}),
        (
            _("Personal data"),
            {"fields": ("first_name", "last_name", "company", "phone", "language")},
        ),
        (_("Customer"), {"fields": ("group", "open_amount_limit", "is_rejected", "is_test")}),
        (
            _("Staff"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("date_joined", "last_login")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(CustomerGroup, site=backoffice)
class CustomerGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "open_amount_limit"]
