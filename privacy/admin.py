"""Backoffice: the access log (read-only), disclosures, and the personal-data browser."""

from datetime import datetime, time, timedelta

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.main import SEARCH_VAR
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from shop.admin import EstimatedCountPaginator, ReadOnlyAdminMixin, backoffice, typed_date_limit
from shop.db import json_array_contains_any, without_jit
from shop.exports import csv_streaming_response
from shop.filenames import download_filename
from shop.forms import parse_id

from . import views
from .models import (
    AccessLogEntry,
    AccessLogHead,
    AccessReport,
    Disclosure,
    ErasureRecord,
    Subject,
)
from .notes import display_note
from .registry import order_model
from .services import Action, PrivacyError, record
from .subjects import resolve, subject_refs
from .subjects.history import NEWEST_FIRST


def refs_for_term(term):
    """References a search term can mean: a reference itself, an e-mail, a number."""
    term = (term or "").strip()
    if not term:
        return []
    if ":" in term and " " not in term:
        try:
            return subject_refs(resolve(term))
        except PrivacyError:
            return [term]
    if "@" in term:
        try:
            return subject_refs(resolve(f"email:{term.lower()}"))
        except PrivacyError:
            return [f"email:{term.lower()}"]
    User = apps.get_model(settings.AUTH_USER_MODEL)
    Order = order_model()
    refs = []
    user = User.objects.filter(customer_number=term).first()
    if user:
        refs += subject_refs(resolve(f"customer:{user.pk}"))
    order = Order.objects.filter(number=term).first() if Order is not None else None
    if order:
        refs.append(f"order:{order.pk}")
    return refs


def filter_by_refs(queryset, refs):
    return queryset.filter(json_array_contains_any("subjects", refs))


class SubjectFilter(admin.SimpleListFilter):
    """``?subject=customer:12`` — who saw this person (their orders included)."""

    title = _("data subject")
    parameter_name = "subject"

    person = None

    def lookups(self, request, model_admin):
        value = self.value()
        if not value:
            return []
        try:
            self.person = resolve(value)  # once per request: queryset() uses it too
            label = f"{self.person.name} ({self.person.email})"
        except PrivacyError:
            label = value
        return [(value, label)]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        refs = subject_refs(self.person) if self.person is not None else [value]
        return filter_by_refs(queryset, refs)


class StaffUserFilter(admin.SimpleListFilter):
    title = _("staff user")
    parameter_name = "staff"

    def lookups(self, request, model_admin):
        User = apps.get_model(settings.AUTH_USER_MODEL)
        return list(User.objects.filter(is_staff=True).order_by("email").values_list("pk", "email"))

    def queryset(self, request, queryset):
        if self.value():
            # a hand-typed ?staff=abc lists nothing (it was a 500 page)
            user_id = parse_id(self.value())
            return queryset.filter(user_id=user_id) if user_id is not None else queryset.none()
        return queryset


class DateRangeFilter(admin.ListFilter):
    """From / to dates (inclusive), in the shop's time zone."""

    title = _("date")
    template = "admin/privacy/date_range_filter.html"
    params = ("date_from", "date_to")

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.dates = {}
        for name in self.params:
            if name in params:
                self.used_parameters[name] = params.pop(name)[-1]
                self.dates[name] = typed_date_limit(request, self.used_parameters[name])

    def has_output(self):
        return True

    def expected_parameters(self):
        return list(self.params)

    def queryset(self, request, queryset):
        start, end = self.dates.get("date_from"), self.dates.get("date_to")
        tz = timezone.get_current_timezone()
        if start:
            queryset = queryset.filter(time__gte=datetime.combine(start, time.min, tzinfo=tz))
        if end:
            queryset = queryset.filter(
                time__lt=datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
            )
        return queryset

    def choices(self, changelist):
        keep = [
            (k, v)
            for k, values in changelist.params.items()
            if k not in self.params
            for v in (values if isinstance(values, list) else [values])
        ]
        yield {
            "date_from": self.used_parameters.get("date_from", ""),
            "date_to": self.used_parameters.get("date_to", ""),
            "keep": keep,
            "query_string": changelist.get_query_string(remove=list(self.params)),
        }


def _by_subject(request):
    """The list asks who looked at somebody: the subject filter, or a search term that means
    a person (their reference, e-mail, customer or order number). Decided once per request."""
    if not hasattr(request, "_access_log_by_subject"):
        term = request.GET.get("q", "")
        request._access_log_by_subject = bool(
            request.GET.get(SubjectFilter.parameter_name) or (term and refs_for_term(term))
        )
    return request._access_log_by_subject


