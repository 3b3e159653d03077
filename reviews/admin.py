"""Backoffice moderation of reviews (SPEC S10): search, filters, Activate / Edit / Delete per
row and in bulk, and a "waiting for moderation" count on the start page."""

from django.contrib import admin, messages
from django.contrib.admin import ListFilter
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from shop.admin import backoffice, date_time_cell, email_cell, flag_filter, typed_date_limit

from . import services
from .errors import ReviewError
from .forms import RejectForm, ReplyForm, ReviewEditForm
from .models import RATING_MAX, RATING_MIN, Review

ROW_BUTTON = "padding:3px 8px;font-size:.75rem;line-height:1.4"


class DateRangeFilter(ListFilter):
    """From / to date inputs (inclusive) on the review date."""

    title = _("date")
    template = "admin/reviews/date_range_filter.html"
    field = "created"
    parameters = ("created_from", "created_to")

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.values = {}
        for name in self.parameters:
            if name in params:
                raw = params.pop(name)[-1].strip()
                self.used_parameters[name] = raw
                value = typed_date_limit(request, raw)
                if value is not None:
                    self.values[name] = value

    def has_output(self):
        return True

    def expected_parameters(self):
        return list(self.parameters)

    def queryset(self, request, queryset):
        start, end = self.values.get("created_from"), self.values.get("created_to")
        if start:
            queryset = queryset.filter(**{f"{self.field}__date__gte": start})
        if end:
            queryset = queryset.filter(**{f"{self.field}__date__lte": end})
        return queryset

    def choices(self, changelist):
        keep = [
            (k, v)
            for k, values in changelist.filter_params.items()
            if k not in self.parameters
            for v in values
        ]
        yield {
            "from": self.used_parameters.get("created_from", ""),
            "to": self.used_parameters.get("created_to", ""),
            "keep": keep,
            "clear_url": changelist.get_query_string(remove=list(self.parameters)),
            "selected": bool(self.values),
        }


class RatingFilter(admin.SimpleListFilter):
    title = _("rating")
    parameter_name = "rating"

    def lookups(self, request, model_admin):
        return [(str(n), "★" * n) for n in range(RATING_MAX, RATING_MIN - 1, -1)]

    def queryset(self, request, queryset):
        if self.value() in {str(n) for n in range(RATING_MIN, RATING_MAX + 1)}:
            return queryset.filter(rating=int(self.value()))
        return queryset


