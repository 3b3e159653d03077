"""Language names as each language writes them: Polish and Danish in lower case in running
text and in a cell after its label ("Język: angielski", "sprog: engelsk"), capitalised only at
the start of a sentence or as a menu item of their own; German and English capitalise them
everywhere ("Englisch", "English")."""

import re

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from orders.models import Order
from shop.locales import language_name
from tests.factories import StaffFactory

NAMES = {
    "pl": {"en": "angielski", "de": "niemiecki", "pl": "polski", "da": "duński"},
    "da": {"en": "engelsk", "de": "tysk", "pl": "polsk", "da": "dansk"},
    "de": {"en": "Englisch", "de": "Deutsch", "pl": "Polnisch", "da": "Dänisch"},
    "en": {"en": "English", "de": "German", "pl": "Polish", "da": "Danish"},
}


@pytest.mark.parametrize("language", ["pl", "da", "de", "en"])
def test_a_language_name_in_running_text_is_written_as_the_readers_language_does(language):
    with translation.override(language):
        assert {code: language_name(code) for code in NAMES[language]} == NAMES[language]


@pytest.mark.parametrize("language", ["pl", "da", "de", "en"])
def test_at_the_start_of_a_sentence_or_as_a_menu_item_it_is_capitalised(language):
    expected = {code: name[0].upper() + name[1:] for code, name in NAMES[language].items()}
    with translation.override(language):
        assert {code: language_name(code, start=True) for code in expected} == expected
        rendered = Template("{% load locales %}{{ code|language_name|capfirst }}").render(
            Context({"code": "en"})
        )
    assert rendered == expected["en"]


def test_a_name_without_a_translation_is_left_as_it_is():
    # Norwegian Bokmål has no Polish name in the catalogue: its English name is not lowered.
    with translation.override("pl"):
        assert language_name("nb") == "Norwegian Bokmal"
        assert language_name("xx") == "xx" and language_name("") == ""


def test_the_answer_follows_the_active_language_each_time():
    """The names are cached per pair of languages: a Polish call does not leave its lower
    case to a German one, nor the reverse."""
    seen = []
    for language in ["pl", "de", "da", "pl", "de"]:
        with translation.override(language):
            seen.append(language_name("pl"))
    assert seen == ["polski", "Polnisch", "polsk", "polski", "Polnisch"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "cell"), [("pl", "angielski"), ("da", "engelsk"), ("de", "Englisch")]
)
def test_the_order_page_names_the_orders_language_in_its_cell(client, make_order, language, cell):
    order = make_order()
    Order.objects.filter(pk=order.pk).update(language="en")
    client.force_login(StaffFactory(is_superuser=True, language=language))
    page = client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    with translation.override(language):
        label = translation.gettext("Language")
    assert re.search(rf"<th>{re.escape(label)}</th><td>{cell}</td>", page), label
