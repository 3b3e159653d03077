"""Countries and languages as the shop prints them to people: by their names in the reader's
language, never as codes. Country names come from the CLDR data Babel also gives the money
formats (``country_name("PL", "de") == "Polen"``), language names from Django."""

import unicodedata

from django.conf import settings
from django.utils import translation
from django.utils.text import capfirst

from .money import MONEY_LOCALES, _babel_locale


def country_name(code, language=None):
    """The name of the country with the ISO 3166 code ``code`` in ``language`` (default: the
    active language); a code CLDR does not know is shown as it is."""
    if not code:
        return ""
    return _territories(language).get(str(code).upper(), str(code))


def _territories(language=None):
    """CLDR's ``{code: name}`` of regions in ``language`` (default: the active language), from
    the same Babel locale as the money formats."""
    language = (language or translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return _babel_locale(MONEY_LOCALES.get(language, MONEY_LOCALES["en"])).territories


# CLDR regions with a two-letter code that are not ISO 3166-1 countries (the EU, the UN,
# pseudo-locales, islands that belong to a listed country).
NOT_COUNTRIES = {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "ZZ"}


def country_choices(language=None, keep=""):
    """``[(code, name)]`` of every country, sorted by its name in ``language`` (default: the
    active language): the choices of an address's country. ``keep`` is a stored code that is
    not among them, kept so that editing the address does not change it."""
    choices = [
        (code, name)
        for code, name in _territories(language).items()
        if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES
    ]
    if keep and keep not in dict(choices):
        choices.append((keep, keep))
    return sorted(choices, key=lambda choice: _sort_key(choice[1]))


def _sort_key(name):
    """ "Österreich" among the O, "Åland" among the A: letters without their accents."""
    plain = unicodedata.normalize("NFKD", name)
    return "".join(c for c in plain if not unicodedata.combining(c)).casefold()


def language_name(code):
    """The name of the language ``code`` (an order's, a customer's) in the active language:
    "Deutsch" in the German backoffice, "niemiecki" in the Polish one."""
    if not code:
        return ""
    try:
        return capfirst(str(translation.get_language_info(code)["name_translated"]))
    except KeyError:
        return str(code)