class ReplyFilter(admin.SimpleListFilter):
    title = _("shop reply")
    parameter_name = "reply"

    def lookups(self, request, model_admin):
        return [("yes", _("With reply")), ("no", _("Without reply"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(reply_text="")
        if self.value() == "no":
            return queryset.filter(reply_text="")
        return queryset


@admin.register(Review, site=backoffice)
class ReviewAdmin(admin.ModelAdmin):
    # Many columns: the filters in a row above the list (base_site.html, backoffice.css).
    filters_above = True
    form = ReviewEditForm
    list_display = [
        "product",
        "comment",
        "rated",
        "date",
        "user",
        "is_moderated",
        "is_active",
        "row_actions",
    ]
    list_display_links = None
    list_filter = [
        DateRangeFilter,
        RatingFilter,
        # Noun titles: "By <title>" reads "Nach moderiert" with the fields' own names.
        ("moderated", flag_filter(_("moderation"), _("Moderated"), _("Not moderated yet"))),
        ("active", flag_filter(_("visibility"), _("Shown in the shop"), _("Hidden"))),
        (
            "verified_purchase",
            flag_filter(_("proof of purchase"), _("Verified purchase"), _("Not verified")),
        ),
        ("repeated", flag_filter(_("repetition"), _("Repeated review"), _("Not repeated"))),
        ReplyFilter,
    ]
    list_select_related = ["product"]
    search_fields = ["text"]
    search_help_text = _("Search in the comment text.")
    date_hierarchy = "created"
    list_per_page = 50
    actions = ["activate_selected", "deactivate_selected", "delete_selected"]
    fields = [
        "product",
        "created",
        "email",
        "customer",
        "author_name",
        "rating",
        "text",
        "verified_purchase",
        "request",
        "repeated",
        "active",
        "moderated",
        "moderated_by",
        "moderated_at",
        "published_at",
        "rejection_reason",
    ]
    readonly_fields = [
        "product",
        "created",
        "email",
        "customer",
        "verified_purchase",
        "request",
        "repeated",
        "moderated",
        "moderated_by",
        "moderated_at",
        "published_at",
        "rejection_reason",
    ]
    change_form_template = "admin/reviews/review/change_form.html"

    def get_fields(self, request, obj=None):
        if obj is not None and obj.anonymised:  # the name is gone: say why, in any language
            return [("anonymised_author" if f == "author_name" else f) for f in self.fields]
        return self.fields

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if obj is not None and obj.anonymised:
            return [*readonly, "anonymised_author"]
        return readonly

    @admin.display(description=pgettext_lazy("person", "name"))
    def anonymised_author(self, obj):
        return obj.display_author

    # --- columns -------------------------------------------------------------------------

    @admin.display(description=_("comment"), ordering="text")
    def comment(self, obj):
        if obj.reply_text:
            return format_html(
                '{}<br><span class="quiet">↳ {}</span>',
                Truncator(obj.text).chars(70),
                _("shop replied"),
            )
        return Truncator(obj.text).chars(70)

    # Three narrow columns: their headings are translated in the context "narrow column",
    # where a long word carries a soft hyphen ("Zmode\u00adrowano") to break at instead of
    # running into the next heading.
    @admin.display(description=pgettext_lazy("narrow column", "rating"), ordering="rating")
    def rated(self, obj):
        return obj.rating

    @admin.display(
        description=pgettext_lazy("narrow column", "moderated"), boolean=True, ordering="moderated"
    )
    def is_moderated(self, obj):
        return obj.moderated

    @admin.display(
        description=pgettext_lazy("narrow column", "active"), boolean=True, ordering="active"
    )
    def is_active(self, obj):
        return obj.active

    @admin.display(description=_("date"), ordering="created")
    def date(self, obj):
        return date_time_cell(obj.created)

    @admin.display(description=_("user"), ordering="author_name")
    def user(self, obj):
        if obj.verified_purchase:
            return format_html(
                '{}<br><span class="quiet">{}</span><br><span style="color:#2e7d4f">✓ {}</span>',
                obj.display_author,
                email_cell(obj.email),
                _("verified purchase"),
            )
        return format_html(
            '{}<br><span class="quiet">{}</span>', obj.display_author, email_cell(obj.email)
        )

    @admin.display(description=_("actions"))
    def row_actions(self, obj):
        # The toggle submits the changelist form (which carries the CSRF token) to the per-row
        # endpoint via formaction, so no nested forms are needed.
        name, css = ("deactivate", "button") if obj.active else ("activate", "button default")
        label = _("Deactivate") if obj.active else _("Activate")
        # A review waiting for moderation is activated or rejected (moderated, hidden): the
        # rejection asks for an optional reason for the author first.
        reject = (
            format_html(
                '<a class="button" style="{}" href="{}">{}</a>',
                ROW_BUTTON,
                reverse("admin:reviews_review_deactivate", args=[obj.pk]),
                _("Reject"),
            )
            if not obj.moderated
            else ""
        )
        return format_html(
            '<div style="{}"><button type="submit" class="{}" style="{}" formaction="{}" '
            'formmethod="post">{}</button>{}<a class="button" style="{}" href="{}">{}</a>'
            '<a class="button" style="{};background:#ba2121" href="{}">{}</a></div>',
            "display:flex;flex-direction:column;gap:3px;text-align:center;min-width:6em",
            css,
            ROW_BUTTON,
            reverse(f"admin:reviews_review_{name}", args=[obj.pk]),
            label,
            reject,
            ROW_BUTTON,
            reverse("admin:reviews_review_change", args=[obj.pk]),
            _("Edit"),
            ROW_BUTTON,
            reverse("admin:reviews_review_delete", args=[obj.pk]),
            _("Delete"),
        )

    # --- permissions -----------------------------------------------------------------------

    def get_queryset(self, request):
        # A review whose typed address has not confirmed it is nobody's yet: not moderated.
        return super().get_queryset(request).confirmed()

    def has_add_permission(self, request):
        return False  # reviews are written by customers on the product page

    # --- saving: every saved edit moderates --------------------------------------------------

    def save_model(self, request, obj, form, change):
        services.save_edit(obj, form.cleaned_data, request.user)

    # --- bulk actions ----------------------------------------------------------------------

    @admin.action(description=_("Activate selected reviews"), permissions=["change"])
    def activate_selected(self, request, queryset):
        n = services.activate_many(queryset, request.user)
        self.message_user(
            request,
            ngettext("%(n)d review activated.", "%(n)d reviews activated.", n) % {"n": n},
            messages.SUCCESS,
        )

    @admin.action(description=_("Deactivate or reject selected reviews"), permissions=["change"])
    def deactivate_selected(self, request, queryset):
        n = services.deactivate_many(queryset, request.user)
        self.message_user(
            request,
            ngettext(
                "%(n)d review deactivated or rejected.", "%(n)d reviews deactivated or rejected.", n
            )
            % {"n": n},
            messages.SUCCESS,
        )

    # --- per-row endpoints -----------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/activate/",
                wrap(require_POST(self.activate_view)),
                name="reviews_review_activate",
            ),
            path(
                "<int:pk>/deactivate/",
                wrap(require_http_methods(["GET", "POST"])(self.deactivate_view)),
                name="reviews_review_deactivate",
            ),
            path("<int:pk>/reply/", wrap(self.reply_view), name="reviews_review_reply"),
            *super().get_urls(),
        ]

    def has_reply_permission(self, request):
        return request.user.has_perm("reviews.reply_review")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_reply": self.has_reply_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    def reply_view(self, request, pk):
        """Publish, edit or remove the shop's public answer under a review (logged in the
        backoffice's history of the review)."""
        review = get_object_or_404(
            Review.objects.confirmed().select_related("product", "reply_by"), pk=pk
        )
        if not self.has_reply_permission(request):
            raise PermissionDenied
        form = ReplyForm(request.POST or None, initial={"reply_text": review.reply_text})
        if request.method == "POST":
            try:
                if "_remove" in request.POST:
                    services.remove_reply(review, request.user)
                    self.log_change(request, review, _("Shop reply removed."))
                    self.message_user(request, _("The reply was removed."), messages.SUCCESS)
                    return redirect("admin:reviews_review_change", review.pk)
                if form.is_valid():
                    had_reply = review.has_reply
                    services.reply(review, request.user, form.cleaned_data["reply_text"])
                    self.log_change(
                        request,
                        review,
                        _("Shop reply edited.") if had_reply else _("Shop reply published."),
                    )
                    self.message_user(
                        request,
                        _("The reply is published under the review.")
                        if review.is_public
                        else _("The reply is saved; it appears once the review is public."),
                        messages.SUCCESS,
                    )
                    return redirect("admin:reviews_review_change", review.pk)
            except ReviewError as exc:
                if exc.field in form.fields:
                    form.add_error(exc.field, exc.message)
                else:
                    self.message_user(request, exc.message, messages.ERROR)
        return TemplateResponse(
            request,
            "admin/reviews/review/reply.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "original": review,
                "title": _("Shop reply to %(review)s") % {"review": review},
                "form": form,
            },
        )

    def _toggle(self, request, pk, operation, message):
        review = get_object_or_404(Review.objects.confirmed(), pk=pk)
        if not self.has_change_permission(request, review):
            raise PermissionDenied
        operation(review, request.user)
        self.message_user(request, message % {"review": review}, messages.SUCCESS)
        back = request.META.get("HTTP_REFERER", "")
        if back and url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(back)
        return redirect("admin:reviews_review_changelist")

    def activate_view(self, request, pk):
        return self._toggle(request, pk, services.activate, _("Review “%(review)s” activated."))

    def deactivate_view(self, request, pk):
        """Reject a review waiting for moderation, or hide a moderated one. A GET asks for an
        optional reason for the author (reviews.emails); a POST without the form (the row's
        "Deactivate" button) hides the review without one."""
        review = get_object_or_404(
            Review.objects.confirmed().select_related("product", "customer"), pk=pk
        )
        if not self.has_change_permission(request, review):
            raise PermissionDenied
        message = (
            _("Review “%(review)s” deactivated.")
            if review.moderated
            else _("Review “%(review)s” rejected: it is not shown and leaves the queue.")
        )
        form = RejectForm(
            request.POST if request.method == "POST" else None,
            initial={"reason": review.rejection_reason},
        )
        if request.method == "POST":
            if form.is_valid():
                reason = form.cleaned_data["reason"]
                try:
                    services.deactivate(review, request.user, reason=reason)
                except ReviewError as exc:
                    form.add_error("reason" if exc.field == "reason" else None, exc.message)
                else:
                    if reason:
                        self.log_change(
                            request,
                            review,
                            _("Not published. Reason: %(reason)s") % {"reason": reason},
                        )
                    self.message_user(request, message % {"review": review}, messages.SUCCESS)
                    return HttpResponseRedirect(self._back(request, request.POST.get("next", "")))
        return TemplateResponse(
            request,
            "admin/reviews/review/reject.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "original": review,
                "title": (
                    _("Deactivate review “%(review)s”")
                    if review.moderated
                    else _("Reject review “%(review)s”")
                )
                % {"review": review},
                "form": form,
                "next": self._back(request, request.GET.get("next", "")),
            },
        )

    def _back(self, request, url):
        """Where to go after the rejection: ``url``, else the page the request came from,
        if on this site (not the reason form itself); the list of reviews otherwise."""
        for candidate in (url, request.META.get("HTTP_REFERER", "")):
            if (
                candidate
                and url_has_allowed_host_and_scheme(
                    candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
                )
                and request.path not in candidate
            ):
                return candidate
        return reverse("admin:reviews_review_changelist")
