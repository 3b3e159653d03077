"""Backoffice: campaigns (list, generate, assign, details, download, statistics, delete),
codes (activate / deactivate), code jobs with progress, partner offers (S7, S12)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from shop.admin import EstimatedCountPaginator, ReadOnlyAdminMixin, backoffice
from shop.exceptions import add_to_form
from shop.exports import csv_response
from shop.models import ShopSettings

from . import masks, offers, services
from .errors import VoucherError
from .forms import AssignCodesForm, GenerateCodesForm
from .models import Campaign, Code, CodeJob, PartnerOffer, Redemption

PREVIEW_SIZE = 10


def _count_subquery(queryset, field="pk", distinct=False):
    """COUNT per outer row as a correlated subquery (one query for the whole page)."""
    sub = (
        queryset.order_by()
        .values("campaign")
        .annotate(n=Count(field, distinct=distinct))
        .values("n")
    )
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


class CampaignTimeFilter(admin.SimpleListFilter):
    title = _("time")
    parameter_name = "time"

    def lookups(self, request, model_admin):
        return [
            ("current", _("Current")),
            ("historical", _("Historical")),
            ("upcoming", _("Not yet valid")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "current":
            return queryset.current()
        if self.value() == "historical":
            return queryset.historical()
        if self.value() == "upcoming":
            return queryset.upcoming()
        return queryset


@admin.register(Campaign, site=backoffice)
class CampaignAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "created_on",
        "valid_from",
        "valid_to",
        "code_count",
        "used_count",
        "row_actions",
    ]
    list_display_links = None
    list_filter = [CampaignTimeFilter]
    search_fields = ["name"]
    search_help_text = _("Campaign name")
    fields = ["name"]
    readonly_fields = []
    change_list_template = "admin/vouchers/campaign/change_list.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                # Codes exist only as generated with their campaign (all or nothing, never
                # deleted one by one), so the stored count is exact and spares counting
                # a million index entries per page view.
                code_count=F("requested_count"),
                used_count=_count_subquery(
                    Redemption.objects.filter(campaign=OuterRef("pk")), "code", distinct=True
                ),
            )
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # deletion goes through the checked view
        return actions

    @admin.display(description=_("created"), ordering="created")
    def created_on(self, obj):
        return date_format(timezone.localtime(obj.created), "SHORT_DATE_FORMAT")

    @admin.display(description=_("codes"), ordering="code_count")
    def code_count(self, obj):
        return obj.code_count

    @admin.display(description=_("used codes"), ordering="used_count")
    def used_count(self, obj):
        return obj.used_count

    @admin.display(description=_("actions"))
    def row_actions(self, obj):
        links = [
            (reverse("admin:vouchers_campaign_details", args=[obj.pk]), _("Details")),
            (reverse("admin:vouchers_campaign_download", args=[obj.pk]), _("Download")),
            (reverse("admin:vouchers_campaign_change", args=[obj.pk]), _("Edit")),
            (
                reverse("admin:vouchers_code_changelist") + f"?campaign__id__exact={obj.pk}",
                _("List"),
            ),
            (reverse("admin:vouchers_campaign_statistics", args=[obj.pk]), _("Statistics")),
            (reverse("admin:vouchers_campaign_delete", args=[obj.pk]), _("Delete")),
        ]
        lines = [
            format_html_join(" · ", '<a href="{}">{}</a>', links[i : i + 2]) for i in (0, 2, 4)
        ]
        return format_html('<span style="white-space:nowrap">{}<br>{}<br>{}</span>', *lines)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("generate/", wrap(self.generate_view), name="vouchers_campaign_generate"),
            path(
                "generate/preview/",
                wrap(self.preview_view),
                name="vouchers_campaign_generate_preview",
            ),
            path("assign/", wrap(self.assign_view), name="vouchers_campaign_assign"),
            path("<int:pk>/details/", wrap(self.details_view), name="vouchers_campaign_details"),
            path("<int:pk>/download/", wrap(self.download_view), name="vouchers_campaign_download"),
            path(
                "<int:pk>/statistics/",
                wrap(self.statistics_view),
                name="vouchers_campaign_statistics",
            ),
            *super().get_urls(),
        ]

    def _context(self, request, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            **extra,
        }

    # Adding a campaign means generating its codes.
    def add_view(self, request, form_url="", extra_context=None):
        return redirect("admin:vouchers_campaign_generate")

    def generate_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = GenerateCodesForm(request.POST or None)
        previewing = "preview" in request.POST
        if request.method == "POST" and not previewing and form.is_valid():
            if form.cleaned_data["count"] >= services.ASYNC_THRESHOLD:
                job = services.start_job(
                    CodeJob.Kind.GENERATE, form.job_params(), user=request.user
                )
                return redirect(job.get_absolute_url())
            try:
                campaign = services.generate_campaign(**form.service_kwargs())
            except VoucherError as exc:
                add_to_form(form, exc)
            else:
                self.message_user(
                    request,
                    ngettext(
                        "Campaign “%(name)s” created with %(count)d code.",
                        "Campaign “%(name)s” created with %(count)d codes.",
                        form.cleaned_data["count"],
                    )
                    % {"name": campaign.name, "count": form.cleaned_data["count"]},
                    messages.SUCCESS,
                )
                return redirect("admin:vouchers_campaign_details", campaign.pk)
        fieldsets = [(title, [form[name] for name in names]) for title, names in form.fieldsets]
        preview_codes, preview_error = [], ""
        try:
            count = int(request.POST.get("count") or form["count"].initial or PREVIEW_SIZE)
            preview_codes = masks.preview(request.POST.get("mask", ""), count, PREVIEW_SIZE)
        except ValueError:
            preview_error = _("The number of codes must be a whole number.")
        except VoucherError as exc:
            preview_error = exc.message
        return TemplateResponse(
            request,
            "admin/vouchers/campaign/generate.html",
            self._context(
                request,
                _("Generate codes"),
                form=form,
                fieldsets=fieldsets,
                async_threshold=services.ASYNC_THRESHOLD,
                preview_size=PREVIEW_SIZE,
                preview_codes=preview_codes,
                preview_error=preview_error,
            ),
        )

    def preview_view(self, request):
        """The first codes a mask yields (JSON for the live preview)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        try:
            count = int(request.GET.get("count") or PREVIEW_SIZE)
        except ValueError:
            return JsonResponse({"error": str(_("The number of codes must be a whole number."))})
        if not 1 <= count <= GenerateCodesForm.base_fields["count"].max_value:
            return JsonResponse({"error": str(_("The number of codes is out of range."))})
        try:
            codes = masks.preview(request.GET.get("mask", ""), count, PREVIEW_SIZE)
        except VoucherError as exc:
            return JsonResponse({"error": exc.message})
        return JsonResponse({"codes": codes, "count": count})

    def assign_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = AssignCodesForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            criteria = form.cleaned_data["criteria"]
            if "save_csv" in request.POST:
                customers = services.matching_customers(criteria).values_list(
                    "email", "first_name", "last_name", "customer_number"
                )
                return csv_response(
                    f"customers-{timezone.localdate():%Y%m%d}.csv",
                    [_("e-mail"), _("first name"), _("last name"), _("customer number")],
                    customers.iterator(chunk_size=5000),
                )
            campaign = form.cleaned_data["campaign"]
            try:
                # Checked here too so the operator sees the error on the form at once;
                # the job checks again inside its transaction.
                self._check_enough_codes(campaign, criteria)
            except VoucherError as exc:
                form.add_error(None, exc.message)
            else:
                job = services.start_job(
                    CodeJob.Kind.ASSIGN,
                    {"criteria": criteria.as_dict(), "notify": form.cleaned_data["notify"]},
                    campaign=campaign,
                    user=request.user,
                )
                return redirect(job.get_absolute_url())
        return TemplateResponse(
            request,
            "admin/vouchers/campaign/assign.html",
            self._context(request, _("Assign codes to customers"), form=form),
        )

    @staticmethod
    def _check_enough_codes(campaign, criteria):
        if services.check_enough_codes(campaign, criteria) == 0:
            raise VoucherError(_("No customer matches these criteria."))

    def _campaign(self, request, pk):
        campaign = self.get_queryset(request).filter(pk=pk).first()
        if campaign is None:
            raise Http404
        if not self.has_view_permission(request, campaign):
            raise PermissionDenied
        return campaign

    def details_view(self, request, pk):
        campaign = self._campaign(request, pk)
        counts = Code.objects.filter(campaign=campaign).aggregate(
            active=Count("pk", filter=Q(is_active=True)),
            assigned=Count("pk", filter=Q(assigned_to__isnull=False)),
        )
        return TemplateResponse(
            request,
            "admin/vouchers/campaign/details.html",
            self._context(
                request,
                _("Campaign “%(name)s”") % {"name": campaign.name},
                campaign=campaign,
                counts=counts,
                jobs=campaign.jobs.all()[:5],
            ),
        )

    def download_view(self, request, pk):
        campaign = self._campaign(request, pk)
        return csv_response(
            f"codes-{campaign.pk}.csv",
            [_("code"), _("active"), _("assigned customer"), _("order number"), _("used")],
            export_rows(campaign),
        )

    def statistics_view(self, request, pk):
        campaign = self._campaign(request, pk)
        summary, per_code = services.campaign_statistics(campaign)
        page = Paginator(per_code, 100).get_page(request.GET.get("page"))
        return TemplateResponse(
            request,
            "admin/vouchers/campaign/statistics.html",
            self._context(
                request,
                _("Statistics: %(name)s") % {"name": campaign.name},
                campaign=campaign,
                summary=summary,
                page=page,
            ),
        )

    def delete_view(self, request, object_id, extra_context=None):
        campaign = self.get_queryset(request).filter(pk=object_id).first()
        if campaign is None:
            raise Http404
        if not self.has_delete_permission(request, campaign):
            raise PermissionDenied
        if request.method == "POST":
            try:
                services.delete_campaign(campaign)
            except VoucherError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("The campaign “%(name)s” and its codes were deleted.")
                    % {"name": campaign.name},
                    messages.SUCCESS,
                )
                return redirect("admin:vouchers_campaign_changelist")
        return TemplateResponse(
            request,
            "admin/vouchers/campaign/delete.html",
            self._context(
                request,
                _("Delete campaign “%(name)s”") % {"name": campaign.name},
                campaign=campaign,
                object=campaign,
            ),
        )


