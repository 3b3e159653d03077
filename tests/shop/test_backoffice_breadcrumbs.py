"""The backoffice's breadcrumb links are underlined (axe "link-in-text-block", audit).

Django's admin draws them white in light-blue text, 1.4:1 apart and without an underline:
told apart by colour alone (WCAG 1.4.1). The backoffice stylesheet, loaded on every admin
page after Django's own, underlines them.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

STYLESHEET = Path(settings.BASE_DIR) / "static" / "css" / "backoffice.css"


def rules(css):
    """``{selector: declarations}`` of a stylesheet's plain rules (comments dropped; the
    rules inside an @media block are left out)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", "", css)
    found = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        for selector in selectors.split(","):
            found[" ".join(selector.split())] = body.replace(" ", "")
    return found


def test_the_backoffice_stylesheet_underlines_the_breadcrumb_links():
    declarations = rules(STYLESHEET.read_text())
    assert "text-decoration:underline" in declarations["div.breadcrumbs a"]


@pytest.mark.parametrize(
    "url",
    [reverse("admin:index"), reverse("admin:orders_order_changelist")],
    ids=["start page", "order list"],
)
def test_admin_pages_load_the_stylesheet_after_djangos(admin_client, url):
    html = admin_client.get(url).content.decode()
    sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    ours = [i for i, href in enumerate(sheets) if href.endswith("css/backoffice.css")]
    django_base = [i for i, href in enumerate(sheets) if href.endswith("admin/css/base.css")]
    assert ours and django_base and ours[0] > django_base[0]  # ours wins on equal terms


def test_a_page_with_breadcrumbs_has_them_as_links(admin_client, make_order):
    order = make_order()
    html = admin_client.get(reverse("admin:orders_order_change", args=[order.pk])).content
    crumbs = re.search(r'<div class="breadcrumbs">(.*?)</div>', html.decode(), re.S).group(1)
    assert '<a href="' + reverse("admin:index") + '"' in crumbs
