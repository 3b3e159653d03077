"""Automatic access logging of backoffice pages (SPEC S11): ONE insert per logged request.

Every backoffice response is inspected after the view has run (and the template has been
rendered, so list rows are already fetched — reading them costs no query):

* a change list (context ``cl``): the rows of ``cl.result_list`` — exactly the shown page —
  as ``list``, or ``search`` when a search term or filter is active;
* a page whose context holds rows of personal models (``original``/``object``, evaluated
  querysets, lists, pages): ``detail`` (a single object) or ``list``;
* a PDF: ``print``; a CSV / JSON / attachment download: ``export`` — subjects from the
  rows an admin action ran on (the ticked rows, or with "Select all N" every row of the
  changelist with the request's filters and search, as Django hands them to the action),
  the object in the URL, or what the view recorded;
* any other successful page under a personal model's admin URLs: logged with the object of
  the URL (``object_id``/``pk`` kwargs) or, failing that, without subjects.

Privacy's own views add to (or take over) the entry with ``privacy.services.record(request,
…)``. The apps below privacy, which never import it, say what a response showed with
``shop.personal_data.shown(request, rows, viewer=…)``: a staff-facing view outside the
backoffice (the new-orders feed, read with a token instead of a login), or a backoffice
download whose file names people the URL does not (a campaign's codes with the e-mail
addresses of their customers). ``rows`` are rows of personal models or references made
with ``shop.personal_data.customer_ref`` & co.; that is written as the entry of the request.
"""

import json
from functools import cache

from django import forms
from django.apps import apps
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.sites import all_sites
from django.core.exceptions import ValidationError
from django.core.paginator import Page
from django.db.models import Model, QuerySet
from django.urls import NoReverseMatch, reverse

from shop.clientip import client_ip

from .registry import (
    is_personal,
    references,
    subjects_for,
    subjects_for_queryset,
    subjects_for_rows,
)
from .services import Action, Collector, write_entry

ADMIN_NAMESPACE = "admin"
NOT_SEARCH_PARAMS = {"p", "page", "o", "ot", "e", "_changelist_filters", "_to_field", "_popup"}
OBJECT_KWARGS = ("object_id", "pk", "id")
# The note of an export of "Select all N" rows whose list could not be rebuilt (privacy.notes).
SELECT_ACROSS_UNKNOWN = "all rows of the list selected, only the ticked ones known"


class AccessLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request._access_log = Collector()
        response = self.get_response(request)
        shown = getattr(request, "personal_data_shown", None)
        if shown is not None:  # a staff-facing view outside the backoffice (a feed …)
            if response.status_code == 200:
                write_entry(
                    user=shown.viewer,
                    action=_download_action(response) or shown.action,
                    subjects=references(shown.rows),
                    path=shown.path or request.get_full_path(),
                    ip=client_ip(request),
                    note=shown.note,
                )
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            entry = self.entry_for(request, response)
            if entry:
                write_entry(
                    user=user,
                    action=entry.action,
                    subjects=entry.subjects,
                    path=request.get_full_path(),
                    ip=client_ip(request),
                    note=entry.note,
                )
        return response

    # --- deciding what was shown -------------------------------------------------------------

    def entry_for(self, request, response):
        collector = request._access_log
        match = getattr(request, "resolver_match", None)
        in_backoffice = match is not None and ADMIN_NAMESPACE in match.namespaces
        if collector.explicit:
            if in_backoffice and response.status_code == 200:
                download = _download_action(response)
                if download:
                    collector.add(download, [])
            return collector
        if not in_backoffice or not request.user.is_staff or response.status_code != 200:
            return None
        model = self.model_of(match)
        download = _download_action(response)
        if download:
            subjects, note = self.download_subjects(request, match, model)
            collector.add(download, subjects, note=note)
            return collector
        context = getattr(response, "context_data", None)
        if isinstance(context, dict) and self.from_context(request, context, collector):
            return collector
        if model is not None and is_personal(model):
            obj = _url_object(match, model)
            if obj is not None:
                collector.add(Action.DETAIL, subjects_for(obj))
            else:
                collector.add(_list_action(request), [], note="rows not known to the log")
            return collector
        if match.url_name == "autocomplete" and context is None:
            return self.autocomplete(request, response, collector)
        return None

    def from_context(self, request, context, collector):
        cl = context.get("cl")
        if cl is not None and hasattr(cl, "result_list"):
            if not is_personal(cl.model):
                return False
            searching = bool(getattr(cl, "query", "")) or getattr(cl, "has_active_filters", False)
            collector.add(Action.SEARCH if searching else Action.LIST, _list_subjects(cl))
            return True
        main = context.get("original") or context.get("object")
        singles, rows = [], []
        if isinstance(main, Model) and is_personal(type(main)):
            singles.append(main)
        for key, value in context.items():
            if key in ("original", "object"):
                continue
            if isinstance(value, Model):
                if is_personal(type(value)):
                    singles.append(value)
            elif isinstance(value, Page):
                rows.extend(_personal_rows(list(value.object_list)))
            elif isinstance(value, QuerySet):
                if value._result_cache is not None and is_personal(value.model):
                    rows.extend(value._result_cache)
            elif isinstance(value, list | tuple) and value and isinstance(value[0], Model):
                rows.extend(_personal_rows(value))
        if not singles and not rows:
            return False
        action = Action.DETAIL if singles else _list_action(request)
        collector.add(action, subjects_for_rows(singles + rows))
        return True

    def download_subjects(self, request, match, model):
        """(references, note) of a file: the rows of the admin action that wrote it, else
        the object of the URL."""
        if model is None or not is_personal(model):
            return [], ""
        if request.method == "POST" and request.POST.getlist(ACTION_CHECKBOX_NAME):
            rows, note = action_rows(request, match, model)
            return subjects_for_queryset(rows), note
        obj = _url_object(match, model)
        return (subjects_for(obj) if obj is not None else []), ""

    def autocomplete(self, request, response, collector):
        """The admin's autocomplete JSON shows names of the remote model's rows."""
        try:
            source = apps.get_model(request.GET["app_label"], request.GET["model_name"])
            remote = source._meta.get_field(request.GET["field_name"]).remote_field.model
        except (KeyError, LookupError, AttributeError):
            return None
        if not is_personal(remote):
            return None
        ids = [row["id"] for row in json.loads(response.content).get("results", [])]
        rows = remote._default_manager.filter(pk__in=ids)
        collector.add(Action.SEARCH, subjects_for_rows(rows))
        return collector

    def model_of(self, match):
        return admin_model(match)


