"""Server-rendered SVG charts for the backoffice (start page, campaign statistics).

No JavaScript and no external resources: a function here turns numbers into the geometry of
a chart (a plain dict, cacheable), and a template under ``templates/admin/charts/`` draws it
as inline SVG with ``role="img"``, a ``<title>`` and ``<desc>``, and the same numbers as a
table for screen readers and for copying. A chart whose bars are links (``linked``) is a
``role="group"`` instead: the children of an image are hidden from screen readers, and its
links would be keyboard stops without a name; each link is named by its bar. Colours come from the admin's CSS variables, so
the charts follow the light and dark theme.

    chart = charts.line_chart(
        labels=["1 Mar", …], series=[charts.Series(_("Revenue"), values)], title=_("Revenue")
    )
    {% include "admin/charts/line.html" with chart=chart %}
"""

import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import number_format

WIDTH = 640
HEIGHT = 220
MARGIN_LEFT = 56
MARGIN_RIGHT = 12
MARGIN_TOP = 12
MARGIN_BOTTOM = 28


@dataclass
class Series:
    name: str
    values: list
    style: str = "s1"  # CSS class: s1 (primary), s2 (comparison), s3 …
    dashed: bool = False
    urls: list = field(default_factory=list)  # optional link per value (bars)


def nice_step(maximum, ticks=4):
    """A round step (1, 2, 2.5 or 5 × 10ⁿ) so that ``ticks`` steps cover ``maximum``."""
    if maximum <= 0:
        return 1
    raw = maximum / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def _fmt(value, decimals):
    return number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def _axis(maximum, decimals, height, top):
    step = nice_step(float(maximum))
    if not decimals:
        step = max(1, step)  # counts: no ticks between whole numbers
    top_value = step * max(1, math.ceil(float(maximum) / step))
    ticks = []
    n = round(top_value / step)
    for i in range(n + 1):
        value = step * i
        y = top + height - height * value / top_value
        tick_decimals = decimals if step < 1 or value != int(value) else 0
        ticks.append({"y": round(y, 1), "label": _fmt(value, tick_decimals)})
    return top_value, ticks


