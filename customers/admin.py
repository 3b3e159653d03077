"""Backoffice screens for customers, customer groups and staff users (S4, S5, S6)."""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django.views.decorators.http import require_POST

from shop import formtokens
from shop.admin import (
    LargeListAdminMixin,
    RoleGroupsFilter,
    backoffice,
    label_permissions,
    money_column,
)
from shop.exceptions import DomainError, add_to_form
from shop.filenames import document_filename
from shop.pdf import pdf_response, render_pdf
from shop.roles import role_label

from . import confirmation, loyalty, services
from .forms import (
    BUSINESS_FIELDS,
    AddressForm,
    AssignGroupForm,
    CustomerAddForm,
    CustomerChangeForm,
    DeleteGroupForm,
    PointsAdjustmentForm,
)
from .models import Address, CustomerGroup, LoyaltyEntry, StaffUser, User


def customer_overview(customer, viewer):
    """What the customer detail page and its PDF show besides the form fields and the panels
    of the apps above (orders, credit, threads …): each part only to a ``viewer`` allowed to
    see it — viewing the customer is not viewing their addresses or points (the panels
    declare their own permissions, shop.panels)."""
    overview = {"show_points": viewer.has_perm("customers.view_loyaltyentry")}
    if overview["show_points"]:
        overview["points"] = loyalty.points_balance(customer)
        overview["ledger"] = list(
            LoyaltyEntry.objects.filter(customer=customer).select_related("order")[:20]
        )
    overview["show_addresses"] = viewer.has_perm("customers.view_address")
    if overview["show_addresses"]:
        overview["addresses"] = list(customer.addresses.all())
    return overview


class AddressInlineFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        defaults = [
            form
            for form in self.forms
            if getattr(form, "cleaned_data", {}).get("is_default")
            and not form.cleaned_data.get("DELETE")
        ]
        if len(defaults) > 1:
            raise ValidationError(_("Only one address can be the default address."))


class AddressInline(admin.StackedInline):
    """Saved through the address services, which keep one default address per customer.

    One address a block, its fields in the lines of an address label: as a table row its nine
    inputs were 2,500 px wide and the whole customer page scrolled sideways."""

    model = Address
    form = AddressForm  # the country from a list of names, as in the customer's address book
    formset = AddressInlineFormSet
    extra = 0
    fields = [
        ("first_name", "last_name"),
        "company",
        "street",
        ("postcode", "city"),
        ("country", "phone"),
        "is_default",
    ]