@admin.register(AccessLogEntry, site=backoffice)
class AccessLogEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only for everybody; the database itself refuses UPDATE and DELETE."""

    # Many columns: the filters in a row above the list (base_site.html, backoffice.css).
    filters_above = True
    list_display = ["id", "time", "username", "action", "subject_list", "short_path", "ip"]
    # One link per row: with a filter active, each link costs a URL resolve (preserved filters).
    list_display_links = ["id"]
    list_filter = [SubjectFilter, StaffUserFilter, "action", DateRangeFilter]
    search_fields = ["username"]
    search_help_text = _(
        "A staff e-mail, or a data subject: customer e-mail, customer number, order number, "
        "or a reference such as customer:12."
    )
    list_per_page = 50
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    show_facets = admin.ShowFacets.NEVER
    fields = [
        "id",
        "time",
        "user",
        "username",
        "action",
        "subject_list",
        "path",
        "ip",
        "note_shown",
        "prev_hash",
        "hash",
    ]
    readonly_fields = fields

    @admin.display(description=AccessLogEntry._meta.get_field("note").verbose_name)
    def note_shown(self, obj):
        return display_note(obj.note) or "–"

    @admin.display(description=_("data subjects"))
    def subject_list(self, obj):
        shown = obj.subjects[:3]
        more = len(obj.subjects) - len(shown)
        html = format_html_join(
            " ", '<code style="word-break:break-all">{}</code>', ((s,) for s in shown)
        )
        if more > 0:
            html = format_html("{} … (+{})", html, more)
        return html or "–"

    @admin.display(description=_("path"))
    def short_path(self, obj):
        # A path is one long word: it may wrap after each "/" (and, failing that, anywhere)
        # so that the list keeps to the width of the page.
        text = obj.path if len(obj.path) <= 60 else obj.path[:59] + "…"
        parts = format_html_join(mark_safe("/<wbr>"), "{}", ((part,) for part in text.split("/")))
        return format_html('<span style="overflow-wrap:anywhere">{}</span>', parts)

    def get_urls(self):
        export = path(
            "export.csv",
            self.admin_site.admin_view(self.export_csv),
            name="privacy_accesslogentry_export",
        )
        return [export, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        if request.user.has_perm("privacy.export_accesslogentry"):
            query = request.GET.urlencode()
            url = reverse("admin:privacy_accesslogentry_export")
            extra_context["export_url"] = f"{url}?{query}" if query else url
        if not _by_subject(request):
            return super().changelist_view(request, extra_context)
        with without_jit():  # "who looked at customer X": see privacy.subjects.history
            return super().changelist_view(request, extra_context)

    def get_ordering(self, request):
        if _by_subject(request):
            return [NEWEST_FIRST, "-id"]
        return super().get_ordering(request)

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        # The planner's estimate of a subject filter is far off (1 % of the log); its hits
        # are few, so they are counted exactly.
        if _by_subject(request):
            return Paginator(queryset, per_page, orphans, allow_empty_first_page)
        return super().get_paginator(request, queryset, per_page, orphans, allow_empty_first_page)

    def export_csv(self, request):
        """The log as CSV, with the filters of the list (data subject, staff, action, dates,
        search); the export itself is an entry of the log."""
        if not request.user.has_perm("privacy.export_accesslogentry"):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        head = AccessLogHead.objects.filter(pk=1).values_list("last_id", flat=True).first()
        rows = (
            changelist.get_queryset(request)
            .filter(id__lte=head or 0)  # as of now: not the export's own entry
            .order_by("id")
            .values_list("id", "time", "username", "action", "subjects", "path", "ip", "note")
        )
        subject = request.GET.get(SubjectFilter.parameter_name, "")
        # whom the export is about: the filter's person, else the person the search names
        # (an e-mail, a customer number … — an audit: exported by search, it named nobody)
        about = [subject] if subject else refs_for_term(request.GET.get(SEARCH_VAR))[:1]
        query = request.GET.urlencode() or "all entries"
        record(request, Action.EXPORT, about, f"access-log CSV: {query}"[:500])
        # For the reader's Excel, in the DPO's language: file name, headers and actions are
        # translated here, while the request's language is active — the rows are written
        # after the view has returned. Times keep their seconds (entries of one minute stay
        # apart), written as the ISO date every language's Excel reads as a time.
        actions = {value: str(label) for value, label in AccessLogEntry.Action.choices}
        columns = ("time", "user", "action", "subjects", "path", "ip", "note")
        header = [
            str(_("id")),
            *(str(AccessLogEntry._meta.get_field(name).verbose_name) for name in columns),
        ]
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return csv_streaming_response(
            download_filename(_("access log"), stamp, extension="csv"),
            header,
            (
                (
                    pk,
                    timezone.localtime(t).strftime("%Y-%m-%d %H:%M:%S"),
                    user,
                    actions.get(action, action),
                    " ".join(refs),
                    p,
                    ip,
                    note,
                )
                for pk, t, user, action, refs, p, ip, note in rows.iterator(chunk_size=5000)
            ),
        )

    def get_search_results(self, request, queryset, search_term):
        refs = refs_for_term(search_term)
        if refs:
            return filter_by_refs(queryset, refs), False
        return super().get_search_results(request, queryset, search_term)


@admin.register(Disclosure, site=backoffice)
class DisclosureAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """All disclosures at a glance; adding and editing happens on the subject's page."""

    list_display = ["date", "subject_link", "recipient", "scope", "created_by"]
    list_select_related = ["created_by"]
    search_fields = ["subject_name", "subject", "recipient", "scope"]
    date_hierarchy = "date"
    readonly_fields = ["subject", "subject_name", "date", "recipient", "scope", "created_by"]

    @admin.display(description=_("data subject"), ordering="subject_name")
    def subject_link(self, obj):
        url = reverse("admin:privacy_subject_disclosures", args=[obj.subject])
        return format_html('<a href="{}">{}</a>', url, obj.subject_name or obj.subject)


