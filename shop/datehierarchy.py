"""The admin's date drill-down (year → month → day) for large tables.

Django lists the years, months or days that have rows with a ``SELECT DISTINCT`` over every
row of the list — a full scan of a million orders on each page view. :func:`drilldown` asks
only for the first and last date (two index lookups) and offers every year, month or day
between them; a period without rows simply shows an empty list. It returns the context of
the admin's ``date_hierarchy.html`` template; used by ``{% range_date_hierarchy cl %}`` and
by custom lists (the helpdesk's threads) through :func:`filter_by`.
"""

import datetime

from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .forms import INTEGER_MAX, parse_id
from .locales import date_in_words


def _month(day):
    """The month as the reader's language writes it — "listopad 2026", "november 2026" (CLDR;
    Django's "F Y" gives Polish "Listopad", and capfirst() made Danish "november" "November")."""
    return date_in_words(day, "yMMMM")


def _int(value):
    # ASCII digits only: int() read "2_026" as 2026 and "٢٠٢٦" too.
    return parse_id(value, INTEGER_MAX)


def _bounds(queryset, field_name, is_datetime):
    bounds = queryset.aggregate(first=models.Min(field_name), last=models.Max(field_name))
    first, last = bounds["first"], bounds["last"]
    if first is None or last is None:
        return None, None
    if is_datetime:
        first, last = timezone.localtime(first).date(), timezone.localtime(last).date()
    return first, last


def selected(params, field_name):
    """(year, month, day) chosen in ``params`` (None where not chosen or invalid)."""
    return tuple(_int(params.get(f"{field_name}__{part}")) for part in ("year", "month", "day"))


def filter_by(queryset, field_name, params):
    """``queryset`` limited to the chosen year / month / day, as an index-friendly range."""
    year, month, day = selected(params, field_name)
    if not year:
        return queryset
    try:
        if day and month:
            start = datetime.date(year, month, day)
            end = start + datetime.timedelta(days=1)
        elif month:
            start = datetime.date(year, month, 1)
            end = (start + datetime.timedelta(days=32)).replace(day=1)
        else:
            start, end = datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
    except (ValueError, OverflowError):  # 31 February; the end of the year 9999
        return queryset.none()
    tz = timezone.get_current_timezone()
    return queryset.filter(
        **{
            f"{field_name}__gte": datetime.datetime.combine(start, datetime.time.min, tzinfo=tz),
            f"{field_name}__lt": datetime.datetime.combine(end, datetime.time.min, tzinfo=tz),
        }
    )


def drilldown(queryset, field_name, is_datetime, params, link):
    """Context for ``admin/date_hierarchy.html``; ``queryset`` is already limited to the
    chosen period, ``link(filters)`` builds the URL of a choice."""
    year_field, month_field, day_field = (f"{field_name}__{p}" for p in ("year", "month", "day"))
    year, month, day = selected(params, field_name)
    first, last = _bounds(queryset, field_name, is_datetime)
    if not (year or month or day) and first:
        if first.year == last.year:
            year = first.year
            if first.month == last.month:
                month = first.month
    if year and month and day:
        try:
            chosen = datetime.date(year, month, day)
        except ValueError:
            return {"show": False}
        return {
            "show": True,
            "back": {
                "link": link({year_field: year, month_field: month}),
                "title": _month(chosen),
            },
            "choices": [{"title": formats.date_format(chosen, "MONTH_DAY_FORMAT")}],
        }
    if first is None:
        back = {"link": link({}), "title": _("All dates")} if year else None
        return {"show": bool(year), "back": back, "choices": []}
    if year and month:
        days = []
        current = first
        while current <= last and current.month == month:
            days.append(current)
            current += datetime.timedelta(days=1)
        return {
            "show": True,
            "back": {"link": link({year_field: year}), "title": str(year)},
            "choices": [
                {
                    "link": link({year_field: year, month_field: month, day_field: d.day}),
                    "title": formats.date_format(d, "MONTH_DAY_FORMAT"),
                }
                for d in days
            ],
        }
    if year:
        months = [
            datetime.date(year, m, 1)
            for m in range(1, 13)
            if (first.year, first.month) <= (year, m) <= (last.year, last.month)
        ]
        return {
            "show": True,
            "back": {"link": link({}), "title": _("All dates")},
            "choices": [
                {
                    "link": link({year_field: year, month_field: m.month}),
                    "title": _month(m),
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