@admin.register(User, site=backoffice)
class CustomerAdmin(LargeListAdminMixin, admin.ModelAdmin):
    """Customers with an account; staff users are managed under "Staff users"."""

    form = CustomerChangeForm
    add_form = CustomerAddForm
    change_form_template = "admin/customers/user/change_form.html"
    delete_confirmation_template = "admin/customers/user/delete_confirmation.html"
    ordering = ["-date_joined"]
    # Five columns fit beside the navigation and the filters at 1280 px: number, e-mail and
    # name, company and group, the account's flags as words, and the date joined.
    list_display = ["customer_number", "email_column", "company_group", "flags", "joined"]
    # One link per row: each link carries the search back (preserved filters), which costs
    # a URL resolve per link.
    list_display_links = ["email_column"]
    list_filter = ["group", "is_rejected", "is_test", "is_confirmed"]
    list_select_related = ["group"]
    search_fields = ["=customer_number", "email", "first_name", "last_name", "company"]
    search_help_text = gettext_lazy("Name, e-mail or exact customer number")
    name_search_fields = ("first_name", "last_name")
    exact_search_fields = ("customer_number",)
    list_per_page = 50
    readonly_fields = ["customer_number", "is_confirmed", "date_joined", "last_login"]
    inlines = [AddressInline]
    actions = ["assign_group", "resend_confirmation"]
    fieldsets = (
        (None, {"fields": ("customer_number", "email", "is_confirmed")}),
        (
            gettext_lazy("Personal data"),
            {"fields": ("first_name", "last_name", "company", "phone", "language")},
        ),
        (gettext_lazy("Business customer (e-invoices)"), {"fields": BUSINESS_FIELDS}),
        (
            gettext_lazy("Customer"),
            {"fields": ("group", "open_amount_limit", "is_rejected", "is_test", "is_active")},
        ),
        (gettext_lazy("Dates"), {"fields": ("date_joined", "last_login")}),
    )
    add_fieldsets = (
        (None, {"fields": ("email",)}),
        (
            gettext_lazy("Personal data"),
            {"fields": ("first_name", "last_name", "company", "phone", "language")},
        ),
        (gettext_lazy("Business customer (e-invoices)"), {"fields": BUSINESS_FIELDS}),
        (gettext_lazy("Customer"), {"fields": ("group", "open_amount_limit", "is_test")}),
    )

    def get_changeform_initial_data(self, request):
        # A customer the operator adds speaks the shop's language (SHOP_LANGUAGE) unless
        # the operator picks another.
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("language", settings.LANGUAGE_CODE)
        return initial

    def get_queryset(self, request):
        return super().get_queryset(request).filter(is_staff=False)

    @admin.display(description=pgettext_lazy("person", "name"), ordering="last_name")
    def full_name(self, obj):
        return obj.get_full_name()

    @admin.display(description=gettext_lazy("e-mail / name"), ordering="email")
    def email_column(self, obj):
        return format_html(
            '{}<br><span class="quiet">{}</span>', obj.email, obj.get_full_name() or "—"
        )

    @admin.display(description=gettext_lazy("company / group"), ordering="company")
    def company_group(self, obj):
        return format_html(
            '{}<br><span class="quiet">{}</span>',
            obj.company or "—",
            obj.group.name if obj.group_id else "—",
        )

    @admin.display(description=gettext_lazy("account"))
    def flags(self, obj):
        flags = []
        if obj.is_rejected:
            flags.append(('<strong style="color:#ba2121">{}</strong>', _("rejected")))
        if obj.is_test:
            flags.append(("{}", _("test customer")))
        if not obj.is_confirmed:
            flags.append(('<span class="quiet">{}</span>', _("not confirmed")))
        if not flags:
            return format_html('<span class="quiet">{}</span>', _("active"))
        return format_html_join(mark_safe("<br>"), "{}", ((format_html(f, v),) for f, v in flags))

    @admin.display(description=gettext_lazy("joined"), ordering="date_joined")
    def joined(self, obj):
        return date_format(timezone.localtime(obj.date_joined), "SHORT_DATE_FORMAT")

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else self.fieldsets

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, **kwargs)

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            if "email" in form.changed_data and not obj.is_confirmed and not obj.is_rejected:
                # The link sent to the old (mistyped) address stops working; the new one
                # gets its own.
                confirmation.send_confirmation(obj)
                self.message_user(
                    request,
                    _("A new confirmation link was sent to %(email)s.") % {"email": obj.email},
                )
            return
        confirmation.invite_customer(obj)
        self.message_user(
            request,
            _("A confirmation e-mail with a link to set the password was sent to %(email)s.")
            % {"email": obj.email},
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is not Address:
            return super().save_formset(request, form, formset, change)
        customer = form.instance
        addresses = formset.save(commit=False)
        for address in formset.deleted_objects:
            services.delete_address(customer, address)
        # The address marked default is saved last: it takes over from the previous one.
        for address in sorted(addresses, key=lambda a: a.is_default):
            services.save_address(customer, address)
        formset.save_m2m()

    # --- detail page ------------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        obj = self.get_object(request, object_id)
        if obj is not None:
            extra_context.update(customer_overview(obj, request.user))
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/print/", view(self.print_view), name="customers_user_print"),
            path("<int:pk>/points/", view(self.points_view), name="customers_user_points"),
            path(
                "<int:pk>/resend-confirmation/",
                view(require_POST(self.resend_view)),
                name="customers_user_resend",
            ),
            *super().get_urls(),
        ]

    def _customer_or_404(self, request, pk, perm="view"):
        customer = get_object_or_404(self.get_queryset(request), pk=pk)
        check = self.has_view_permission if perm == "view" else self.has_change_permission
        if not check(request, customer):
            raise PermissionDenied
        return customer

    def print_view(self, request, pk):
        customer = self._customer_or_404(request, pk)
        ctx = {
            "customer": customer,
            "printed_at": timezone.now(),
            "currency": settings.SHOP_CURRENCY,
            # Panels of other apps (gift-card credit, threads) render with the operator's request.
            "request": request,
            **customer_overview(customer, request.user),
        }
        pdf = render_pdf("pdf/customer.html", ctx)
        # named as the PDF is titled (templates/pdf/customer.html), in the operator's language
        number = customer.customer_number
        return pdf_response(pdf, document_filename(f"{_('Customer')} {number}", number))

    def points_view(self, request, pk):
        customer = self._customer_or_404(request, pk, perm="change")
        form = PointsAdjustmentForm(request.POST or None)
        back_url = reverse("admin:customers_user_change", args=[customer.pk])
        if request.method == "POST" and form.is_valid():
            try:
                with formtokens.sent_once(form.token, f"customers.points {customer.pk}"):
                    loyalty.adjust_points(
                        customer,
                        form.cleaned_data["points"],
                        form.cleaned_data["note"],
                        by=request.user,
                    )
            except formtokens.FormAlreadySent as exc:
                self.message_user(request, exc.message, messages.WARNING)
                return HttpResponseRedirect(back_url)
            except DomainError as exc:
                add_to_form(form, exc)
            else:
                self.message_user(request, _("The loyalty points have been adjusted."))
                return HttpResponseRedirect(back_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Adjust loyalty points"),
            "customer": customer,
            "form": form,
            "balance": loyalty.points_balance(customer),
            "allowance": loyalty.points_allowance(request.user),
        }
        return TemplateResponse(request, "admin/customers/user/points.html", context)

    def resend_view(self, request, pk):
        customer = self._customer_or_404(request, pk, perm="change")
        try:
            confirmation.send_confirmation(customer)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.message_user(request, _("A new confirmation link was sent."))
        return HttpResponseRedirect(reverse("admin:customers_user_change", args=[customer.pk]))

    # --- deletion through the service ------------------------------------------------

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None:
            extra_context = {**(extra_context or {}), "customer": obj}
            if request.method != "POST":  # said before the operator confirms
                extra_context["erasure_refusals"] = [
                    refusal.message for refusal in services.erasure_refusals(obj, by=request.user)
                ]
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:customers_user_change", args=[object_id]))

    def delete_model(self, request, obj):
        summary = services.delete_customer(obj, by=request.user)
        self._erasure_summary(request, summary)

    def _erasure_summary(self, request, summary):
        # what the erasure did (privacy's erasure record), instead of a bare "deleted"
        text = (summary or {}).get("erasure_summary")
        if text:
            self.message_user(request, text, messages.SUCCESS)

    def delete_queryset(self, request, queryset):
        failed = []
        for customer in queryset:
            try:
                with transaction.atomic():
                    summary = services.delete_customer(customer, by=request.user)
            except DomainError as exc:
                failed.append(f"{customer.email}: {exc.message}")
            else:
                self._erasure_summary(request, summary)
        if failed:
            self.message_user(
                request, _("Not deleted: %(list)s") % {"list": "; ".join(failed)}, messages.ERROR
            )

    # --- actions ---------------------------------------------------------------------

    @admin.action(description=gettext_lazy("Assign to group…"), permissions=["change"])
    def assign_group(self, request, queryset):
        form = AssignGroupForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            group = form.cleaned_data["group"]
            count = services.assign_group(queryset.values_list("pk", flat=True), group)
            self.message_user(
                request,
                ngettext(
                    "%(n)d customer assigned to %(group)s.",
                    "%(n)d customers assigned to %(group)s.",
                    count,
                )
                % {"n": count, "group": group or _("no group")},
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Assign customers to a group"),
            "form": form,
            "count": queryset.count(),
            "preview": queryset[:20],
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across", "0"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "action": "assign_group",
        }
        return TemplateResponse(request, "admin/customers/user/assign_group.html", context)

    @admin.action(
        description=gettext_lazy("Send the confirmation link again"), permissions=["change"]
    )
    def resend_confirmation(self, request, queryset):
        sent = 0
        for customer in queryset.filter(is_confirmed=False):
            confirmation.send_confirmation(customer)
            sent += 1
        self.message_user(
            request,
            ngettext("%(n)d confirmation link sent.", "%(n)d confirmation links sent.", sent)
            % {"n": sent},
        )


