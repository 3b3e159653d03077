"""Countries and languages as the shop prints them to people: by their names in the reader's
language, never as codes. Country names come from the CLDR data Babel also gives the money
formats (``country_name("PL", "de") == "Polen"``), language names from Django."""

from django.conf import settings
from django.utils import translation
from django.utils.text import capfirst

from .money import MONEY_LOCALES, _babel_locale


def country_name(code, language=None):
    """The name of the country with the ISO 3166 code ``code`` in ``language`` (default: the
    active language); a code CLDR does not know is shown as it is."""
    if not code:
        return ""
    language = (language or translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    locale = _babel_locale(MONEY_LOCALES.get(language, MONEY_LOCALES["en"]))
    return locale.territories.get(str(code).upper(), str(code))


def language_name(code):
    """The name of the language ``code`` (an order's, a customer's) in the active language:
    "Deutsch" in the German backoffice, "niemiecki" in the Polish one."""
    if not code:
        return ""
    try:
        return capfirst(str(translation.get_language_info(code)["name_translated"]))
    except KeyError:
        return str(code)