@cache
def _admin_root():
    try:
        return reverse(f"{ADMIN_NAMESPACE}:index").lstrip("/")
    except NoReverseMatch:
        return ""


def admin_model(match):
    """The model whose admin URLs served a request ("<app>/<model>/..." routes), or None."""
    route, root = match.route or "", _admin_root()
    if not route.startswith(root):
        return None
    parts = route[len(root) :].split("/")
    if len(parts) < 3:
        return None
    try:
        return apps.get_model(parts[0], parts[1])
    except (LookupError, ValueError):
        return None


def action_rows(request, match, model):
    """(queryset, note): the rows an admin action ran on, as ``ModelAdmin.changelist_view``
    hands them to it — the changelist's queryset with the request's filters and search,
    narrowed to the ticked rows unless "Select all N" (``select_across``) was chosen.

    Read after the action: a download does not change which rows the list's filters match.
    """
    selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
    select_across = forms.BooleanField(required=False).to_python(request.POST.get("select_across"))
    model_admin = _model_admin(match, model)
    opts = model._meta
    queryset = None
    if (
        model_admin is not None
        and match.url_name == f"{opts.app_label}_{opts.model_name}_changelist"
    ):
        try:
            queryset = model_admin.get_changelist_instance(request).get_queryset(request)
        except IncorrectLookupParameters:  # Django redirects then, running no action
            queryset = None
    if queryset is None:
        if select_across:  # never expected: log what is known and say what is not
            rows = model._default_manager.filter(pk__in=selected)
            return rows, SELECT_ACROSS_UNKNOWN
        queryset = model._default_manager.all()
    if not select_across:
        queryset = queryset.filter(pk__in=selected)
    return queryset, ""


def _model_admin(match, model):
    """The ModelAdmin whose changelist served the request (``ModelAdmin.get_urls`` marks
    its views with it; else the one registered for ``model`` on the admin site)."""
    model_admin = getattr(match.func, "model_admin", None)
    if model_admin is not None:
        return model_admin
    for site in all_sites:
        if site.name in match.namespaces and model in site._registry:
            return site._registry[model]
    return None


def _personal_rows(values):
    return [v for v in values if isinstance(v, Model) and is_personal(type(v))]


def _list_action(request):
    return Action.SEARCH if set(request.GET) - NOT_SEARCH_PARAMS else Action.LIST


def _list_subjects(cl):
    """The subjects of a change list's rows, worked out once per change list: a kept list
    (``shop.keptlists``) hands the same rows to every view of its page."""
    subjects = getattr(cl, "_access_log_subjects", None)
    if subjects is None:
        subjects = subjects_for_rows(cl.result_list)
        cl._access_log_subjects = subjects
    return subjects


def _download_action(response):
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type == "application/pdf":
        return Action.PRINT
    if content_type in ("text/csv", "application/vnd.ms-excel") or "attachment" in response.get(
        "Content-Disposition", ""
    ):
        return Action.EXPORT
    return None


def _url_object(match, model):
    for name in OBJECT_KWARGS + (f"{model._meta.model_name}_id",):
        value = match.kwargs.get(name)
        if value in (None, ""):
            continue
        try:
            return model._default_manager.filter(pk=value).first()
        except (ValueError, TypeError, ValidationError):
            return None
    return None
