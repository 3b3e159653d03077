"""Codes of a campaign: activate / deactivate, used filter (S7)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Subquery
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from shop.admin import EstimatedCountPaginator, backoffice
from shop.fields import EmailFormField

from .. import services
from ..errors import VoucherError
from ..models import Campaign, Code, Redemption


class AssignCodeForm(forms.Form):
    """One free code of an "assigned" campaign to one customer (the code's page)."""

    email = EmailFormField(label=_("Customer's e-mail address"))
    notify = forms.BooleanField(
        label=_("Send the customer the code by e-mail"), required=False, initial=True
    )


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

    def get_urls(self):
        return [
            path(
                "<path:object_id>/assign/",
                self.admin_site.admin_view(self.assign_view),
                name="vouchers_code_assign",
            ),
            *super().get_urls(),
        ]

    def _assignable(self, request, code):
        """The code's page offers "Give to a customer": a free, active, unused code of an
        "assigned" campaign, for staff who may change codes."""
        return (
            code is not None
            and code.assigned_to_id is None
            and code.is_active
            and code.campaign.kind == Campaign.Kind.ASSIGNED
            and code.campaign.points_price is None
            and self.has_change_permission(request, code)
            and not Redemption.objects.filter(code=code).exists()
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        code = self.get_object(request, unquote(object_id))
        extra_context = dict(extra_context or {})
        if self._assignable(request, code):
            extra_context["assign_form"] = AssignCodeForm()
        return super().change_view(request, object_id, form_url, extra_context)

    @staticmethod
    def _back(code):
        return HttpResponseRedirect(reverse("admin:vouchers_code_change", args=[code.pk]))

    def assign_view(self, request, object_id):
        """POST: give the code to the customer with the e-mail address (services.assign_code)."""
        return require_POST(self._assign)(request, object_id)

    def _assign(self, request, object_id):
        code = self.get_object(request, unquote(object_id))
        if code is None:
            raise Http404
        if not self.has_change_permission(request, code):
            raise PermissionDenied
        form = AssignCodeForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    self.message_user(request, error, messages.ERROR)
            return self._back(code)
        try:
            code = services.assign_code(
                code, form.cleaned_data["email"], notify=form.cleaned_data["notify"]
            )
        except VoucherError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return self._back(code)
        self.log_change(
            request, code, gettext("Given to %(email)s.") % {"email": code.assigned_to.email}
        )
        text = gettext("Code %(code)s given to %(email)s.") % {
            "code": code.text,
            "email": code.assigned_to.email,
        }
        if code.emailed:
            text += " " + gettext("The e-mail is on its way.")
        elif form.cleaned_data["notify"]:
            text += " " + gettext(
                "No e-mail was sent: the customer objected to e-mails about discount codes "
                "(the code is in their account)."
            )
        self.message_user(request, text, messages.SUCCESS)
        return self._back(code)

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