class StaffCreationForm(auth_forms.AdminUserCreationForm):
    class Meta:
        model = StaffUser
        fields = ("email",)

    def save(self, commit=True):
        # The form asks only for the address: the new staff member reads the backoffice in
        # the shop's language (SHOP_LANGUAGE) until they choose their own.
        self.instance.language = settings.LANGUAGE_CODE
        return super().save(commit=commit)


class StaffChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = StaffUser
        fields = "__all__"


@admin.register(StaffUser, site=backoffice)
class StaffUserAdmin(BaseUserAdmin):
    form = StaffChangeForm
    add_form = StaffCreationForm
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_superuser", "is_active", "last_login"]
    list_filter = ["is_superuser", "is_active", ("groups", RoleGroupsFilter)]
    search_fields = ["email", "first_name", "last_name"]
    readonly_fields = ["date_joined", "last_login"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            gettext_lazy("Personal data"),
            {"fields": ("first_name", "last_name", "phone", "language")},
        ),
        (
            gettext_lazy("Permissions"),
            {"fields": ("is_active", "is_superuser", "groups", "user_permissions")},
        ),
        (gettext_lazy("Dates"), {"fields": ("date_joined", "last_login")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "usable_password", "password1", "password2"),
            },
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).filter(is_staff=True)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "groups" and field is not None:
            field.label_from_instance = lambda group: str(role_label(group.name))
        if db_field.name == "user_permissions":
            label_permissions(field)
        return field

    def save_model(self, request, obj, form, change):
        obj.is_staff = True
        super().save_model(request, obj, form, change)


