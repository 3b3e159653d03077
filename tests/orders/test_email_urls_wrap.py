"""Long web addresses in HTML e-mails break instead of widening the mail (audit: the order
confirmation was 420 px wide on a 390 px phone, for the guest's order-status address printed
after its link).

One way for all: an address printed as text goes through ``emails/_url.html`` (it breaks
anywhere), and the layout lets any other long word in running text (an address inside an
included text such as the withdrawal instructions) wrap at the edge.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

from shop.mail import written
from shop.models import OutboxEmail

pytestmark = pytest.mark.django_db

EMAILS = Path(settings.BASE_DIR) / "templates" / "emails"
BREAKABLE = "overflow-wrap:anywhere;word-break:break-all"


class TextParents(HTMLParser):
    """For each piece of text that is ``needle``: the styles of its open elements."""

    VOID = {"br", "img", "hr", "meta", "input", "link"}

    def __init__(self, needle):
        super().__init__(convert_charrefs=True)
        self.needle = needle
        self.open = []  # [(tag, style)]
        self.found = []  # [[style of each open element]]
        self.article_style = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("role") == "article":
            self.article_style = a.get("style", "")
        if tag not in self.VOID:
            self.open.append((tag, a.get("style") or ""))

    def handle_endtag(self, tag):
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i][0] == tag:
                del self.open[i:]
                break

    def handle_data(self, data):
        if data.strip() == self.needle:
            self.found.append([style for _tag, style in self.open])


def test_the_confirmations_order_status_address_breaks_on_a_phone(make_order):
    order = make_order()  # a guest's order: its status address is a long signed link
    mail = written(OutboxEmail.objects.get(template="order_confirmation", to=[order.email]))
    url = re.search(r"https?://\S+/order-status/\S+?/(?=\s|$)", mail.body_text).group(0)
    assert len(url) > 60
    html = mail.body_html
    assert f'href="{url}"' in html  # the link itself is kept
    parser = TextParents(url)
    parser.feed(html)
    # Printed as text once, after the link, in a span that may break anywhere.
    assert len(parser.found) == 1
    assert parser.found[0][-1] == BREAKABLE
    # Other long words of the running text (the withdrawal address in the instructions)
    # wrap at the edge of the mail: the layout says so, without squeezing the tables.
    assert "overflow-wrap:break-word" in parser.article_style
    assert "anywhere" not in parser.article_style and "word-break" not in parser.article_style
    # The plain-text part keeps the address as it is.
    assert url in mail.body_text


URL_AS_TEXT = re.compile(r"\{\{\s*[\w.]*url\b[^}]*\}\}|\{%\s*url\s[^%]*%\}")


@pytest.mark.parametrize("path", sorted(EMAILS.glob("*.html")), ids=lambda p: p.name)
def test_no_html_email_prints_an_address_that_cannot_break(path):
    """An address outside an attribute (``href="…"``) is text the reader sees: it goes
    through ``emails/_url.html``."""
    if path.name == "_url.html":
        return
    source = path.read_text()
    source = re.sub(r'\{%\s*include\s+"emails/_url\.html"[^%]*%\}', "", source)
    source = re.sub(r'="[^"]*"', '=""', source)  # attribute values
    assert URL_AS_TEXT.findall(source) == []


def test_the_url_include_breaks_anywhere():
    source = (EMAILS / "_url.html").read_text()
    assert f'<span style="{BREAKABLE}">{{{{ raw_url }}}}</span>' in source