@admin.register(AccessReport, site=backoffice)
class AccessReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The reports handed to data subjects, with what was withheld and why (Art. 15(4))."""

    list_display = ["created", "subject_link", "format", "language", "withheld_list", "created_by"]
    list_select_related = ["created_by"]
    list_filter = ["format"]
    search_fields = ["subject_name", "subject"]
    date_hierarchy = "created"
    fields = [
        "created",
        "created_by",
        "subject",
        "subject_name",
        "format",
        "language",
        "withheld_list",
        "staff_names_reason",
    ]
    readonly_fields = fields

    @admin.display(description=_("data subject"), ordering="subject_name")
    def subject_link(self, obj):
        url = reverse("admin:privacy_subject_show", args=[obj.subject])
        return format_html('<a href="{}">{}</a>', url, obj.subject_name or obj.subject)

    @admin.display(description=_("withheld categories"))
    def withheld_list(self, obj):
        return (
            format_html_join("; ", "{}: {}", ((w["place"], w["reason"]) for w in obj.withheld))
            or "–"
        )


@admin.register(ErasureRecord, site=backoffice)
class ErasureRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every erasure of a customer: when, by whom, what was anonymised, deleted or kept
    (GDPR Art. 5(2)). Written by the erasure itself (``privacy.receivers``), never edited."""

    list_display = ["erased_at", "customer_number", "erased_by_display", "summary_shown"]
    list_filter = ["by_customer", "test_customer"]
    search_fields = ["customer_number"]
    date_hierarchy = "erased_at"
    fields = ["customer_number", "erased_at", "erased_by_display", "test_customer", "summary_shown"]
    readonly_fields = fields

    @admin.display(description=_("erased by"), ordering="staff_name")
    def erased_by_display(self, obj):
        return obj.erased_by_display

    @admin.display(description=_("what was done"))
    def summary_shown(self, obj):
        return obj.summary()


@admin.register(Subject, site=backoffice)
class SubjectAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The personal-data browser (SPEC S11): search, show, disclosures, report, export."""

    def get_urls(self):
        def wrap(view):
            return self.admin_site.admin_view(view)

        # A reference may hold "/" (an e-mail address may: "email:a/b@example.com"), so it
        # is a <path:…>, and the person's own page comes last: it would match the others.
        return [
            path("", wrap(views.browser), name="privacy_subject_changelist"),
            path(
                "<path:ref>/disclosures/<int:pk>/delete/",
                wrap(views.disclosure_delete),
                name="privacy_subject_disclosure_delete",
            ),
            path(
                "<path:ref>/disclosures/<int:pk>/",
                wrap(views.disclosure_edit),
                name="privacy_subject_disclosure_edit",
            ),
            path(
                "<path:ref>/disclosures/",
                wrap(views.disclosures),
                name="privacy_subject_disclosures",
            ),
            path("<path:ref>/erase/", wrap(views.erase), name="privacy_subject_erase"),
            path("<path:ref>/report.pdf", wrap(views.report), name="privacy_subject_report"),
            path("<path:ref>/export.json", wrap(views.export), name="privacy_subject_export"),
            path("<path:ref>/", wrap(views.show), name="privacy_subject_show"),
        ]
