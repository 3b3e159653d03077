"""Backoffice template tags.

``{% range_date_hierarchy cl %}`` is the admin's date drill-down (``date_hierarchy``) for
large tables. Django lists the years, months or days that have rows with a ``SELECT
DISTINCT`` over every row of the list — a full scan of a million orders on each page view.
This one asks only for the first and last date (two index lookups) and offers every year,
month or day between them; a period without rows simply shows an empty list.
"""

import datetime
import functools
import re
from collections import OrderedDict
from urllib.parse import quote

from django import template
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.contrib.admin.utils import get_fields_from_path
from django.db import models
from django.utils import formats, translation
from django.utils.safestring import mark_safe
from django.utils.text import capfirst

from shop.admin_titles import accusative, stock_title
from shop.datehierarchy import drilldown
from shop.fields import date_format_hint, typed_date_value
from shop.formtokens import hidden_token
from shop.locales import date_in_words

register = template.Library()


@register.tag(name="fast_result_list")
def fast_result_list_tag(parser, token):
    """``{% result_list cl %}`` with the rows written by ``shop.admin_rows`` (the same HTML,
    worked out once per column instead of once per cell)."""
    from shop import admin_rows

    return InclusionAdminNode(
        parser,
        token,
        func=admin_rows.result_list,
        template_name="change_list_results.html",
        takes_context=False,
    )


def range_date_hierarchy(cl):
    field_name = cl.date_hierarchy
    field = get_fields_from_path(cl.model, field_name)[-1]
    return drilldown(
        cl.queryset,
        field_name,
        isinstance(field, models.DateTimeField),
        cl.params,
        lambda filters: cl.get_query_string(filters, [f"{field_name}__"]),
    )


@register.tag(name="range_date_hierarchy")
def range_date_hierarchy_tag(parser, token):
    return InclusionAdminNode(
        parser,
        token,
        func=range_date_hierarchy,
        template_name="date_hierarchy.html",
        takes_context=False,
    )


@register.filter
def month_in_words(title):
    """``{{ choice.title|month_in_words }}``: a title of a date drill-down (``admin/
    date_hierarchy.html``) with its month written as the reader's language writes it, as
    ``{% range_date_hierarchy %}`` does (``shop.datehierarchy``). Django's own
    ``{% date_hierarchy %}`` — the lists without the range one — writes a month
    ``capfirst(date_format(month, "YEAR_MONTH_FORMAT"))``: Polish "Marzec 2026", Danish
    "Marts 2026", where those languages write "marzec 2026", "marts 2026". A year,
    "All dates" and a day ("2 marca", "2. december") are shown as they are."""
    year = re.search(r"\d{4}", str(title))
    if not year:
        return title
    return _stock_month_titles(translation.get_language(), int(year[0])).get(str(title), title)


@functools.lru_cache(maxsize=64)
def _stock_month_titles(language, year):
    # {Django's title of a month of ``year``: the same month in words}, once per process,
    # language and year (``language``: the active one, which date_format uses too).
    months = [datetime.date(year, month, 1) for month in range(1, 13)]
    return {
        capfirst(formats.date_format(month, "YEAR_MONTH_FORMAT")): date_in_words(month, "yMMMM")
        for month in months
    }


@register.filter
def breakable_email(email):
    """``{{ address|breakable_email }}``: an e-mail address that wraps after its "@" in a
    narrow column (``shop.admin.email_cell``)."""
    from shop.admin import email_cell  # the admin module registers models: not at load time

    return email_cell(email)


@register.simple_tag(takes_context=True)
def page_title(context):
    """The page's title; Django's stock titles ("Select %s to change", "Add %s" …) with the
    model's name in the accusative (``shop.admin_titles``)."""
    return stock_title(context.get("title", ""), context.get("opts"))


@register.simple_tag
def accusative_name(opts):
    """``opts.verbose_name`` in the accusative, for "Add {{ name }}" in the breadcrumbs."""
    return accusative(opts)


# The rendered navigation sidebar, by everything it shows (see nav_sidebar below).
_sidebars = OrderedDict()
SIDEBARS_KEPT = 256


@register.simple_tag(takes_context=True)
def nav_sidebar(context):
    """Django's ``admin/nav_sidebar.html``, rendered once per process for each different
    sidebar: the apps and models the staff member may see (names, links, "Add" links), which
    of them the page belongs to, and the language. Those are all the template reads, so a
    kept copy is never another staff member's or an outdated one — rights changed a moment
    ago give a different list and a new copy. Rendering its 38 models was a tenth of every
    backoffice page."""
    request = context.get("request")
    apps = context.get("available_apps") or []
    path = quote(request.path if request is not None else "", safe="/")
    key = (
        translation.get_language(),
        tuple(
            (
                app["app_label"],
                app["app_url"],
                str(app["name"]),
                app["app_url"] in path,
                tuple(
                    (
                        model["object_name"],
                        str(model["name"]),
                        model.get("admin_url"),
                        model.get("add_url"),
                        model.get("view_only"),
                        bool(model.get("admin_url")) and model["admin_url"] in path,
                    )
                    for model in app["models"]
                ),
            )
            for app in apps
        ),
    )
    html = _sidebars.get(key)
    if html is None:
        html = context.template.engine.get_template("admin/nav_sidebar.html").render(context)
        _sidebars[key] = html
        while len(_sidebars) > SIDEBARS_KEPT:
            _sidebars.popitem(last=False)
    return mark_safe(html)


@register.inclusion_tag("admin/_date_input.html")
def date_input(name, value="", input_id="", style=""):
    """A page's own date input (a list filter, a one-field form) as :class:`shop.fields.
    LocalDateField` draws one: text in the reader's date format with the format beside it —
    not ``type="date"``, which the browser writes in its own locale (mm/dd/yyyy in an English
    Chromium for a German operator). Read it with ``shop.fields.parse_typed_date``."""
    return {
        "name": name,
        "id": input_id or f"id_{name}",
        "value": typed_date_value(value),
        "hint": date_format_hint(),
        "style": style,
    }


@register.simple_tag
def one_time_token():
    """A one-time token for the form it stands in (``shop.formtokens.once``): a "Send by
    e-mail" button sent twice sends once."""
    return hidden_token()
