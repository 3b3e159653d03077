"""The language switch in the storefront's header (audit: a Danish visitor on a phone found
the only switch in the footer, thousands of pixels down the start page).

Every storefront page has it in the header: the same form as the footer's
(templates/shop/includes/language_switch.html), each language named in its own language
with its ``lang``, the page's language chosen — also on a page answered from the page
cache, whose kept fragments are per language — and posting it switches the storefront
without JavaScript.
"""

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

OWN_NAMES = {"en": "English", "de": "Deutsch", "pl": "Polski", "da": "Dansk"}
LABEL = {"en": "Language", "de": "Sprache", "pl": "Język", "da": "Sprog"}


class SwitchParser(HTMLParser):
    """The language forms of a page: where each is (header/footer), its fields, its
    options as ``(value, lang, selected, text)`` and its label's text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._where = []
        self._form = None
        self._option = None
        self._label = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("header", "footer"):
            self._where.append(tag)
        elif tag == "form" and a.get("action") == reverse("set_language"):
            self._form = {
                "where": self._where[-1] if self._where else None,
                "fields": {},
                "options": [],
                "label": "",
                "select_id": None,
                "label_for": None,
            }
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            self._form["fields"][a["name"]] = a.get("value", "")
        elif tag == "select":
            self._form["select_id"] = a.get("id")
        elif tag == "label":
            self._label = True
            self._form["label_for"] = a.get("for")
        elif tag == "option":
            self._option = [a.get("value"), a.get("lang"), "selected" in a, ""]

    def handle_endtag(self, tag):
        if tag in ("header", "footer") and self._where:
            self._where.pop()
        elif tag == "form":
            self._form = None
        elif tag == "label":
            self._label = False
        elif tag == "option" and self._option is not None:
            self._option[3] = self._option[3].strip()
            self._form["options"].append(tuple(self._option))
            self._option = None

    def handle_data(self, data):
        if self._option is not None:
            self._option[3] += data
        elif self._label and self._form is not None:
            self._form["label"] += data


def switches(html):
    parser = SwitchParser()
    parser.feed(html)
    return {form["where"]: form for form in parser.forms}


def home(language):
    with translation.override(language):
        return reverse("shop:home")


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def assert_switch_shows(form, language):
    """Each language in its own name and ``lang``; the page's language is the chosen one;
    the select is labelled "Language" in the page's language."""
    assert [(value, lang, text) for value, lang, _sel, text in form["options"]] == [
        (code, code, OWN_NAMES[code]) for code, _name in settings.LANGUAGES
    ]
    assert [value for value, _lang, sel, _text in form["options"] if sel] == [language]
    assert form["label"].strip() == LABEL[language]
    assert form["label_for"] == form["select_id"]


@pytest.mark.parametrize("language", ["en", "de", "pl", "da"])
def test_the_header_has_the_language_switch_with_the_current_language(client, language):
    html = page(client, home(language))
    found = switches(html)
    assert set(found) == {"header", "footer"}  # the footer keeps its switch
    assert_switch_shows(found["header"], language)
    assert_switch_shows(found["footer"], language)
    assert found["header"]["select_id"] != found["footer"]["select_id"]  # unique ids
    # The header's switch comes before the page's content (on a phone: at the top).
    assert html.index('id="header-lang"') < html.index('<main id="main"')


def test_cached_pages_show_their_own_language_as_chosen():
    """Guests' pages come from the page cache and the options are a kept fragment: each
    language's page still marks its own language, however the visits interleave."""
    guest = Client()
    order = ["pl", "da", "pl", "en", "de", "da", "en", "de"]
    for language in order:
        for form in switches(page(guest, home(language))).values():
            assert_switch_shows(form, language)


@pytest.mark.parametrize("language", ["da", "pl", "de"])
def test_posting_the_header_switch_switches_the_storefront(language):
    """A browser without JavaScript: the header's form as the page sends it (its CSRF token
    and the page to come back to), with another language chosen."""
    browser = Client(enforce_csrf_checks=True)
    form = switches(page(browser, home("en")))["header"]
    response = browser.post(reverse("set_language"), {**form["fields"], "language": language})
    assert response.status_code == 302
    assert response["Location"] == home(language)
    assert browser.cookies[settings.LANGUAGE_COOKIE_NAME].value == language
    html = page(browser, response["Location"])
    assert re.search(rf'<html lang="{language}"', html)
    assert_switch_shows(switches(html)["header"], language)
    # Back to English from the header of the page in the new language.
    form = switches(html)["header"]
    back = browser.post(reverse("set_language"), {**form["fields"], "language": "en"})
    assert back.status_code == 302 and back["Location"] == home("en")
    assert_switch_shows(switches(page(browser, home("en")))["header"], "en")


def test_the_header_switch_comes_back_to_the_same_page(client, product):
    """On a product page in Polish, switching to Danish in the header opens the same product
    in Danish."""
    with translation.override("pl"):
        url = reverse("shop:product", args=[product.slug])
    form = switches(page(client, url))["header"]
    assert form["fields"]["next"] == url
    response = client.post(reverse("set_language"), {**form["fields"], "language": "da"})
    with translation.override("da"):
        assert response["Location"] == reverse("shop:product", args=[product.slug])