def export_rows(campaign):
    """code, active, assigned e-mail, last order number, last use — streamed in chunks."""
    last = Redemption.objects.filter(code=OuterRef("pk")).order_by("-created")
    rows = (
        Code.objects.filter(campaign=campaign)
        .annotate(
            order_number=Subquery(last.values("order__number")[:1]),
            used_at=Subquery(last.values("created")[:1]),
        )
        .order_by("id")
        .values_list("text", "is_active", "assigned_to__email", "order_number", "used_at")
    )
    for text, active, email, number, used_at in rows.iterator(chunk_size=10000):
        yield [
            text,
            "yes" if active else "no",
            email or "",
            number or "",
            timezone.localtime(used_at).strftime("%Y-%m-%d %H:%M") if used_at else "",
        ]


class UsedFilter(admin.SimpleListFilter):
    title = _("used")
    parameter_name = "used"

    def lookups(self, request, model_admin):
        return [("yes", _("Used")), ("no", _("Not used"))]

    def queryset(self, request, queryset):
        used = Exists(Redemption.objects.filter(code=OuterRef("pk")))
        if self.value() == "yes":
            return queryset.filter(used)
        if self.value() == "no":
            return queryset.filter(~used)
        return queryset


@admin.register(Code, site=backoffice)
class CodeAdmin(admin.ModelAdmin):
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_display = [
        "text",
        "campaign",
        "assigned_customer",
        "order_number",
        "used_at",
        "is_active",
    ]
    list_filter = ["is_active", UsedFilter, "campaign"]
    list_select_related = ["campaign", "assigned_to"]
    list_per_page = 100
    search_fields = ["^text", "assigned_to__email"]
    search_help_text = _("Code (beginning) or customer e-mail")
    show_full_result_count = False
    actions = ["activate", "deactivate"]
    fields = ["text", "campaign", "is_active", "assigned_to", "assigned_at"]
    readonly_fields = ["text", "campaign", "assigned_to", "assigned_at"]

    def get_queryset(self, request):
        last = Redemption.objects.filter(code=OuterRef("pk")).order_by("-created")
        return (
            super()
            .get_queryset(request)
            .annotate(
                last_order_number=Subquery(last.values("order__number")[:1]),
                last_used_at=Subquery(last.values("created")[:1]),
            )
        )

    def get_search_results(self, request, queryset, search_term):
        if search_term and "@" not in search_term:
            search_term = search_term.strip().upper()
        return super().get_search_results(request, queryset, search_term)

    def has_add_permission(self, request):
        return False  # codes are generated with their campaign

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead; codes go with their campaign

    @admin.display(description=_("assigned customer"), ordering="assigned_to__email")
    def assigned_customer(self, obj):
        return obj.assigned_to.email if obj.assigned_to else "–"

    @admin.display(description=_("order number"))
    def order_number(self, obj):
        return obj.last_order_number or "–"

    @admin.display(description=_("used"), ordering="last_used_at")
    def used_at(self, obj):
        if obj.last_used_at is None:
            return "–"
        return date_format(timezone.localtime(obj.last_used_at), "SHORT_DATETIME_FORMAT")

    def get_list_display(self, request):
        if "campaign__id__exact" in request.GET:  # the "List" of one campaign
            return [f for f in self.list_display if f != "campaign"]
        return self.list_display

    @admin.action(description=_("Activate selected codes"), permissions=["change"])
    def activate(self, request, queryset):
        n = services.set_codes_active(queryset, True)
        self.message_user(request, _("%(n)d codes activated.") % {"n": n}, messages.SUCCESS)

    @admin.action(description=_("Deactivate selected codes"), permissions=["change"])
    def deactivate(self, request, queryset):
        n = services.set_codes_active(queryset, False)
        self.message_user(request, _("%(n)d codes deactivated.") % {"n": n}, messages.SUCCESS)


class JobStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("running", _("Queued or running")), ("finished", _("Finished"))]

    def queryset(self, request, queryset):
        running = [CodeJob.Status.QUEUED, CodeJob.Status.RUNNING]
        if self.value() == "running":
            return queryset.filter(status__in=running)
        if self.value() == "finished":
            return queryset.exclude(status__in=running)
        return queryset


@admin.register(CodeJob, site=backoffice)
class CodeJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    deletable = True  # jobs can be deleted (with the delete permission)
    list_display = [
        "__str__",
        "status",
        "campaign",
        "progress_link",
        "result",
        "created",
        "finished",
    ]
    list_filter = [JobStateFilter, "kind", "status"]
    list_select_related = ["campaign"]

    @admin.display(description=_("progress"))
    def progress_link(self, obj):
        return format_html(
            '<a href="{}">{} %</a>', obj.get_absolute_url(), services.job_progress(obj)
        )

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/progress/", wrap(self.progress_view), name="vouchers_codejob_progress"),
            path("<int:pk>/status.json", wrap(self.status_view), name="vouchers_codejob_status"),
            *super().get_urls(),
        ]

    def _job(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(CodeJob.objects.select_related("campaign"), pk=pk)

    @staticmethod
    def status_data(job):
        data = {
            "status": job.status,
            "status_label": str(job.get_status_display()),
            "progress": services.job_progress(job),
            "result": job.result,
            "error": job.error,
            "running": job.is_running,
        }
        if job.campaign_id:
            data["campaign_url"] = reverse(
                "admin:vouchers_campaign_details", args=[job.campaign_id]
            )
        return data

    def status_view(self, request, pk):
        return JsonResponse(self.status_data(self._job(request, pk)))

    def progress_view(self, request, pk):
        job = self._job(request, pk)
        return TemplateResponse(
            request,
            "admin/vouchers/codejob/progress.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": str(job),
                "job": job,
                "state": self.status_data(job),
            },
        )


@admin.register(PartnerOffer, site=backoffice)
class PartnerOfferAdmin(admin.ModelAdmin):
    list_display = [
        "partner",
        "headline",
        "category_names",
        "min_order_value",
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
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
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
