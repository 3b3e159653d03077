"""Figures and charts on the backoffice start page, contributed by the apps.

``shop`` cannot import the apps that own the numbers (orders, gift cards, vouchers …), so each
app registers its widgets in its ``panels.register()``, like the "needs attention" tiles::

    from shop import dashboard
    dashboard.register(
        "orders.revenue", _("Revenue"), "admin/orders/dashboard/revenue.html",
        revenue_figures, permission="orders.view_sales_figures", order=10,
    )

``data()`` returns a plain, picklable dict (numbers, strings, dates, chart geometry from
``shop.charts``, URLs of the filtered lists behind each figure); the template renders it.
The start page shows a user only the widgets their permissions allow, and computes them at
most once a minute: the result is cached per set of visible widgets (so per role) and
language, and every widget runs a fixed number of queries, whatever the data volume.

A ``live=True`` widget is a checklist rather than a figure (the "Before you go live" box):
computed on every view, so what the operator just fixed is gone when they come back, and
left out while its ``data()`` returns None (nothing to show).
"""

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify

CACHE_SECONDS = 60
CACHE_VERSION = 1


@dataclass
class Widget:
    key: str
    title: str
    template: str
    data: callable
    permission: str | None = None
    order: int = 100
    wide: bool = False  # spans the full width of the start page (time-series charts)
    live: bool = False  # computed on every view, hidden while data() is None (see above)


_widgets = []


def register(key, title, template, data, permission=None, order=100, wide=False, live=False):
    """Add a widget (idempotent: ``ready()`` may run twice in some test set-ups)."""
    if any(w.key == key for w in _widgets):
        return
    _widgets.append(Widget(key, title, template, data, permission, order, wide, live))
    _widgets.sort(key=lambda w: (w.order, w.key))


def widgets():
    return list(_widgets)


def visible(user):
    return [w for w in _widgets if not w.permission or user.has_perm(w.permission)]


def cache_key(shown, language):
    keys = ",".join(w.key for w in shown)
    digest = hashlib.sha1(keys.encode()).hexdigest()[:16]
    return f"dashboard:v{CACHE_VERSION}:{language}:{digest}"


def compute(shown):
    return {w.key: w.data() for w in shown}


def render(widget, data):
    """A widget's HTML (its charts are hundreds of SVG elements: rendered once a minute,
    not on every view of the start page)."""
    return render_to_string(
        widget.template, {"data": data, "chart_id": slugify(widget.key), "widget": widget}
    )


def for_user(user):
    """[{"widget", "data", "html"}] for the start page and the time they were computed."""
    shown = visible(user)
    figures = [w for w in shown if not w.live]
    cached = {"at": None, "data": {}, "html": {}}
    if figures:
        key = cache_key(figures, translation.get_language() or "en")
        cached = cache.get(key)
        if cached is None:
            data = compute(figures)
            cached = {
                "at": timezone.now(),
                "data": data,
                "html": {w.key: render(w, data[w.key]) for w in figures},
            }
            cache.set(key, cached, CACHE_SECONDS)
    result = []
    for w in shown:
        if w.live:
            data = w.data()
            if data is not None:
                result.append({"widget": w, "data": data, "html": render(w, data)})
        else:
            result.append(
                {"widget": w, "data": cached["data"][w.key], "html": cached["html"][w.key]}
            )
    return result, cached["at"] or (timezone.now() if result else None)
