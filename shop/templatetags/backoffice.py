"""Backoffice template tags.

``{% range_date_hierarchy cl %}`` is the admin's date drill-down (``date_hierarchy``) for
large tables. Django lists the years, months or days that have rows with a ``SELECT
DISTINCT`` over every row of the list — a full scan of a million orders on each page view.
This one asks only for the first and last date (two index lookups) and offers every year,
month or day between them; a period without rows simply shows an empty list.
"""

from django import template
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.contrib.admin.utils import get_fields_from_path
from django.db import models

from shop.admin_titles import accusative, stock_title
from shop.datehierarchy import drilldown

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