def _x_labels(labels, xs, every):
    """Every ``every``-th label, and the last one when it does not crowd its neighbour."""
    last = len(labels) - 1
    shown = []
    for i, (label, x) in enumerate(zip(labels, xs, strict=True)):
        if i % every == 0 or (i == last and last % every > every // 2):
            shown.append({"x": round(x, 1), "text": str(label)})
    return shown


def _table(labels, series, decimals):
    return {
        "head": [s.name for s in series],
        "rows": [
            {"label": str(label), "values": [_fmt(s.values[i], decimals) for s in series]}
            for i, label in enumerate(labels)
        ],
    }


def line_chart(labels, series, *, title, description="", decimals=0, label_every=7):
    """One polyline per series over the same x positions (e.g. this month against the last)."""
    width, height = WIDTH, HEIGHT
    plot_w = width - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = height - MARGIN_TOP - MARGIN_BOTTOM
    maximum = max([v for s in series for v in s.values] or [0]) or 1
    top_value, ticks = _axis(maximum, decimals, plot_h, MARGIN_TOP)
    count = max(1, len(labels) - 1)
    xs = [MARGIN_LEFT + plot_w * i / count for i in range(len(labels))]
    lines = []
    for s in series:
        points = [
            (x, MARGIN_TOP + plot_h - plot_h * float(v) / top_value)
            for x, v in zip(xs, s.values, strict=False)
        ]
        lines.append(
            {
                "name": s.name,
                "style": s.style,
                "dashed": s.dashed,
                "points": " ".join(f"{x:.1f},{y:.1f}" for x, y in points),
                "dots": [{"x": round(x, 1), "y": round(y, 1)} for x, y in points]
                if len(points) <= 31
                else [],
            }
        )
    return {
        "kind": "line",
        "title": str(title),
        "description": str(description),
        "width": width,
        "height": height,
        "left": MARGIN_LEFT,
        "right": width - MARGIN_RIGHT,
        "bottom": MARGIN_TOP + plot_h,
        "ticks": ticks,
        "x_labels": _x_labels(labels, xs, label_every),
        "label_y": height - 8,
        "lines": lines,
        "legend": [{"name": s.name, "style": s.style, "dashed": s.dashed} for s in series],
        "table": _table(labels, series, decimals),
    }


def bar_chart(labels, series, *, title, description="", decimals=0, label_every=1):
    """Vertical bars, grouped when there are several series (e.g. discount vs revenue)."""
    width, height = WIDTH, HEIGHT
    plot_w = width - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = height - MARGIN_TOP - MARGIN_BOTTOM
    maximum = max([v for s in series for v in s.values] or [0]) or 1
    top_value, ticks = _axis(maximum, decimals, plot_h, MARGIN_TOP)
    slot = plot_w / max(1, len(labels))
    bar_w = max(1.0, slot * 0.8 / max(1, len(series)))
    bars, centers = [], []
    for i, label in enumerate(labels):
        start = MARGIN_LEFT + slot * i + slot * 0.1
        centers.append(start + bar_w * len(series) / 2)
        for j, s in enumerate(series):
            value = s.values[i]
            h = plot_h * float(value) / top_value
            bars.append(
                {
                    "x": round(start + j * bar_w, 1),
                    "y": round(MARGIN_TOP + plot_h - h, 1),
                    "w": round(bar_w - (1 if bar_w > 3 else 0), 1),
                    "h": round(h, 1),
                    "style": s.style,
                    "tip": f"{label} · {s.name}: {_fmt(value, decimals)}",
                    "url": s.urls[i] if s.urls else "",
                }
            )
    return {
        "kind": "bar",
        "title": str(title),
        "description": str(description),
        "width": width,
        "height": height,
        "left": MARGIN_LEFT,
        "right": width - MARGIN_RIGHT,
        "bottom": MARGIN_TOP + plot_h,
        "ticks": ticks,
        "x_labels": _x_labels(labels, centers, label_every),
        "label_y": height - 8,
        "bars": bars,
        "linked": any(bar["url"] for bar in bars),
        "legend": [{"name": s.name, "style": s.style, "dashed": False} for s in series]
        if len(series) > 1
        else [],
        "table": _table(labels, series, decimals),
    }


def hbar_chart(rows, *, title, description="", decimals=2, value_name=""):
    """Horizontal bars for a ranking: ``rows`` = [{"label", "value", "url"?, "note"?}]."""
    width = 440
    row_h = 24
    label_w = 150
    value_w = 120
    height = max(row_h, row_h * len(rows)) + 4
    plot_w = width - label_w - value_w
    maximum = max([float(r["value"]) for r in rows] or [0]) or 1
    items = []
    for i, row in enumerate(rows):
        w = plot_w * float(row["value"]) / maximum
        items.append(
            {
                "y": i * row_h + 2,
                "text_y": i * row_h + 2 + row_h / 2 + 4,
                "bar_x": label_w,
                "w": round(max(w, 1 if row["value"] else 0), 1),
                "h": row_h - 8,
                "label": str(row["label"]),
                "value": _fmt(row["value"], decimals),
                "value_x": round(label_w + max(w, 0) + 6, 1),
                "url": row.get("url", ""),
                "note": str(row.get("note", "")),
            }
        )
    return {
        "kind": "hbar",
        "title": str(title),
        "description": str(description),
        "width": width,
        "height": height,
        "label_w": label_w - 8,
        "items": items,
        "linked": any(item["url"] for item in items),
        "table": {
            "head": [str(value_name or title)],
            "rows": [
                {"label": str(r["label"]), "values": [_fmt(r["value"], decimals)]} for r in rows
            ],
        },
    }


def as_number(value):
    """Decimal or None → a number a chart can scale (None counts as zero)."""
    if value is None:
        return Decimal("0")
    return value
