"""Campaigns: list with time filter, generate, assign, details, download, statistics, delete (S7)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import widgets as admin_widgets
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from orders.dashboard import day_label, month_label
from shop import charts, personal_data
from shop.admin import SavesChangedFields, backoffice, money_column
from shop.exceptions import add_to_form
from shop.exports import csv_response
from shop.filenames import download_filename
from shop.forms import parse_id

from .. import jobs, masks, services
from ..errors import VoucherError
from ..exports import campaign_filename, export_rows, export_subjects
from ..forms import AssignCodesForm, CampaignChangeForm, GenerateCodesForm
from ..models import Campaign, Code, CodeJob, Redemption

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


class CampaignEditForm(CampaignChangeForm):
    """The edit form, its name checked as "Generate codes" checks it: another campaign's name
    in another case is taken too (``campaign_name_unique_ci``), said with that name."""

    def clean_name(self):
        name = self.cleaned_data["name"]
        try:
            services.check_campaign_name(name, campaign=self.instance)
        except VoucherError as exc:
            raise forms.ValidationError(exc.message) from None
        return name


@admin.register(Campaign, site=backoffice)
class CampaignAdmin(SavesChangedFields, admin.ModelAdmin):
    # Four columns fit beside the navigation and the filters at 1280 px: the campaign (and
    # when it was created), its validity, used / all codes, and the row's actions.
    list_display = ["name_column", "validity", "codes_column", "row_actions"]
    list_display_links = None
    list_filter = [CampaignTimeFilter]
    search_fields = ["name"]
    search_help_text = _("Campaign name")
    form = CampaignEditForm
    fieldsets = [
        (None, {"fields": ["name"]}),
        (
            _("Limits across all codes"),
            {
                "fields": [
                    "budget",
                    "discount_spent_column",
                    "max_uses",
                    "uses_count",
                    "per_customer_limit",
                ]
            },
        ),
        (
            _("Scope"),
            {
                "fields": [
                    "categories",
                    "products",
                    "excluded_categories",
                    "excluded_products",
                    "exclude_sale_items",
                ],
                "description": _(
                    "Which goods the discount applies to. Gift cards are never discounted."
                ),
            },
        ),
    ]
    readonly_fields = ["discount_spent_column", "uses_count"]
    discount_spent_column = money_column(
        "discount_spent", Campaign._meta.get_field("discount_spent").verbose_name
    )
    filter_horizontal = ["products", "excluded_products"]
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

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or obj.takes_per_customer_limit:
            return fieldsets
        # Personal codes (assigned, bought with points) take no uses per customer.
        return [
            (
                title,
                {**options, "fields": [f for f in options["fields"] if f != "per_customer_limit"]},
            )
            for title, options in fieldsets
        ]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in CampaignChangeForm.SCOPE_FIELDS:
            kwargs = {**CampaignChangeForm.scope_field_kwargs(db_field.name), **kwargs}
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # deletion goes through the checked view
        return actions

    @admin.display(description=_("campaign"), ordering="name")
    def name_column(self, obj):
        return format_html(
            '<a href="{}">{}</a><br><span class="quiet">{} {}</span>',
            reverse("admin:vouchers_campaign_details", args=[obj.pk]),
            obj.name,
            _("created"),
            date_format(timezone.localtime(obj.created), "SHORT_DATE_FORMAT"),
        )

    @admin.display(description=_("valid"), ordering="valid_to")
    def validity(self, obj):
        if not obj.valid_from and not obj.valid_to:
            return _("always")
        start = date_format(obj.valid_from, "SHORT_DATE_FORMAT") if obj.valid_from else "…"
        end = date_format(obj.valid_to, "SHORT_DATE_FORMAT") if obj.valid_to else "…"
        return format_html(
            '<span class="nowrap">{} –</span><br><span class="nowrap">{}</span>', start, end
        )

    @admin.display(description=_("used / codes"), ordering="used_count")
    def codes_column(self, obj):
        return format_html('<span class="nowrap">{} / {}</span>', obj.used_count, obj.code_count)

    def get_list_display(self, request):
        # The row actions offer only what this user may do (the changelist calls a column
        # without the request; the admin instance is shared between requests).
        can_change = self.has_change_permission(request)
        can_delete = self.has_delete_permission(request)

        @admin.display(description=_("actions"))
        def row_actions(obj):
            return self.row_actions(obj, can_change=can_change, can_delete=can_delete)

        return [row_actions if f == "row_actions" else f for f in super().get_list_display(request)]

    @admin.display(description=_("actions"))
    def row_actions(self, obj, can_change=False, can_delete=False):
        links = [
            (reverse("admin:vouchers_campaign_details", args=[obj.pk]), _("Details")),
            (reverse("admin:vouchers_campaign_statistics", args=[obj.pk]), _("Statistics")),
            (
                reverse("admin:vouchers_code_changelist") + f"?campaign__id__exact={obj.pk}",
                _("List"),
            ),
        ]
        more = [(reverse("admin:vouchers_campaign_download", args=[obj.pk]), _("Download"))]
        if can_change:
            more.append((reverse("admin:vouchers_campaign_change", args=[obj.pk]), _("Edit")))
        if can_delete:
            more.append((reverse("admin:vouchers_campaign_delete", args=[obj.pk]), _("Delete")))
        return format_html(
            '<span class="nowrap">{}</span><details class="row-detail"><summary>{}</summary>'
            "{}</details>",
            format_html_join(" · ", '<a href="{}">{}</a>', links),
            _("More"),
            format_html_join("<br>", '<a href="{}">{}</a>', more),
        )

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

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # "Add" opens the generate page: no "Save and add another" on the edit form.
        extra_context = {"show_save_and_add_another": False, **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context)

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
                job = jobs.start_job(CodeJob.Kind.GENERATE, form.job_params(), user=request.user)
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
        count = parse_id(request.POST.get("count") or form["count"].initial or PREVIEW_SIZE)
        try:
            if count is None:
                raise ValueError
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
                # The admin's own scripts (core.js: the calendar needs its quickElement)
                # and the date widgets' calendar.
                media=self.media + form.media,
                fieldsets=fieldsets,
                # SelectFilter2.js puts its two boxes first into the select's parent: each
                # picker gets an element of its own, so it stays beside its label.
                pickers={
                    name
                    for name, field in form.fields.items()
                    if isinstance(field.widget, admin_widgets.FilteredSelectMultiple)
                },
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
        count = parse_id(request.GET.get("count") or PREVIEW_SIZE)
        if count is None:
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
                customers = list(
                    services.matching_customers(criteria).values_list(
                        "pk", "email", "first_name", "last_name", "customer_number"
                    )
                )
                # The access log names the customers in the file as its data subjects.
                personal_data.shown(
                    request,
                    [personal_data.customer_ref(pk) for pk, *_fields in customers],
                    viewer=request.user,
                    action="export",
                )
                return csv_response(
                    download_filename(
                        _("customers"), f"{timezone.localdate():%Y%m%d}", extension="csv"
                    ),
                    [_("e-mail"), _("first name"), _("last name"), _("customer number")],
                    (fields for _pk, *fields in customers),
                )
            campaign = form.cleaned_data["campaign"]
            try:
                # Checked here too so the operator sees the error on the form at once;
                # the job checks again inside its transaction.
                self._check_enough_codes(campaign, criteria)
            except VoucherError as exc:
                form.add_error(None, exc.message)
            else:
                job = jobs.start_job(
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
                scope={
                    name: [str(obj) for obj in getattr(campaign, name).all()]
                    for name in CampaignChangeForm.SCOPE_FIELDS
                },
                # Only the links the user may follow (the Sales role views, never edits).
                can_change=self.has_change_permission(request, campaign),
                can_delete=self.has_delete_permission(request, campaign),
                jobs=campaign.jobs.all()[:5],
            ),
        )

    def download_view(self, request, pk):
        campaign = self._campaign(request, pk)
        # The file holds the e-mail addresses of the customers the codes are assigned to:
        # the access log names those customers as its data subjects.
        personal_data.shown(
            request, export_subjects(campaign), viewer=request.user, action="export"
        )
        return csv_response(
            campaign_filename(campaign),
            [_("code"), _("active"), _("assigned customer"), _("order number"), _("used")],
            export_rows(campaign),
        )

    def statistics_view(self, request, pk):
        campaign = self._campaign(request, pk)
        summary, per_code = services.campaign_statistics(campaign)
        page = Paginator(per_code, 100).get_page(request.GET.get("page"))
        timeline, unit = services.campaign_timeline(campaign)
        return TemplateResponse(
            request,
            "admin/vouchers/campaign/statistics.html",
            self._context(
                request,
                _("Statistics: %(name)s") % {"name": campaign.name},
                campaign=campaign,
                summary=summary,
                page=page,
                **_statistics_charts(timeline, unit, summary),
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
                # The points of bought, unused codes go back to their buyers.
                given_back=services.points_given_back_on_delete(campaign),
            ),
        )


def _statistics_charts(timeline, unit, summary):
    if not timeline:
        return {"uses_chart": None, "value_chart": None}
    label = day_label if unit == "day" else month_label
    labels = [label(period) for period, *_rest in timeline]
    every = max(1, round(len(labels) / 8))
    per = _("day") if unit == "day" else _("month")
    uses = [n for _p, n, _v, _d in timeline]
    value = [v for _p, _n, v, _d in timeline]
    discount = [d for _p, _n, _v, d in timeline]
    share = round(summary["discount"] * 100 / summary["value"], 1) if summary["value"] else 0
    return {
        "uses_chart": charts.bar_chart(
            labels,
            [charts.Series(_("Redemptions"), uses, "s1")],
            title=_("Redemptions per %(period)s") % {"period": per},
            description=_("%(n)s redemptions from %(first)s to %(last)s.")
            % {"n": sum(uses), "first": labels[0], "last": labels[-1]},
            label_every=every,
        ),
        "value_chart": charts.bar_chart(
            labels,
            [
                charts.Series(_("Order value"), value, "s1"),
                charts.Series(_("Discount granted"), discount, "s4"),
            ],
            title=_("Discount against order value per %(period)s") % {"period": per},
            description=_(
                "Orders worth %(value)s got %(discount)s discount (%(share)s %% of their value)."
            )
            % {"value": summary["value"], "discount": summary["discount"], "share": share},
            decimals=2,
            label_every=every,
        ),
        "discount_share": share,
    }
