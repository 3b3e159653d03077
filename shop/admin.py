"""The backoffice: a custom AdminSite at /backoffice/ plus the catalog and outbox screens.

Apps register their ModelAdmins on ``backoffice`` and may add items to the start page's
"needs attention" panel with ``backoffice.attention(...)``.
"""

import copy
import functools
import mimetypes
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cached_property

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin import options as admin_options
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import SEARCH_VAR
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models, transaction
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, path, reverse
from django.utils import formats, timezone, translation
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator, capfirst, slugify
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import XLSX
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline

from . import locales
from .catalog_import import (
    NOT_UTF8,
    STOCK_PERMISSION,
    CatalogImportError,
    ProductCSV,
    ProductExportForm,
    ProductResource,
    ProductXLSX,
)
from .db import FoldedContains, PersonName, advisory_lock, changed_columns, estimated_count
from .fields import WholeNumberField, date_format_hint, parse_typed_date
from .models import (
    BackgroundJob,
    Category,
    OutboxEmail,
    PaymentMethod,
    PriceHistory,
    Product,
    ProductImage,
    RetentionPolicy,
    RetentionRun,
    ShippingMethod,
    ShopSettings,
    StockNotice,
    delivery_country_choices,
)
from .money import LocalDecimalField, format_money, format_percent
from .roles import ROLES, role_label
from .slugs import product_slug, unique_slug
from .storage import PrivateFileInput
from .twofactor import TwoFactorSiteMixin
from .vat_rates import standard_vat_rate

# Amounts and rates in every backoffice form are shown and read in the staff member's
# language ("34,90" in German, Polish and Danish; a point is read too), as the lists and
# pages show them (shop.money.LocalDecimalField).
admin_options.FORMFIELD_FOR_DBFIELD_DEFAULTS[models.DecimalField] = {
    "form_class": LocalDecimalField
}
# Counts, positions, days, stock: whole numbers as people type them — "1_0" is refused, not
# read as 10 (shop.fields.WholeNumberField). Every integer column: Django's entries for
# IntegerField and BigIntegerField keep their widgets, the other kinds inherit the first.
for _db_field in (models.IntegerField, models.BigIntegerField):
    admin_options.FORMFIELD_FOR_DBFIELD_DEFAULTS[_db_field] = {
        **admin_options.FORMFIELD_FOR_DBFIELD_DEFAULTS.get(_db_field, {}),
        "form_class": WholeNumberField,
    }


class StaffLanguageForm(forms.Form):
    """The backoffice language of the logged-in staff member (``language`` on the user)."""

    language = forms.ChoiceField(label=_("Language"), widget=forms.RadioSelect)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, initial={"language": user.language}, **kwargs)
        self.user = user
        # The names as the user model offers them: each language in its own language.
        self.fields["language"].choices = user._meta.get_field("language").choices

    def save(self):
        self.user.language = self.cleaned_data["language"]
        self.user.save(update_fields=["language"])
        return self.user.language


@dataclass
class AttentionItem:
    label: str
    url_name: str
    count: callable
    permission: str | None = None
    query: str = ""
    urgent: bool = False
    cap: int | None = None  # counts above it show as "cap+" (``count`` may stop there)


class SelectedRowsChecked:
    """Mixed into every backoffice list (``BackofficeSite.register``): rows ticked for an
    action whose ids are no ids of the list's model (a crafted request: ``abc``) are refused
    with a message and nothing is done — Django's ``response_action`` filtered on them and
    answered with a 500 page; and a date drill-down (``date_hierarchy``) to a year past
    2999 is Django's "?e=1" page instead of a 500 (its end date overflowed)."""

    def get_changelist_instance(self, request):
        if self.date_hierarchy:
            year = request.GET.get(f"{self.date_hierarchy}__year")
            if year is not None and not (
                year.isascii() and year.isdigit() and len(year) <= 4 and int(year) < 3000
            ):
                raise admin_options.IncorrectLookupParameters(year)
        return super().get_changelist_instance(request)

    def response_action(self, request, queryset):
        if request.POST.get("select_across") != "1":
            pk = self.model._meta.pk
            try:
                for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
                    pk.to_python(value)
            except ValidationError:
                messages.error(request, _("The selection is not valid: nothing was done."))
                return redirect(request.get_full_path())
        return super().response_action(request, queryset)


