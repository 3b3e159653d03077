"""The backoffice: a custom AdminSite at /backoffice/ plus the catalog and outbox screens.

Apps register their ModelAdmins on ``backoffice`` and may add items to the start page's
"needs attention" panel with ``backoffice.attention(...)``.
"""

from dataclasses import dataclass
from functools import cached_property

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.views.main import SEARCH_VAR
from django.contrib.auth.models import Group
from django.core.paginator import Paginator
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from modeltranslation.admin import TranslationAdmin

from .db import PersonName, estimated_count
from .models import Category, OutboxEmail, PaymentMethod, Product, ShippingMethod, ShopSettings
from .twofactor import TwoFactorSiteMixin


@dataclass
class AttentionItem:
    label: str
    url_name: str
    count: callable
    permission: str | None = None
    query: str = ""
    urgent: bool = False


class BackofficeSite(TwoFactorSiteMixin, admin.AdminSite):
    site_header = _("Nordlicht Shop · Backoffice")
    site_title = _("Backoffice")
    index_title = _("Start")
    index_template = "admin/backoffice_index.html"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._attention = []

    def attention(self, label, url_name, count, permission=None, query="", urgent=False):
        """Show ``count()`` on the start page, linking to ``url_name`` (+ ``query``).

        ``urgent`` items are highlighted in red while their count is not zero.
        """
        if any(i.label == label and i.url_name == url_name for i in self._attention):
            return  # a module imported twice must not duplicate its items
        self._attention.append(AttentionItem(label, url_name, count, permission, query, urgent))

    def each_context(self, request):
        context = super().each_context(request)
        name = ShopSettings.load().shop_name
        context["site_header"] = _("%(shop)s · Backoffice") % {"shop": name}
        context["site_title"] = _("%(shop)s backoffice") % {"shop": name}
        return context

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
                    "urgent": item.urgent,
                }
            )
        return items

    def index(self, request, extra_context=None):
        attention = self.attention_items(request)
        extra_context = {
            **(extra_context or {}),
            "attention": attention,
            "attention_total": sum(item["count"] for item in attention),
        }
        return super().index(request, extra_context)


backoffice = BackofficeSite(name="admin")


class ReadOnlyAdminMixin:
    """A screen that only shows rows: they are written by services (or by the request that
    happened), never in a backoffice form. Nobody adds or changes them here, whatever their
    permissions; ``deletable = True`` keeps the model's delete permission."""

    deletable = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.deletable and super().has_delete_permission(request, obj)


class ReadOnlyWithActionsAdminMixin:
    """Read-only pages whose list actions change rows (e.g. "Send again"): viewing needs
    only the view permission and shows no form; posting an action needs the change
    permission. Nobody adds or deletes rows here."""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        if request.method in ("GET", "HEAD"):
            return super().has_view_permission(request, obj)
        return super().has_change_permission(request, obj)


@admin.register(TOTPDevice, StaticDevice, site=backoffice)
class OTPDeviceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Lets a manager reset a staff member's second factor (delete only; nothing to edit)."""

    deletable = True
    list_display = ["user", "name", "confirmed", "last_used_at"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = fields


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
class ShopSettingsAdmin(TranslationAdmin):  # the terms and conditions per language
    def has_add_permission(self, request):
        return not ShopSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboxEmail, site=backoffice)