@admin.register(CustomerGroup, site=backoffice)
class CustomerGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "open_amount_limit_column", "member_count"]
    open_amount_limit_column = money_column(
        "open_amount_limit", CustomerGroup._meta.get_field("open_amount_limit").verbose_name
    )
    search_fields = ["name"]
    delete_confirmation_template = "admin/customers/customergroup/delete_confirmation.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(members_count=Count("members"))

    @admin.display(description=gettext_lazy("customers"), ordering="members_count")
    def member_count(self, obj):
        url = reverse("admin:customers_user_changelist") + f"?group__id__exact={obj.pk}"
        from django.utils.html import format_html

        return format_html('<a href="{}">{}</a>', url, obj.members_count)

    def get_actions(self, request):
        # Deleting goes through the page that asks what happens to the members.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        group = self.get_object(request, object_id)
        if group is None:
            raise Http404
        if not self.has_delete_permission(request, group):
            raise PermissionDenied
        members = User.objects.filter(group=group).count()
        form = DeleteGroupForm(request.POST if request.method == "POST" else None, group=group)
        if request.method == "POST" and form.is_valid():
            try:
                moved = services.delete_group(group, move_to=form.cleaned_data["move_to"])
            except DomainError as exc:
                form.add_error("move_to", exc.message)
            else:
                self.log_deletions(request, [group])
                target = form.cleaned_data["move_to"]
                if target is None:
                    message = ngettext(
                        "Group %(name)s deleted; %(n)d member is now in no group.",
                        "Group %(name)s deleted; %(n)d members are now in no group.",
                        moved,
                    )
                else:
                    message = ngettext(
                        "Group %(name)s deleted; %(n)d member moved to %(target)s.",
                        "Group %(name)s deleted; %(n)d members moved to %(target)s.",
                        moved,
                    )
                self.message_user(
                    request, message % {"name": group.name, "n": moved, "target": target}
                )
                return HttpResponseRedirect(reverse("admin:customers_customergroup_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Delete customer group"),
            "object": group,
            "members": members,
            "form": form,
            **(extra_context or {}),
        }
        return TemplateResponse(request, self.delete_confirmation_template, context)
