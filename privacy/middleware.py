"""Automatic access logging of backoffice pages (SPEC S11): ONE insert per logged request.

Every backoffice response is inspected after the view has run (and the template has been
rendered, so list rows are already fetched — reading them costs no query):

* a change list (context ``cl``): the rows of ``cl.result_list`` — exactly the shown page —
  as ``list``, or ``search`` when a search term or filter is active;
* a page whose context holds rows of personal models (``original``/``object``, evaluated
  querysets, lists, pages): ``detail`` (a single object) or ``list``;
* a PDF: ``print``; a CSV / JSON / attachment download: ``export`` — subjects from the
  selected rows of an admin action, the object in the URL, or what the view recorded;
* any other successful page under a personal model's admin URLs: logged with the object of
  the URL (``object_id``/``pk`` kwargs) or, failing that, without subjects.

Views may add to (or take over) the entry with ``privacy.services.record(request, …)``.
Staff-facing views outside the backoffice (the new-orders feed, read with a token instead
of a login) mark what they showed with ``shop.personal_data.shown(request, rows, viewer=…)``;
that is written as the entry of the request.
"""

import json
from functools import cache

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.paginator import Page
from django.db.models import Model, QuerySet
from django.urls import NoReverseMatch, reverse

from shop.clientip import client_ip

from .registry import is_personal, subjects_for, subjects_for_rows
from .services import Action, Collector, write_entry

ADMIN_NAMESPACE = "admin"
NOT_SEARCH_PARAMS = {"p", "page", "o", "ot", "e", "_changelist_filters", "_to_field", "_popup"}
OBJECT_KWARGS = ("object_id", "pk", "id")


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
                    action=shown.action,
                    subjects=subjects_for_rows(shown.rows),
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
            collector.add(download, self.download_subjects(request, match, model))
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
            collector.add(
                Action.SEARCH if searching else Action.LIST, subjects_for_rows(cl.result_list)
            )
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
        if model is None or not is_personal(model):
            return []
        selected = request.POST.getlist("_selected_action") if request.method == "POST" else []
        if selected:
            rows = model._default_manager.filter(pk__in=selected[:5000])
            return subjects_for_rows(rows)
        obj = _url_object(match, model)
        return subjects_for(obj) if obj is not None else []

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


def _personal_rows(values):
    return [v for v in values if isinstance(v, Model) and is_personal(type(v))]


def _list_action(request):
    return Action.SEARCH if set(request.GET) - NOT_SEARCH_PARAMS else Action.LIST


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
