"""Backoffice template tags.

``{% range_date_hierarchy cl %}`` is the admin's date drill-down (``date_hierarchy``) for
large tables. Django lists the years, months or days that have rows with a ``SELECT
DISTINCT`` over every row of the list — a full scan of a million orders on each page view.
This one asks only for the first and last date (two index lookups) and offers every year,
month or day between them; a period without rows simply shows an empty list.
"""

import datetime

from django import template
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.contrib.admin.utils import get_fields_from_path
from django.db import models
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

register = template.Library()


def _bounds(cl, field_name, is_datetime):
    bounds = cl.queryset.aggregate(first=models.Min(field_name), last=models.Max(field_name))
    first, last = bounds["first"], bounds["last"]
    if first is None or last is None:
        return None, None
    if is_datetime:
        first, last = timezone.localtime(first).date(), timezone.localtime(last).date()
    return first, last


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def range_date_hierarchy(cl):
    field_name = cl.date_hierarchy
    field = get_fields_from_path(cl.model, field_name)[-1]
    is_datetime = isinstance(field, models.DateTimeField)
    year_field, month_field, day_field = (f"{field_name}__{p}" for p in ("year", "month", "day"))
    year = _int(cl.params.get(year_field))
    month = _int(cl.params.get(month_field))
    day = _int(cl.params.get(day_field))

    def link(filters):
        return cl.get_query_string(filters, [f"{field_name}__"])

    first, last = _bounds(cl, field_name, is_datetime)
    if not (year or month or day) and first:
        if first.year == last.year:
            year = first.year
            if first.month == last.month:
                month = first.month
    if year and month and day:
        chosen = datetime.date(year, month, day)
        return {
            "show": True,
            "back": {
                "link": link({year_field: year, month_field: month}),
                "title": capfirst(formats.date_format(chosen, "YEAR_MONTH_FORMAT")),
            },
            "choices": [{"title": capfirst(formats.date_format(chosen, "MONTH_DAY_FORMAT"))}],
        }
    if first is None:
        return {
            "show": bool(year),
            "back": {"link": link({}), "title": _("All dates")},
            "choices": [],
        }
    if year and month:
        start = max(first, datetime.date(year, month, 1))
        days = []
        current = start
        while current <= last and current.month == month:
            days.append(current)
            current += datetime.timedelta(days=1)
        return {
            "show": True,
            "back": {"link": link({year_field: year}), "title": str(year)},
            "choices": [
                {
                    "link": link({year_field: year, month_field: month, day_field: d.day}),
                    "title": capfirst(formats.date_format(d, "MONTH_DAY_FORMAT")),
                }
                for d in days
            ],
        }
    if year:
        months = [
            datetime.date(year, m, 1)
            for m in range(1, 13)
            if (year, m) >= (first.year, first.month) and (year, m) <= (last.year, last.month)
        ]
        return {
            "show": True,
            "back": {"link": link({}), "title": _("All dates")},
            "choices": [
                {
                    "link": link({year_field: year, month_field: m.month}),
                    "title": capfirst(formats.date_format(m, "YEAR_MONTH_FORMAT")),
                }
                for m in months
            ],
        }
    return {
        "show": True,
        "back": None,
        "choices": [
            {"link": link({year_field: str(y)}), "title": str(y)}
            for y in range(first.year, last.year + 1)
        ],
    }


@register.tag(name="range_date_hierarchy")
def range_date_hierarchy_tag(parser, token):
    return InclusionAdminNode(
        parser,
        token,
        func=range_date_hierarchy,
        template_name="date_hierarchy.html",
        takes_context=False,
    )
