"""Accessible e-mails (issue 27): every kind of e-mail has a plain-text part and an HTML part
with semantic markup — the language, the subject as its title, one main heading, data tables
with header cells (layout tables marked as presentation), alt texts, readable text colours."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from shop.mail import written
from shop.models import OutboxEmail, ShopSettings

pytestmark = pytest.mark.django_db

EMAILS = Path(settings.BASE_DIR) / "templates" / "emails"
KINDS = sorted(p.stem for p in EMAILS.glob("*.txt") if not p.name.startswith("_"))


def luminance(hex_colour):
    hex_colour = hex_colour.lstrip("#")
    if len(hex_colour) == 3:
        hex_colour = "".join(c * 2 for c in hex_colour)
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground, background="#ffffff"):
    light, dark = sorted([luminance(foreground), luminance(background)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


class Structure(HTMLParser):
    def __init__(self):
        super().__init__()
        self.lang = None
        self.title = ""
        self.h1 = 0
        self.tables = []  # [role, header cells with scope, header cells]
        self.images_without_alt = 0
        self.colours = []
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        elif tag == "title":
            self._in_title = True
        elif tag == "h1":
            self.h1 += 1
        elif tag == "table":
            self.tables.append([attrs.get("role"), 0, 0])
        elif tag == "th" and self.tables:
            self.tables[-1][2] += 1
            self.tables[-1][1] += "scope" in attrs
        elif tag == "img" and "alt" not in attrs:
            self.images_without_alt += 1
        style = attrs.get("style") or ""
        if "background" not in style:
            self.colours += re.findall(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{3,6})\b", style)

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def structure(html):
    parser = Structure()
    parser.feed(html)
    return parser


def problems_of(html, language, subject):
    found = structure(html)
    problems = []
    if found.lang != language:
        problems.append(f"lang={found.lang!r}")
    if found.title.strip() != subject:
        problems.append(f"title={found.title.strip()!r}")
    if found.h1 != 1:
        problems.append(f"{found.h1} h1 headings")
    for role, scoped, headers in found.tables:
        if role != "presentation" and (headers == 0 or scoped < headers):
            problems.append("a data table without scoped header cells")
    if found.images_without_alt:
        problems.append("an image without alt")
    for colour in found.colours:
        if contrast(colour) < 4.5:
            problems.append(f"text colour {colour} ({contrast(colour):.2f}:1 on white)")
    return problems


def test_every_kind_of_email_has_a_text_and_a_semantic_html_part():
    assert len(KINDS) >= 20
    shop = ShopSettings.load()
    problems = {}
    for kind in KINDS:
        html_source = (EMAILS / f"{kind}.html").read_text()
        assert '{% extends "emails/_layout.html" %}' in html_source, kind
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                context = {
                    "shop": shop,
                    "site_url": "https://shop.example",
                    "subject": "Subject",
                    "days": 14,  # the counters of the plural texts
                    "attachment_count": 1,
                    "summary": {"orders_anonymised": 1, "orders_deleted": 0},
                    # the currency the money filter's argument names (a filter argument
                    # must exist, unlike a variable that is only printed)
                    "order": {"currency": "EUR"},
                    "invoice": {"currency": "EUR"},
                }
                assert render_to_string(f"emails/{kind}.txt", context).strip(), kind
                html = render_to_string(f"emails/{kind}.html", context)
            if found := problems_of(html, language, "Subject"):
                problems[f"{kind} ({language})"] = found
    assert problems == {}


def test_a_sent_email_has_both_parts_and_its_subject_as_title(
    make_order, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = make_order(language="de")
    email = written(OutboxEmail.objects.get(template="order_confirmation"))
    assert order.number in email.body_text and order.number in email.body_html
    assert problems_of(email.body_html, "de", email.subject) == []
    sent = mailoutbox[-1]
    assert sent.body == email.body_text
    assert sent.alternatives[0][1] == "text/html"
    assert '<table role="presentation"' in email.body_html  # the address columns


def test_shop_colours_meet_the_contrast_minimum():
    """The colours of static/css/shop.css (also those of the demo shop) against the
    backgrounds they are used on: at least 4.5:1 for text."""
    css = (Path(settings.BASE_DIR) / "static" / "css" / "shop.css").read_text()
    colours = dict(re.findall(r"--([\w-]+):(#[0-9a-fA-F]{6})", css.split("}", 1)[0]))
    rating = re.search(r"\.rating\{color:(#[0-9a-fA-F]{6})", css).group(1)
    white, page = "#ffffff", colours["bg"]
    pairs = {
        "text on page": (colours["ink"], page),
        "muted text on page": (colours["muted"], page),
        "muted text on panels": (colours["muted"], white),
        "links on page": (colours["brand"], page),
        "links on panels": (colours["brand"], white),
        "buttons and category bar": (white, colours["brand"]),
        "second brand colour": (colours["brand2"], page),
        "errors": (colours["err"], white),
        "errors on page": (colours["err"], page),
        "warnings": (colours["warn"], page),
        "success messages": (colours["ink"], colours["ok"]),
        "rating stars and text": (rating, white),
    }
    weak = {
        name: round(contrast(fg, bg), 2)
        for name, (fg, bg) in pairs.items()
        if contrast(fg, bg) < 4.5
    }
    assert weak == {}
