"""Countries and languages as the shop prints them to people: by their names in the reader's
language, never as codes. Country names come from the CLDR data Babel also gives the money
formats (``country_name("PL", "de") == "Polen"``), language names from Django."""

import functools
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
    return _territories_of(_language(language))


@functools.lru_cache(maxsize=16)
def _territories_of(language):
    # A plain dict, once per process and language: Babel wraps its data anew on every
    # access (a country column of 50 rows).
    return dict(_babel_locale(MONEY_LOCALES.get(language, MONEY_LOCALES["en"])).territories)


# CLDR regions with a two-letter code that are not ISO 3166-1 countries (the EU, the UN,
# pseudo-locales, islands that belong to a listed country).
NOT_COUNTRIES = {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "ZZ"}


def country_choices(language=None, keep=""):
    """``[(code, name)]`` of every country, sorted by its name in ``language`` (default: the
    active language) as that language's alphabet sorts: the choices of an address's country.
    ``keep`` is a stored code that is not among them, kept so that editing the address does
    not change it."""
    language = _language(language)
    choices = list(_sorted_countries(language))
    if keep and not any(code == keep for code, _name in choices):
        choices.append((keep, keep))
        choices.sort(key=lambda choice: sort_key(choice[1], language))
    return choices


@functools.lru_cache(maxsize=16)
def _sorted_countries(language):
    # Once per process and language: an address form sorted the 250 names anew each time
    # (a customer's page in the backoffice builds one form per address and an empty one).
    countries = [
        (code, name)
        for code, name in _territories_of(language).items()
        if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES
    ]
    return tuple(sorted(countries, key=lambda choice: sort_key(choice[1], language)))


# Letters that an alphabet sorts as letters of their own (after the letter named, or, for
# "{", after z), in their order; every other accented letter sorts with its base letter
# ("Österreich" among the O in German, "Åland" among the A in Polish). Danish and Norwegian
# sort Ä, Ö and Ü as Æ, Ø and Y.
ALPHABETS = {
    "pl": {
        "ą": "a",
        "ć": "c",
        "ę": "e",
        "ł": "l",
        "ń": "n",
        "ó": "o",
        "ś": "s",
        "ź": "z",
        "ż": "z",
    },
    "da": {"ü": "y", "æ": "{", "ä": "{", "ø": "{", "ö": "{", "å": "{"},
}
# Within a letter's group: the letter itself first, then the letters after it in the
# order of the alphabet (ź before ż, æ before ø before å).
_RANKS = {"ü": "1", "æ": "1", "ä": "1", "ø": "2", "ö": "2", "å": "3", "ź": "1", "ż": "2"}


def sort_key(name, language=None):
    """The key that sorts ``name`` as a dictionary of ``language`` would: "Łotwa" after
    "Luksemburg" in Polish, "Østrig" after "Zambia" in Danish; accents of other letters and
    case are ignored."""
    tailoring = ALPHABETS.get(_language(language), {})
    key = []
    for char in unicodedata.normalize("NFC", str(name)).casefold():
        base = tailoring.get(char)
        if base is not None:
            key.append(base + _RANKS.get(char, "1"))
        else:
            plain = "".join(
                c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
            )
            key.append((plain or char) + "0")
    return "".join(key)


def _language(language=None):
    return (language or translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]


# Languages that write language names in lower case except at the start of a sentence or
# as a menu item of their own: Polish "język: angielski", Danish "sprog: engelsk" (German and
# English write them capitalised everywhere). The shop's catalogue capitalises them for the
# language menus ("Angielski"), so a name in running text is put in lower case here.
LOWER_CASE_LANGUAGE_NAMES = {"pl", "da"}


def language_name(code, *, start=False):
    """The name of the language ``code`` (an order's, a customer's) in the active language,
    as it is written in running text and in a cell after its label: "Deutsch" in the German
    backoffice, "niemiecki" in the Polish one, "tysk" in the Danish one. ``start``: as the
    start of a sentence or a menu item of its own ("Niemiecki"); a template writes that as
    ``{{ code|language_name|capfirst }}``."""
    if not code:
        return ""
    return _language_name(str(code), translation.get_language(), start)


@functools.lru_cache(maxsize=256)
def _language_name(code, active, start):
    # Django's get_language_info() and the lazy name's translation, once per process and
    # pair of languages (a column of the orders list shows one per row).
    try:
        info = translation.get_language_info(code)
    except KeyError:
        return code
    name = str(info["name_translated"])
    if start:
        return capfirst(name)
    # Only a translated name: one without a translation is English ("Norwegian Bokmal").
    if _language(active) in LOWER_CASE_LANGUAGE_NAMES and name != info["name"]:
        return name[:1].lower() + name[1:]
    return capfirst(name)


def date_in_words(day, skeleton, language=None):
    """``day`` as the reader's language writes it by the CLDR ``skeleton`` ("MMMd",
    "yMMM", "yMMMM"), from the same Babel locale as the money: month names as that language
    writes them in a date — Polish "3 lis", "listopad 2026", Danish "3. nov." —, where
    Django's "M"/"F" capitalise them ("3 Lis", "Listopad 2026"). Charts, report periods and
    the date drill-down of the lists."""
    from babel.dates import format_skeleton

    locale = MONEY_LOCALES.get(_language(language), MONEY_LOCALES["en"])
    return format_skeleton(skeleton, day, locale=_babel_locale(locale))
