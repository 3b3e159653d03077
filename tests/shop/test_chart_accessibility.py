"""Backoffice charts with links (axe "nested-interactive", audit of the start page).

The children of a ``role="img"`` are hidden from screen readers, so links drawn inside an
image chart were keyboard stops without a name. A chart whose bars link somewhere is a
``role="group"`` (named by its title, described by its description), each link named by
its bar; a chart without links stays an image.
"""

from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import reverse

from shop import charts

pytestmark = pytest.mark.django_db


class ChartParser(HTMLParser):
    """Links inside an element of ``role="img"``, the links of ``svg`` groups and their
    names, and the roles of the ``svg`` elements."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links_in_images = []
        self.svg_links = []  # [(href, aria-label)]
        self.svg_roles = []
        self._image = None  # [tag, depth] of the role="img" element we are in
        self._svg = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg":
            self._svg += 1
            self.svg_roles.append(a.get("role"))
        if self._image is not None:
            if tag == "a":
                self.links_in_images.append(a.get("href"))
            if tag == self._image[0]:
                self._image[1] += 1
        elif a.get("role") == "img":
            self._image = [tag, 1]
        if tag == "a" and self._svg:
            self.svg_links.append((a.get("href"), (a.get("aria-label") or "").strip()))

    def handle_startendtag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and self._image is not None:
            self.links_in_images.append(a.get("href"))

    def handle_endtag(self, tag):
        if tag == "svg" and self._svg:
            self._svg -= 1
        if self._image is not None and tag == self._image[0]:
            self._image[1] -= 1
            if not self._image[1]:
                self._image = None


def parse(html):
    parser = ChartParser()
    parser.feed(html)
    return parser


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # the start page's figures are kept a minute
    yield
    cache.clear()


def test_the_start_pages_charts_have_no_links_inside_an_image(
    admin_client, make_order, invoice_payment
):
    make_order()
    make_order(payment_method_id=invoice_payment.pk)
    html = admin_client.get(reverse("admin:index")).content.decode()
    found = parse(html)
    assert 'role="img"' in html  # the line and bar charts without links stay images
    assert found.links_in_images == []
    # The ranking charts link their bars: each link has a name, in a named group.
    assert "group" in found.svg_roles
    assert found.svg_links
    assert all(href and name for href, name in found.svg_links), found.svg_links


@pytest.mark.parametrize("template", ["hbar", "bar"])
def test_a_chart_with_links_is_a_group_of_named_links(template):
    if template == "hbar":
        chart = charts.hbar_chart(
            [
                {"label": "Linen apron", "value": 12, "url": "/backoffice/a/", "note": "3×"},
                {"label": "Tea towel", "value": 5, "url": "/backoffice/b/"},
            ],
            title="Top products",
        )
    else:
        series = charts.Series("Orders", [3, 4], urls=["/backoffice/a/", "/backoffice/b/"])
        chart = charts.bar_chart(["Mon", "Tue"], [series], title="Orders per day")
    html = render_to_string(f"admin/charts/{template}.html", {"chart": chart, "chart_id": "t"})
    found = parse(html)
    assert found.svg_roles == ["group"]
    assert 'aria-labelledby="t-title"' in html and 'aria-describedby="t-desc"' in html
    assert found.links_in_images == []
    assert [href for href, _name in found.svg_links] == ["/backoffice/a/", "/backoffice/b/"]
    names = [name for _href, name in found.svg_links]
    if template == "hbar":
        assert names == ["Linen apron: 12.00 3×", "Tea towel: 5.00"]
    else:
        assert names == ["Mon · Orders: 3", "Tue · Orders: 4"]


@pytest.mark.parametrize("template", ["hbar", "bar", "line"])
def test_a_chart_without_links_stays_an_image(template):
    if template == "hbar":
        chart = charts.hbar_chart([{"label": "0–14 days", "value": 40}], title="Receivables")
    elif template == "bar":
        chart = charts.bar_chart(["Mon"], [charts.Series("Orders", [3])], title="Orders")
    else:
        chart = charts.line_chart(["Mon"], [charts.Series("Revenue", [3])], title="Revenue")
    html = render_to_string(f"admin/charts/{template}.html", {"chart": chart, "chart_id": "t"})
    found = parse(html)
    assert found.svg_roles == ["img"] and found.svg_links == []
    assert 'aria-labelledby="t-title t-desc"' in html