class BackofficeSite(TwoFactorSiteMixin, admin.AdminSite):
    site_header = _("Nordlicht Shop · Backoffice")
    site_title = _("Backoffice")
    index_title = _("Start")
    index_template = "admin/backoffice_index.html"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._attention = []
        self._app_list_urls = {}

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, SelectedRowsChecked):
            admin_class = type(admin_class.__name__, (SelectedRowsChecked, admin_class), {})
        return super().register(model_or_iterable, admin_class, **options)

    def _build_app_dict(self, request, label=None):
        """Django's ``AdminSite._build_app_dict`` (the sidebar's and the start page's list of
        apps and models), with the app and model URLs reversed once per process instead of
        on every page: 87 reverse() calls were 5 ms of every backoffice page.
        ``tests/shop/test_app_list.py`` compares it with Django's for several staff roles."""
        app_dict = {}
        for model, model_admin in self._registry.items():
            app_label = model._meta.app_label
            if label and app_label != label:
                continue
            has_module_perms = model_admin.has_module_permission(request)
            if not has_module_perms:
                continue
            perms = model_admin.get_model_perms(request)
            if True not in perms.values():
                continue
            urls = self._model_urls(model)
            model_dict = {
                "model": model,
                # Translated here, once: get_app_list() sorts by the names, and a lazy
                # name is translated again in each comparison.
                "name": str(capfirst(model._meta.verbose_name_plural)),
                "object_name": model._meta.object_name,
                "perms": perms,
                "admin_url": None,
                "add_url": None,
            }
            if perms.get("change") or perms.get("view"):
                model_dict["view_only"] = not perms.get("change")
                model_dict["admin_url"] = urls["changelist"]
            if perms.get("add"):
                model_dict["add_url"] = urls["add"]
            if app_label in app_dict:
                app_dict[app_label]["models"].append(model_dict)
            else:
                app_dict[app_label] = {
                    "name": str(apps.get_app_config(app_label).verbose_name),
                    "app_label": app_label,
                    "app_url": urls["app"],
                    "has_module_perms": has_module_perms,
                    "models": [model_dict],
                }
        return app_dict

    def _model_urls(self, model):
        """The changelist, add and app-index URLs of ``model`` (None where a view has none),
        for this thread's URLconf and script prefix, reversed once."""
        key = (get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF, model)
        urls = self._app_list_urls.get(key)
        if urls is None:
            opts = model._meta

            def reversed_or_none(name):
                try:
                    return reverse(name, current_app=self.name)
                except NoReverseMatch:
                    return None

            urls = {
                "changelist": reversed_or_none(
                    f"admin:{opts.app_label}_{opts.model_name}_changelist"
                ),
                "add": reversed_or_none(f"admin:{opts.app_label}_{opts.model_name}_add"),
                "app": reverse(
                    "admin:app_list", kwargs={"app_label": opts.app_label}, current_app=self.name
                ),
            }
            self._app_list_urls[key] = urls
        return urls

    def attention(self, label, url_name, count, permission=None, query="", urgent=False, cap=None):
        """Show ``count()`` on the start page, linking to ``url_name`` (+ ``query``).

        ``urgent`` items are highlighted in red while their count is not zero. With ``cap``,
        a count above it shows as "1,000+": ``count()`` may stop counting there (a LIMIT),
        so the start page stays fast on a million rows. ``count()`` returning None shows no
        tile (a warning that applies only at times).
        """
        if any(i.label == label and i.url_name == url_name for i in self._attention):
            return  # a module imported twice must not duplicate its items
        self._attention.append(
            AttentionItem(label, url_name, count, permission, query, urgent, cap)
        )

    def each_context(self, request):
        context = super().each_context(request)
        name = ShopSettings.load().shop_name
        context["site_header"] = _("%(shop)s · Backoffice") % {"shop": name}
        context["site_title"] = _("%(shop)s backoffice") % {"shop": name}
        return context

    def get_urls(self):
        return [
            path("my-language/", self.admin_view(self.my_language_view), name="my_language"),
            path("bench/floor", self.admin_view(self.bench_floor_view), name="bench_floor"),
            *super().get_urls(),
        ]

    def bench_floor_view(self, request):
        """The floor of every backoffice page for ``manage.py bench --http``: the staff
        session, the user, the second factor and the site's checks, and no page. A 404
        unless ``BENCH_BARE_VIEW`` is on, like the storefront's bare view."""
        if not settings.BENCH_BARE_VIEW:
            raise Http404
        return HttpResponse(b"ok", content_type="text/plain")

    def my_language_view(self, request):
        """Every staff member picks the language of their backoffice (and of the e-mails the
        shop sends them); an admin can set it on the staff user's page too."""
        form = StaffLanguageForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            language = form.save()
            translation.activate(language)  # the confirmation already speaks it
            request.LANGUAGE_CODE = language
            messages.success(
                request,
                _("Your backoffice language is now %(language)s.")
                % {"language": locales.language_name(language)},
            )
            return redirect("admin:my_language")
        request.current_app = self.name
        return TemplateResponse(
            request,
            "admin/my_language.html",
            {**self.each_context(request), "title": _("My language"), "form": form},
        )

    def attention_items(self, request):
        items = []
        for item in self._attention:
            if item.permission and not request.user.has_perm(item.permission):
                continue
            count = item.count()
            if count is None:  # a notice that does not apply now: no tile at all
                continue
            items.append(
                {
                    "label": item.label,
                    "count": count,
                    "display": (
                        formats.number_format(item.cap, force_grouping=True) + "+"
                        if item.cap and count > item.cap
                        else count
                    ),
                    "url": reverse(item.url_name) + item.query,
                    "urgent": item.urgent,
                }
            )
        return items

    def index(self, request, extra_context=None):
        from . import dashboard

        attention = self.attention_items(request)
        figures, figures_at = dashboard.for_user(request.user)
        extra_context = {
            **(extra_context or {}),
            "attention": attention,
            "attention_total": sum(item["count"] for item in attention),
            "figures": figures,
            "figures_at": figures_at,
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


class SavesChangedFields:
    """A change page saves only the fields the operator changed (``update_fields``), never
    the whole row as it was read when the form was posted: a counter the shop moves on its
    own — stock taken by orders, a campaign's uses and spent budget, an offer's clicks —
    is not put back by a save that happened to run alongside."""

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        obj.save(update_fields=changed_columns(type(obj), form.changed_data))


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


def field_column(field, description, ordering=None, **display):
    """A list column (or read-only field) showing ``field`` under a name of the shop's own,
    for models whose field names are not translatable (the libraries'). An attribute of the
    ModelAdmin: ``user_column = field_column("user", _("staff member"))``."""

    @admin.display(description=description, ordering=ordering or field, **display)
    def column(model_admin, obj):
        # Shown as the admin shows a field: a read-only callable's value is printed as it
        # is ("None", "2026-12-02 00:54:00.965217+00:00") on the object's page.
        value = getattr(obj, field)
        if value is None:
            return model_admin.get_empty_value_display()
        if isinstance(value, datetime):
            return date_time_cell(value)
        return value

    return column


@admin.register(TOTPDevice, StaticDevice, site=backoffice)
class OTPDeviceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Lets a manager reset a staff member's second factor (delete only; nothing to edit)."""

    deletable = True
    # django-otp's fields have no translatable names ("user", "last used at" in every
    # language): the columns and the detail page are named here.
    list_display = ["user_column", "name_column", "confirmed_column", "last_used_column"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    fields = [
        "user_column",
        "name_column",
        "confirmed_column",
        "created_column",
        "last_used_column",
    ]
    readonly_fields = fields

    user_column = field_column("user", _("staff member"), ordering="user__email")
    name_column = field_column("name", _("name"))
    confirmed_column = field_column("confirmed", _("confirmed"), boolean=True)
    created_column = field_column("created_at", _("added"))
    last_used_column = field_column("last_used_at", _("last used"))


# Django stores a permission's name in English when it is created ("Can add order"); the
# backoffice names it from the model, in the reader's language.
BUILTIN_PERMISSIONS = {
    "add": pgettext_lazy("permission", "Can add %(model)s"),
    "change": pgettext_lazy("permission", "Can change %(model)s"),
    "delete": pgettext_lazy("permission", "Can delete %(model)s"),
    "view": pgettext_lazy("permission", "Can view %(model)s"),
}


# The libraries' apps whose names come untranslated (django-guardian names nothing,
# django-axes speaks neither Danish nor all of its models in Polish), named for the
# permission lists in words an operator knows.
LIBRARY_APP_NAMES = {
    "axes": pgettext_lazy("app", "Login protection"),
    "guardian": pgettext_lazy("app", "Object permissions"),
}
LIBRARY_MODEL_NAMES = {
    ("axes", "accessattempt"): pgettext_lazy("model", "login attempt"),
    ("axes", "accessfailurelog"): pgettext_lazy("model", "failed login"),
    ("axes", "accessattemptexpiration"): pgettext_lazy("model", "expiry of a login attempt"),
    ("axes", "accesslog"): pgettext_lazy("model", "login record"),
    ("guardian", "userobjectpermission"): pgettext_lazy("model", "object permission of a user"),
    ("guardian", "groupobjectpermission"): pgettext_lazy("model", "object permission of a group"),
}


def permission_label(permission):
    """``app | model | what it allows`` in the reader's language: Django's own four from the
    model's name, the apps' own from their model's ``Meta.permissions`` (translatable
    there); a permission of a model that is gone as stored."""
    model = permission.content_type.model_class()
    if model is None:
        return str(permission)
    opts = model._meta
    app = LIBRARY_APP_NAMES.get(opts.app_label, opts.app_config.verbose_name)
    name = LIBRARY_MODEL_NAMES.get((opts.app_label, opts.model_name), opts.verbose_name)
    action, _sep, model_name = permission.codename.partition("_")
    if model_name == opts.model_name and action in BUILTIN_PERMISSIONS:
        text = BUILTIN_PERMISSIONS[action] % {"model": name}
    else:
        text = dict(opts.permissions).get(permission.codename, permission.name)
    return f"{app} | {capfirst(name)} | {text}"


def label_permissions(field):
    """A permissions form field (a group's, a staff member's) with ``permission_label``."""
    if field is not None:
        field.label_from_instance = permission_label
    return field


@admin.register(Group, site=backoffice)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["role_column"]
    ordering = ["name"]
    search_fields = ["name"]
    filter_horizontal = ["permissions"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        return label_permissions(field) if db_field.name == "permissions" else field

    def get_fields(self, request, obj=None):
        # A role group's name shows as the role in the reader's language (role_column), like
        # its title; a reader who may only view the group gets the permissions as a list in
        # the same words as the editable field (permission_list) instead of Django's
        # read-only display, one comma-separated line of the stored English names.
        if obj is None:
            return ["name", "permissions"]
        name = "role_column" if obj.name in ROLES else "name"
        if self.has_change_permission(request, obj):
            return [name, "permissions"]
        return [name, "permission_list"]

    def get_readonly_fields(self, request, obj=None):
        # A role group is found by its name (setup_roles, the helpdesk's departments):
        # renamed, it would stop working and come back empty at the next migrate.
        if obj is not None and obj.name in ROLES:
            return ["name", "role_column"]
        return []

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.name in ROLES:
            return False
        return super().has_delete_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return super().change_view(
            request,
            object_id,
            form_url,
            {**self._role_context(request, object_id), **(extra_context or {})},
        )

    def history_view(self, request, object_id, extra_context=None):
        context = {}
        if role := self._role_context(request, object_id).get("subtitle"):
            context = {"title": gettext("Change history: %s") % role, "role": role}
        return super().history_view(request, object_id, {**context, **(extra_context or {})})

    def _role_context(self, request, object_id):
        """A role group's page is headed by the role in the reader's language (the
        breadcrumbs and the browser tab too), not by the English name it is stored under."""
        group = self.get_object(request, unquote(object_id))
        if group is None or group.name not in ROLES:
            return {}
        return {"subtitle": str(role_label(group.name))}

    @admin.display(description=_("name"), ordering="name")
    def role_column(self, obj):
        """The role in the reader's language, and the group's stored name beside it (what
        the name field holds) where the two differ."""
        label = str(role_label(obj.name))
        if label == obj.name:
            return obj.name
        return format_html('{} <span class="quiet">({})</span>', label, obj.name)

    @admin.display(description=Group._meta.get_field("permissions").verbose_name)
    def permission_list(self, obj):
        """The group's permissions as the editable field names them (permission_label), one a
        line."""
        permissions = obj.permissions.select_related("content_type")
        if not permissions:
            return self.get_empty_value_display()
        return format_html_join(
            mark_safe("<br>"), "{}", ((permission_label(p),) for p in permissions)
        )


class RoleGroupsFilter(admin.RelatedFieldListFilter):
    """The "by group" filter of the staff list, naming each role in the reader's language."""

    def field_choices(self, field, request, model_admin):
        return [
            (pk, str(role_label(name)))
            for pk, name in super().field_choices(field, request, model_admin)
        ]


def money_column(field, description, currency_field=None):
    """A list column showing the money field ``field`` like every other amount of the shop
    (``shop.money.format_money``: the staff user's language, the row's currency where
    ``currency_field`` names it), sortable by the field. An attribute of the ModelAdmin:
    ``price_column = money_column("price", _("price"))``."""

    @admin.display(description=description, ordering=field)
    def column(model_admin, obj):
        value = getattr(obj, field)
        if value is None:
            return "—"
        return format_money(value, getattr(obj, currency_field) if currency_field else None)

    return column


def date_time_cell(value):
    """A list cell of a point in time: the date, and the time quiet below it (narrower than
    Django's one-line "01.12.2026, 06:32", so the lists' columns fit beside the filters)."""
    local = timezone.localtime(value)
    date_pattern, time_pattern = _cell_patterns(translation.get_language())
    day = (
        local.strftime(date_pattern)
        if date_pattern
        else formats.date_format(local, "SHORT_DATE_FORMAT")
    )
    hour = (
        local.strftime(time_pattern) if time_pattern else formats.time_format(local, "TIME_FORMAT")
    )
    return mark_safe(
        f'<span class="nowrap">{escape(day)}</span><br><span class="quiet">{escape(hour)}</span>'
    )


# Letters of Django's date formats that strftime writes alike (digits only: no names, which
# Django translates and strftime would take from the C locale).
STRFTIME_LETTERS = {"d": "%d", "m": "%m", "Y": "%Y", "y": "%y", "H": "%H", "i": "%M", "s": "%S"}


def strftime_pattern(django_format):
    """The strftime pattern that writes what Django's ``django_format`` writes ("d.m.Y" →
    "%d.%m.%Y"), or None when it has a letter strftime writes otherwise ("j M Y")."""
    pattern, escaped = [], False
    for char in django_format:
        if escaped or not char.isalpha():
            if char == "\\" and not escaped:
                escaped = True
                continue
            pattern.append(char.replace("%", "%%"))
            escaped = False
        elif char in STRFTIME_LETTERS:
            pattern.append(STRFTIME_LETTERS[char])
        else:
            return None
    return "".join(pattern)


@functools.lru_cache(maxsize=32)
def _cell_patterns(language):
    """The language's short date and time format as strftime patterns, worked out once per
    process: Django's date_format() looks the format up and parses it on every call, a third
    of a list's date column."""
    with translation.override(language):
        return (
            strftime_pattern(formats.get_format("SHORT_DATE_FORMAT")),
            strftime_pattern(formats.get_format("TIME_FORMAT")),
        )


def email_cell(email):
    """An e-mail address in a narrow list column, escaped: it may wrap after its (last) "@"
    instead of anywhere — "anna.schmidt@" above "example.com", not "anna.schmidt@exam" above
    "ple.com". A value without "@" is returned as it is (Django escapes it on output)."""
    if not email:
        return ""
    local, at, domain = str(email).rpartition("@")
    if not at:
        return email
    return format_html("{}@<wbr>{}", local, domain)


def choice_label(choices, value):
    """The label of ``value`` in the ``TextChoices`` enum ``choices`` (a value no longer among
    them: the value itself). For list columns: ``get_FOO_display()`` translates every label
    of the field to find the one it shows, which on a list of 50 rows with two status
    columns costs a tenth of the page."""
    return _choice_label(choices, value, translation.get_language())


@functools.lru_cache(maxsize=1024)
def _choice_label(choices, value, language):
    # The label translated once per process and language (two status columns × 50 rows).
    try:
        return str(choices(value).label)
    except ValueError:
        return value


class SlugFromNameForm(forms.ModelForm):
    """A slug left empty is made from the name when the form is saved, by the server's one
    rule (shop.slugs: "Äpfel Größe" → "aepfel-groesse", unique). Not by the admin's
    ``prepopulated_fields`` JavaScript (URLify), which wrote "ä" as "a" and "ø" as "o": the
    same product got another address in the backoffice than from the catalog import.

    A ModelAdmin's ``form``, without a ``Meta``: the admin adds the model and its fields."""

    slug_help_text = _("Left empty: made from the name.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = self.slug_help_text

    def name(self, data):
        """The name in the shop's default language (the catalog import's column "name")."""
        return data.get(f"name_{settings.MODELTRANSLATION_DEFAULT_LANGUAGE}") or data.get("name")

    def make_slug(self, others, data):
        name = self.name(data)
        return unique_slug(others, name) if name else None

    def clean(self):
        data = super().clean()
        if "slug" not in self.fields or data.get("slug") or "slug" in self.errors:
            return data
        others = self._meta.model._default_manager.all()
        if self.instance.pk is not None:
            others = others.exclude(pk=self.instance.pk)
        slug = self.make_slug(others, data)
        if slug:
            data["slug"] = slug
        elif slug is not None:  # a name without a letter or digit to write ("★★★")
            self.add_error("slug", _("No slug can be made from the name: please enter one."))
        return data


class ProductSlugForm(SlugFromNameForm):
    slug_help_text = _("Left empty: made from the name and the SKU, as the catalog import does.")

    def make_slug(self, others, data):
        name, sku = self.name(data), data.get("sku")
        return product_slug(others, name, sku) if name and sku else None


@admin.register(Category, site=backoffice)
class CategoryAdmin(TranslationAdmin):  # name and description in every language
    form = SlugFromNameForm
    list_display = ["name", "slug", "position"]


class ProductImageInline(TranslationStackedInline):
    """Pictures on the product page: upload several, order them by position (the first
    is the main picture), alt text per picture and language.

    Stacked, not a table: a table has a column per language's alt text (four inputs beside
    the picture and its file field) and runs out of the content box at 1400 px; here each
    picture is a block, its alt texts one under the other."""

    model = ProductImage
    extra = 1
    fieldsets = [
        (None, {"fields": [("preview", "image", "position")]}),
        (None, {"fields": ["alt_text"]}),  # alt_text_en, alt_text_de … (modeltranslation)
    ]
    readonly_fields = ["preview"]
    ordering = ["position", "pk"]

    @admin.display(description=_("preview"))
    def preview(self, obj):
        if not obj.pk or not obj.image:
            return "—"
        return format_html(
            '<img src="{}" alt="" style="max-width:96px;max-height:96px">', obj.jpeg_240.url
        )


class PriceHistoryInline(admin.TabularInline):
    """Written by ``Product.save`` only: nobody adds, edits or deletes a row here."""

    model = PriceHistory
    extra = 0
    fields = ["recorded_at", "price", "sale_price", "sale_start", "sale_end"]
    readonly_fields = fields
    ordering = ["-recorded_at", "-pk"]
    verbose_name_plural = _("price history (every change of the price or the sale)")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# The admin heads each filter "By <title>" ("Nach …", "Filtr: …", "Efter …") and takes the
# title from the field's verbose name — for a flag or a "… by" field an adjective, a
# participle or a phrase: "Nach moderiert", "Nach gestartet durch". These give the filter a
# noun title, which reads right after the preposition in every language.


def typed_date_limit(request, raw):
    """The date an operator typed into a list's date filter ("01.12.2026", or ISO from a
    link), or None for an empty one. A value that is no date is ignored with an error message
    naming it and the expected format — Django's "?e=1" showed the whole list without a
    word. The date filters of every list call this."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return parse_typed_date(raw)
    except ValueError:
        messages.error(
            request,
            _("“%(value)s” is not a date (%(format)s); that date limit is ignored.")
            % {"value": raw, "format": date_format_hint()},
        )
        return None


def titled_filter(title, base=admin.AllValuesFieldListFilter):
    """A field's list filter (``base``) under the noun ``title``:
    ``("trigger", titled_filter(_("trigger")))``."""

    class TitledFilter(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    return TitledFilter


def flag_filter(title, yes, no):
    """The filter of a yes/no field under the noun ``title``, its choices worded ``yes`` and
    ``no`` — "Moderated" / "Not moderated yet" say more than "Yes" / "No" under a noun:
    ``("moderated", flag_filter(_("moderation"), _("Moderated"), _("Not moderated yet")))``."""

    class FlagFilter(titled_filter(title, admin.BooleanFieldListFilter)):
        def __init__(self, field, request, params, model, model_admin, field_path):
            field = copy.copy(field)  # the model's own field keeps its (no) choices
            field.choices = [(True, yes), (False, no)]
            super().__init__(field, request, params, model, model_admin, field_path)

    return FlagFilter


class StockFilter(admin.SimpleListFilter):
    title = _("stock")
    parameter_name = "stock_state"

    def lookups(self, request, model_admin):
        return [
            ("low", _("Low (at or below the threshold)")),
            ("sold_out", _("Sold out")),
            ("backordered", _("Backordered (below zero)")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "low":
            return queryset.low_stock()
        if self.value() == "sold_out":
            return queryset.filter(stock__lte=0)
        if self.value() == "backordered":
            return queryset.filter(stock__lt=0)
        return queryset


class SellerVatRateMixin:
    """A new product or shipping method starts with the standard VAT rate of the seller's
    country (``ShopSettings.country``; shop.vat_rates), not the model's German 19 %: a Danish
    seller who does not look would otherwise charge 19 % instead of 25 %. The field says which
    rate that is, on the change page too. A country outside the table keeps the model's
    default and no note."""

    def seller_vat_rate(self, request):
        """``(country, rate)`` of the seller; ``rate`` is ``None`` outside the table. Asked
        once per request (the initial value and the field's note both want it)."""
        if not hasattr(request, "_seller_vat_rate"):
            country = ShopSettings.load().country
            request._seller_vat_rate = (country, standard_vat_rate(country))
        return request._seller_vat_rate

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        _country, rate = self.seller_vat_rate(request)
        if rate is not None and "tax_rate" not in initial:  # a rate in the link wins
            initial["tax_rate"] = rate.quantize(Decimal("0.01"))  # as a saved one shows
        return initial

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "tax_rate" and field is not None:
            country, rate = self.seller_vat_rate(request)
            if rate is not None:
                note = _("Standard rate in %(country)s: %(rate)s.") % {
                    "country": locales.country_name(country),
                    "rate": format_percent(rate),
                }
                field.help_text = (
                    format_html("{} {}", field.help_text, note) if field.help_text else note
                )
        return field


@admin.register(Product, site=backoffice)
class ProductAdmin(
    SellerVatRateMixin, SavesChangedFields, ImportExportModelAdmin, TranslationAdmin
):
    # TranslationAdmin: the name and description in every language on the one product page.
    # Many columns: the filters in a row above the list (base_site.html, backoffice.css).
    filters_above = True
    resource_classes = [ProductResource]
    export_form_class = ProductExportForm
    # ProductXLSX: a date cell is a day, a date-and-time cell at midnight that moment.
    import_formats = [ProductCSV, ProductXLSX]
    # The CSV for the reader's Excel (";" and a byte order mark in de/pl/da: ProductCSV).
    export_formats = [ProductCSV, XLSX]
    export_template_name = "admin/shop/product/export.html"  # an "Export" button

    def get_export_filename(self, request, queryset, file_format):
        """The list's name in the reader's language ("produkte-2026-12-03.csv"), not the
        model's class name ("Product-…")."""
        name = slugify(str(self.model._meta.verbose_name_plural)) or self.model._meta.model_name
        return f"{name}-{timezone.localdate():%Y-%m-%d}.{file_format.get_extension()}"

    def add_data_read_fail_error_to_form(self, form, e):
        # The file's own error in words ("Row 3 has 5 cells …"), not the exception's name.
        if isinstance(e, CatalogImportError):
            form.add_error("import_file", e.message)
        elif isinstance(e, UnicodeDecodeError):
            form.add_error("import_file", NOT_UTF8)
        else:
            form.add_error(
                "import_file",
                _("The file could not be read: %(error)s") % {"error": str(e) or type(e).__name__},
            )

    def process_import(self, request, **kwargs):
        """The confirmed import, once per uploaded file. The library deletes the file once it
        is imported, so a confirm page sent again (a double click, back and resend) found no
        file: a server error. The confirms of one file take turns (an advisory lock held
        until the import is committed), and one whose file is gone changes nothing and says
        so on the product list."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        confirm_form = self.create_confirm_form(request)
        if not confirm_form.is_valid():
            return super().process_import(request, **kwargs)
        name = confirm_form.cleaned_data["import_file_name"]
        with transaction.atomic():
            advisory_lock(f"shop.product_import:{name}")
            if self.import_file_waiting(name):
                return super().process_import(request, **kwargs)
        messages.warning(
            request,
            _("This import was carried out already, or it expired: please upload the file again."),
        )
        return redirect("admin:shop_product_changelist")

    def import_file_waiting(self, name):
        """Whether the uploaded file ``name`` still waits for its confirmation."""
        storage = self.get_tmp_storage_class()(name=name, **self.get_tmp_storage_class_kwargs())
        try:
            return storage.read() is not None  # the cache storage reads a removed file as None
        except FileNotFoundError:
            return False

    list_display = [
        "thumbnail",
        "name",
        "sku",
        "category",
        "price_column",
        "sale_price_column",
        "tax_rate",
        "stock",
        "is_active",
    ]
    list_display_links = ["thumbnail", "name"]
    price_column = money_column("price", _("price"))
    sale_price_column = money_column("sale_price", _("sale price"))
    list_filter = [
        StockFilter,
        "category",
        ("is_active", flag_filter(_("status"), _("Active"), _("Inactive"))),
        ("is_downloadable", flag_filter(_("delivery"), _("Download"), _("Shipped goods"))),
        "is_giftcard",
    ]
    list_select_related = ["category"]
    # Every language's name, not only the operator's ("name" is the active language's column
    # under modeltranslation): "Kaffee" finds the coffee for a Danish operator too, and a
    # product without a Danish name, listed under its English one, is found by that name.
    search_fields = [
        *(f"name_{code}" for code in settings.MODELTRANSLATION_LANGUAGES),
        "sku",
    ]
    form = ProductSlugForm  # an empty slug is made on the server (SlugFromNameForm)
    # The download file is private: its name, no link (it has no URL).
    formfield_overrides = {models.FileField: {"widget": PrivateFileInput}}
    inlines = [ProductImageInline, PriceHistoryInline]
    sale_reference_price_column = money_column(
        "sale_reference_price", Product._meta.get_field("sale_reference_price").verbose_name
    )
    readonly_fields = ["sale_reference_price_column", "waiting_notices"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "sku", "category", "description", "is_active"]}),
        (
            _("Price"),
            {
                "fields": [
                    "price",
                    "tax_rate",
                    ("sale_price", "sale_start", "sale_end"),
                    "sale_reference_price_column",
                    ("content_quantity", "content_unit"),
                ],
                "description": _(
                    "Every change is recorded in the price history. While a sale runs the shop "
                    "shows the lowest price of the 30 days before it; goods sold by weight, "
                    "volume, length or area show the price per kg, l, m or m²."
                ),
            },
        ),
        (
            _("Stock and delivery"),
            {
                "fields": [
                    ("stock", "low_stock_threshold"),
                    "allow_backorders",
                    ("delivery_days", "backorder_delivery_days"),
                    "waiting_notices",
                ]
            },
        ),
        (
            _("Product safety (GPSR)"),
            {
                "fields": [
                    "manufacturer",
                    "manufacturer_address",
                    "manufacturer_contact",
                    "responsible_person",
                    "responsible_person_address",
                    "responsible_person_contact",
                    "product_identifier",
                    "safety_information",
                ],
                "description": _(
                    "Shown on the product page: the manufacturer, the EU responsible person "
                    "when the manufacturer is not established in the EU, an identifier and "
                    "the warnings."
                ),
            },
        ),
        (
            _("Kind and look"),
            {
                "fields": ["is_downloadable", "download_file", "is_giftcard", "image_color"],
                "classes": ["collapse"],
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_main_image()

    def get_readonly_fields(self, request, obj=None):
        """The stock quantity only for a role with the stock permission: Marketing edits the
        texts, pictures and prices, the stock stays the warehouse's."""
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.has_perm(STOCK_PERMISSION):
            fields.append("stock")
        return fields

    def save_model(self, request, obj, form, change):
        if not change and not request.user.has_perm(STOCK_PERMISSION):
            # Added without the stock permission: sold out until the stock is counted in,
            # never "not tracked" (sold without limit).
            obj.stock = 0
        super().save_model(request, obj, form, change)
        if obj.sale_price is not None and obj.sale_reference_price is None:
            messages.warning(
                request,
                _(
                    "No earlier price in the last 30 days: the shop shows no reduction, only "
                    "the price."
                ),
            )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # A browser does not keep the files chosen in a form that comes back with an error:
        # the error summary says so (templates/admin/shop/product/change_form.html).
        context["files_not_kept"] = bool(request.method == "POST" and request.FILES)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "stock" and field is not None:
            # The stock the operator saw travels with the form (a hidden initial value), so
            # "changed" means changed by the operator, not by the orders placed meanwhile.
            field.show_hidden_initial = True
        return field

    @admin.display(description=_("waiting for a back-in-stock e-mail"))
    def waiting_notices(self, obj):
        """How many confirmed addresses wait for the product (shop.stock_notices), linked
        to their list (every role that sees products may read it: shop.roles)."""
        if obj is None or obj.pk is None:
            return "—"
        count = StockNotice.objects.waiting().filter(product=obj).count()
        text = ngettext("%(count)s person", "%(count)s people", count) % {"count": count}
        if not count:
            return text
        url = reverse("admin:shop_stocknotice_changelist")
        return format_html(
            '<a href="{}?product__id__exact={}&amp;state=waiting">{}</a>', url, obj.pk, text
        )

    @admin.display(description=_("picture"))
    def thumbnail(self, obj):
        image = obj.main_image
        if image is None:
            return format_html(
                '<span style="display:inline-block;width:40px;height:40px;background:{};'
                'border-radius:6px"></span>',
                obj.image_color,
            )
        return format_html(
            '<img src="{}" alt="" style="width:40px;height:40px;object-fit:contain">',
            image.jpeg_240.url,
        )


class ShippingMethodForm(forms.ModelForm):
    # The delivery countries as checkboxes (stored as a list of codes): none ticked, every one.
    countries = forms.MultipleChoiceField(
        label=capfirst(_("delivery countries")),
        choices=delivery_country_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=ShippingMethod._meta.get_field("countries").help_text,
    )

    class Meta:
        model = ShippingMethod
        # (the admin gives the form its fields, the translated names included)
        fields = [
            "name",
            "price",
            "tax_rate",
            "free_over",
            "description",
            "countries",
            "is_active",
            "position",
        ]


@admin.register(ShippingMethod, site=backoffice)
class ShippingMethodAdmin(SellerVatRateMixin, TranslationAdmin):
    form = ShippingMethodForm
    list_display = [
        "name",
        "price_column",
        "free_over_column",
        "countries_column",
        "is_active",
        "position",
    ]
    list_editable = ["is_active", "position"]
    price_column = money_column("price", _("gross price"))
    free_over_column = money_column("free_over", _("free from order value"))

    @admin.display(description=_("delivery countries"))
    def countries_column(self, obj):
        return obj.country_names or _("all delivery countries")


@admin.register(PaymentMethod, site=backoffice)
class PaymentMethodAdmin(TranslationAdmin):
    list_display = ["name", "kind", "is_active", "limited_by_open_amount", "position"]
    list_editable = ["is_active", "limited_by_open_amount", "position"]


@admin.register(ShopSettings, site=backoffice)
class ShopSettingsAdmin(TranslationAdmin):  # the legal texts per language
    def has_add_permission(self, request):
        # The one row is never added by hand: ShopSettings.load() creates it on first use
        # (also when this list opens). No query on every backoffice page (the sidebar asks).
        return False

    def changelist_view(self, request, extra_context=None):
        ShopSettings.load()
        return super().changelist_view(request, extra_context)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboxEmail, site=backoffice)
class OutboxEmailAdmin(ReadOnlyWithActionsAdminMixin, admin.ModelAdmin):
    """The outbox: every e-mail the shop sent or still has to send (SPEC S13)."""

    list_display = [
        "subject_column",
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
    readonly_fields = [f.name for f in OutboxEmail._meta.fields] + [
        "subject_shown",
        "to_shown",
        "reply_to_shown",
        "text_shown",
        "html_shown",
        "attachments_shown",
    ]
    # The e-mail only without its secrets — links (password reset, confirmation, download and
    # guest links) and values (gift-card numbers, personal discount codes): shop.mail.
    # without_secrets — for every viewer: whoever may read the outbox must not be able to
    # open a customer's account or spend their money with it. "Send again" sends the e-mail
    # as it is stored.
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "status",
                    "to_shown",
                    "reply_to_shown",
                    "subject_shown",
                    "template",
                    "created",
                ]
            },
        ),
        (_("Delivery"), {"fields": ["attempts", "next_attempt_at", "sent_at", "last_error"]}),
        (
            _("Content"),
            {
                "fields": ["text_shown", "html_shown", "attachments_shown"],
                "description": _(
                    "Links and numbers that work as a password, key or money (password "
                    "reset, confirmations, downloads, guest links, gift card numbers, "
                    "personal discount codes) are hidden here; the e-mail is sent with them."
                ),
            },
        ),
    ]
    actions = ["send_again"]
    list_per_page = 50

    STATUS_COLORS = {"pending": "#b35c00", "sent": "#2e7d6b", "failed": "#b00020"}

    @admin.display(description=_("subject"), ordering="subject")
    def subject_column(self, obj):
        from . import mail

        return mail.without_secrets(obj.display_subject, obj.secret_values)

    @admin.display(description=_("subject"))
    def subject_shown(self, obj):
        return self.subject_column(obj)

    @admin.display(description=_("to"))
    def recipients(self, obj):
        return ", ".join(obj.to)

    @admin.display(description=_("to"))
    def to_shown(self, obj):
        return ", ".join(obj.to) or self.get_empty_value_display()

    @admin.display(description=_("reply to"))
    def reply_to_shown(self, obj):
        return ", ".join(obj.reply_to) or self.get_empty_value_display()

    @admin.display(description=_("attachments"))
    def attachments_shown(self, obj):
        """The files attached when it is sent (made then: their names, not the recipe)."""
        names = [item.get("filename", "") for item in obj.attachments or []]
        return ", ".join(name for name in names if name) or self.get_empty_value_display()

    @admin.display(description=_("text"))
    def text_shown(self, obj):
        from . import mail

        return mail.without_secrets(obj.body_text, obj.secret_values)

    @admin.display(description=_("HTML"))
    def html_shown(self, obj):
        from . import mail

        html = mail.without_secrets(obj.body_html, obj.secret_values)
        if not html:
            return self.get_empty_value_display()
        # As the recipient sees it, in a frame that runs nothing and reaches nothing of the
        # backoffice (an empty sandbox: no scripts, no forms, its own origin).
        return format_html(
            '<iframe sandbox="" srcdoc="{}" title="{}" class="outbox-html" '
            'style="width:100%;max-width:760px;height:480px;border:1px solid #ccc;'
            'background:#fff"></iframe>',
            html,
            obj.display_subject,
        )

    def has_change_permission(self, request, obj=None):
        # One e-mail's page changes nothing: it is shown read-only (no form, no Save) to
        # everyone; the list's "Send again" keeps the view/change rule of the mixin.
        if obj is not None:
            return False
        return super().has_change_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        """ "Next attempt" only while the e-mail still waits to be sent: a sent (or given up)
        e-mail keeps the time its last retry was planned for, which means nothing any more."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or obj.status == OutboxEmail.Status.PENDING:
            return fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "next_attempt_at"]})
            for name, options in fieldsets
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {"title": capfirst(OutboxEmail._meta.verbose_name), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_object(self, request, object_id, from_field=None):
        """An e-mail still to be written is shown as it will be sent (written, not saved)."""
        from . import mail

        obj = super().get_object(request, object_id, from_field)
        if obj is not None and obj.render_later:
            try:
                mail.written(obj, save=False)
            except Exception as exc:  # shown, not raised: the send will report it too
                obj.last_error = obj.last_error or f"{type(exc).__name__}: {exc}"
        return obj

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj):
        return format_html(
            '<strong style="color:{}">{}</strong>',
            self.STATUS_COLORS.get(obj.status, "inherit"),
            choice_label(OutboxEmail.Status, obj.status),
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


@functools.lru_cache(maxsize=16)
def _select_label(language):
    with translation.override(language):
        return str(_("Select this object for an action - {}"))


class LargeListAdminMixin:
    """For change lists over big tables: estimated totals and indexed name search.

    ``name_search_fields = ("first_name", "last_name")`` searches "first last", case and
    accents ignored, through the trigram index the owning app builds on exactly that
    expression folded (``shop.db.PersonName``, ``shop.db.FoldedContains``);
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
        label = _select_label(translation.get_language()).format(escape(str(obj)))
        return mark_safe(
            f'<input type="checkbox" name="{helpers.ACTION_CHECKBOX_NAME}" '
            f'value="{escape(obj.pk)}" class="action-select" aria-label="{label}">'
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
        # Case and accents ignored ("lukasz wrobel" finds "Łukasz Wróbel"), answered by the
        # trigram index on the folded name (shop.db.FoldedContains).
        name = PersonName(*self.name_search_fields)
        for term in terms:
            condition = Q(FoldedContains(name, term))
            if self.email_search_field:
                condition |= Q(**{f"{self.email_search_field}__icontains": term})
            for field in self.exact_search_fields:
                condition |= Q(**{field: term})
            queryset = queryset.filter(condition)
        return queryset, False


def register_attention_items():
    """The outbox and stock tiles of the start page (wired in ShopConfig.ready())."""
    backoffice.attention(
        _("Products low on stock"),
        "admin:shop_product_changelist",
        lambda: Product.objects.active().low_stock().count(),
        permission="shop.view_product",
        query="?stock_state=low&is_active__exact=1",
    )
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
    # Not a count but a checklist: the start page's first box while the shop is not ready to
    # take real orders (demo seller data, no terms …), for whoever can fix it.
    from . import dashboard, readiness

    dashboard.register(
        "shop.go_live",
        _("Before you go live"),
        "admin/shop/_go_live.html",
        readiness.start_page_box,
        permission="shop.change_shopsettings",
        order=0,
        wide=True,
        live=True,
    )


def job_kind_label(kind):
    """A kind of background job in the reader's language: the ``label`` its app gave the
    handler it registered (e.g. ``orders.services.bulk.JOBS``), else the key as stored."""
    from . import jobs

    return str(getattr(jobs.handler(kind), "label", "") or kind)


class JobKindFilter(admin.SimpleListFilter):
    """The kinds of job in the list by their names ("Print packing slips"), not their keys
    ("orders.print_packing_slips")."""

    title = _("kind of job")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        kinds = model_admin.get_queryset(request).order_by().values_list("kind", flat=True)
        labels = [(kind, job_kind_label(kind)) for kind in kinds.distinct()]
        return sorted(labels, key=lambda item: item[1].casefold())

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(BackgroundJob, site=backoffice)
class BackgroundJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Bulk runs of the backoffice (``shop.jobs``): progress page, result and file."""

    deletable = True
    list_display = ["title", "status", "progress_link", "created_by", "created", "finished"]
    list_filter = ["status", JobKindFilter]
    list_select_related = ["created_by"]
    fields = [
        "title",
        "kind_label",
        "status",
        "progress",
        "created_by",
        "created",
        "finished",
        "error",
    ]
    readonly_fields = fields

    @admin.display(description=_("kind of job"))
    def kind_label(self, obj):
        return job_kind_label(obj.kind)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(created_by=request.user)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        from . import jobs

        if obj is not None:
            return jobs.may_follow(request.user, obj)
        return request.user.is_active and request.user.is_staff

    @admin.display(description=_("progress"))
    def progress_link(self, obj):
        from . import jobs

        return format_html('<a href="{}">{} %</a>', obj.get_absolute_url(), jobs.progress_of(obj))

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/progress/", wrap(self.progress_view), name="shop_backgroundjob_progress"
            ),
            path("<int:pk>/status.json", wrap(self.status_view), name="shop_backgroundjob_status"),
            path("<int:pk>/file/", wrap(self.file_view), name="shop_backgroundjob_file"),
            *super().get_urls(),
        ]

    def _job(self, request, pk):
        from . import jobs

        job = get_object_or_404(BackgroundJob, pk=pk)
        if not jobs.may_follow(request.user, job):
            raise PermissionDenied
        return job

    def status_view(self, request, pk):
        from . import jobs

        return JsonResponse(jobs.status_data(self._job(request, pk)))

    def progress_view(self, request, pk):
        from . import jobs

        job = self._job(request, pk)
        return TemplateResponse(
            request,
            "admin/shop/backgroundjob/progress.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": job.title,
                "job": job,
                "state": jobs.status_data(job),
            },
        )

    def file_view(self, request, pk):
        job = self._job(request, pk)
        if not job.file:
            raise Http404
        content_type = mimetypes.guess_type(job.filename)[0] or "application/octet-stream"
        return FileResponse(
            job.file.open("rb"),
            as_attachment=True,
            filename=job.filename,
            content_type=content_type,
        )


def _local_day(moment):
    """A retention cutoff as the reader writes a day ("1. januar 2016"), "—" for none."""
    if moment is None:
        return "—"
    return formats.date_format(timezone.localtime(moment).date(), "DATE_FORMAT")


@admin.register(RetentionPolicy, site=backoffice)
class RetentionPolicyAdmin(admin.ModelAdmin):
    """The one retention policy: its page opens directly, with the periods in effect."""

    fieldsets = [
        (None, {"fields": ["country"]}),
        (
            _("Periods (empty: the legal default)"),
            {
                "fields": [
                    "invoice_years",
                    "order_years",
                    "guest_years",
                    "thread_years",
                    "review_years",
                ]
            },
        ),
        (_("In effect today"), {"fields": ["in_effect"]}),
    ]
    readonly_fields = ["in_effect"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        policy = RetentionPolicy.load()
        return redirect(f"admin:{policy._meta.app_label}_retentionpolicy_change", policy.pk)

    @admin.display(description=_("periods"))
    def in_effect(self, obj):
        from . import retention

        rows = []
        for key, category in retention.CATEGORIES.items():
            limit = retention.cutoff(key, policy=obj)
            rows.append(
                (
                    category.label,
                    retention.period(key, obj),
                    category.law,
                    _local_day(limit),
                    ", ".join(str(r.name) for r in retention.rules() if r.category == key) or "—",
                )
            )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>"
            "</thead><tbody>{}</tbody></table>",
            _("category"),
            _("period"),
            _("law"),
            _("records dated before"),
            _("rules"),
            format_html_join(
                "", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows
            ),
        )


@admin.register(RetentionRun, site=backoffice)
class RetentionRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every application of the retention policy, with what each rule did."""

    list_display = ["started", "trigger", "ok", "total_rows", "summary"]
    list_filter = [
        ("ok", flag_filter(_("result"), _("Without errors"), _("With errors"))),
        ("trigger", titled_filter(_("trigger"))),
    ]
    date_hierarchy = "started"
    fields = ["started", "finished", "trigger", "ok", "result_table"]
    readonly_fields = fields

    @admin.display(description=_("rows"))
    def total_rows(self, obj):
        return obj.total

    @admin.display(description=_("rules"))
    def summary(self, obj):
        from . import retention

        return (
            "; ".join(
                f"{retention.rule_name(r['rule'])}: {r['count']}" + (" ⚠" if r.get("error") else "")
                for r in obj.results
                if r.get("count") or r.get("error")
            )
            or "—"
        )

    @admin.display(description=_("results"))
    def result_table(self, obj):
        from . import retention

        rows = [
            (
                retention.CATEGORIES[r["category"]].label
                if r["category"] in retention.CATEGORIES
                else r["category"],
                retention.rule_name(r["rule"]),
                r.get("period", ""),
                _local_day(datetime.fromisoformat(r["cutoff"]) if r.get("cutoff") else None),
                r["count"],
                retention.ACTIONS.get(r["action"], r["action"]),
                r.get("error") or "",
            )
            for r in obj.results
        ]
        return format_html(
            "<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>",
            format_html_join(
                "",
                "<th>{}</th>",
                (
                    (h,)
                    for h in (
                        _("category"),
                        _("rule"),
                        _("period"),
                        _("records dated before"),
                        _("rows"),
                        _("action"),
                        _("error"),
                    )
                ),
            ),
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
                '<td style="color:#b00020">{}</td></tr>',
                rows,
            ),
        )


class StockNoticeStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("waiting", _("Waiting for the stock")),
            ("unconfirmed", _("Not confirmed")),
            ("sent", _("Sent")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.waiting()
        if self.value() == "unconfirmed":
            return queryset.filter(confirmed_at__isnull=True)
        if self.value() == "sent":
            return queryset.filter(sent_at__isnull=False)
        return queryset


@admin.register(StockNotice, site=backoffice)
class StockNoticeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Who waits for which sold-out product ("E-mail me when it is back in stock",
    shop.stock_notices). Read-only: the storefront's form and the e-mailed links write the
    rows, beat sends them."""

    list_display = ["product", "email_column", "state", "language_column", "created", "sent_at"]
    list_filter = [StockNoticeStateFilter, ("product", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["product"]
    search_fields = ["email", "product__sku"]
    date_hierarchy = "created"
    fields = ["product", "email", "language", "state", "created", "confirmed_at", "sent_at"]
    readonly_fields = fields

    STATES = {
        "waiting": _("Waiting for the stock"),
        "unconfirmed": _("Not confirmed"),
        "sent": _("Sent"),
    }

    @admin.display(description=_("e-mail"), ordering="email")
    def email_column(self, obj):
        return email_cell(obj.email)

    @admin.display(description=_("state"))
    def state(self, obj):
        return self.STATES[obj.status]

    @admin.display(description=_("language"), ordering="language")
    def language_column(self, obj):
        # The language's name in the reader's language, as the e-mail will be written.
        return str(dict(settings.LANGUAGES).get(obj.language, obj.language))