class OutboxEmailAdmin(ReadOnlyWithActionsAdminMixin, admin.ModelAdmin):
    """The outbox: every e-mail the shop sent or still has to send (SPEC S13)."""

    list_display = [
        "subject",
        "recipients",
        "status_badge",
        "attempts",
        "short_error",
        "created",
        "sent_at",
    ]
    list_filter = ["status", "template"]
    search_fields = ["subject", "to"]
    date_hierarchy = "created"
    readonly_fields = [f.name for f in OutboxEmail._meta.fields]
    fieldsets = [
        (None, {"fields": ["status", "to", "reply_to", "subject", "template", "created"]}),
        (_("Delivery"), {"fields": ["attempts", "next_attempt_at", "sent_at", "last_error"]}),
        (_("Content"), {"fields": ["body_text", "body_html", "attachments"]}),
    ]
    actions = ["send_again"]
    list_per_page = 50

    STATUS_COLORS = {"pending": "#b35c00", "sent": "#2e7d6b", "failed": "#b00020"}

    @admin.display(description=_("to"))
    def recipients(self, obj):
        return ", ".join(obj.to)

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj):
        return format_html(
            '<strong style="color:{}">{}</strong>',
            self.STATUS_COLORS.get(obj.status, "inherit"),
            obj.get_status_display(),
        )

    @admin.display(description=_("last error"))
    def short_error(self, obj):
        return Truncator(obj.last_error).chars(60) if obj.last_error else "—"

    @admin.action(description=_("Send again"), permissions=["change"])
    def send_again(self, request, queryset):
        from . import mail

        count = mail.send_again(queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext(
                "%(n)d e-mail queued to be sent again.",
                "%(n)d e-mails queued to be sent again.",
                count,
            )
            % {"n": count},
        )


class EstimatedCountPaginator(Paginator):
    """Counts large change lists from the planner's estimate instead of ``COUNT(*)``.

    An exact count over a million orders costs more than the whole rest of the page; above
    ``threshold`` rows the page numbers come from PostgreSQL's row estimate (the list still
    shows the right rows — only the total is approximate, and the templates say so with
    "about"). Small results are counted exactly. ``is_estimate`` tells which one it was.
    """

    threshold = 20_000
    is_estimate = False

    @cached_property
    def count(self):
        estimate = estimated_count(self.object_list)
        if estimate is not None and estimate > self.threshold:
            self.is_estimate = True
            return estimate
        return super().count


class LargeListAdminMixin:
    """For change lists over big tables: estimated totals and indexed name search.

    ``name_search_fields = ("first_name", "last_name")`` searches "first last" through the
    trigram index the owning app builds on exactly that expression (``shop.db.PersonName``);
    ``exact_search_fields`` match whole values (order or customer numbers) through their
    unique index.
    """

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    # A name search that matches thousands of rows (a common surname) is counted from the
    # estimate too: counting them exactly means visiting every match through the trigram
    # index, which costs more than the rest of the page.
    search_count_threshold = 1_000
    name_search_fields = ()
    email_search_field = "email"
    exact_search_fields = ()

    def action_checkbox(self, obj):
        """Django's row checkbox, written directly: rendering a CheckboxInput widget through
        the form template engine for each of 50 rows costs more than the row's data."""
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            format_html(_("Select this object for an action - {}"), str(obj)),
        )

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        paginator = super().get_paginator(
            request, queryset, per_page, orphans, allow_empty_first_page
        )
        if request.GET.get(SEARCH_VAR, "").strip() and isinstance(
            paginator, EstimatedCountPaginator
        ):
            paginator.threshold = min(paginator.threshold, self.search_count_threshold)
        return paginator

    def get_search_results(self, request, queryset, search_term):
        terms = search_term.split()[:5]
        if not self.name_search_fields or not terms:
            return super().get_search_results(request, queryset, search_term)
        queryset = queryset.annotate(_person_name=PersonName(*self.name_search_fields))
        for term in terms:
            condition = Q(_person_name__icontains=term)
            if self.email_search_field:
                condition |= Q(**{f"{self.email_search_field}__icontains": term})
            for field in self.exact_search_fields:
                condition |= Q(**{field: term})
            queryset = queryset.filter(condition)
        return queryset, False


def register_attention_items():
    """The outbox tiles of the start page (wired in ShopConfig.ready())."""
    backoffice.attention(
        _("E-mails that could not be sent"),
        "admin:shop_outboxemail_changelist",
        lambda: OutboxEmail.objects.filter(status=OutboxEmail.Status.FAILED).count(),
        permission="shop.view_outboxemail",
        query="?status__exact=failed",
        urgent=True,
    )
    backoffice.attention(
        _("E-mails waiting for a retry"),
        "admin:shop_outboxemail_changelist",
        lambda: OutboxEmail.objects.filter(
            status=OutboxEmail.Status.PENDING, attempts__gt=0
        ).count(),
        permission="shop.view_outboxemail",
        query="?status__exact=pending",
    )
