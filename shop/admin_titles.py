"""The backoffice's stock page titles in the grammatical case they need.

Django builds "Select %s to change", "Add %s", "Change %s" and "View %s" with the model's name
as it stands in ``verbose_name``: the nominative. Polish puts the object of "Wybierz" and
"Dodaj" in the accusative — "Wybierz opinię do zmiany", not "Wybierz opinia do zmiany";
"Dodaj kartę podarunkową", "Wybierz klienta" — and German weak nouns change too ("Kunden
hinzufügen"). ``ACCUSATIVE`` holds the names that change in some language, translated in
the context "accusative"; every other name is the same in both cases.
"""

from django.utils import translation
from django.utils.translation import gettext, gettext_noop, pgettext_lazy

ACCUSATIVE = {
    "group": pgettext_lazy("accusative", "group"),
    "customer group": pgettext_lazy("accusative", "customer group"),
    "staff user": pgettext_lazy("accusative", "staff user"),
    "customer": pgettext_lazy("accusative", "customer"),
    "gift card": pgettext_lazy("accusative", "gift card"),
    "canned reply": pgettext_lazy("accusative", "canned reply"),
    "credit note": pgettext_lazy("accusative", "credit note"),
    "invoice": pgettext_lazy("accusative", "invoice"),
    "shipment": pgettext_lazy("accusative", "shipment"),
    "authenticator app": pgettext_lazy("accusative", "authenticator app"),
    "review": pgettext_lazy("accusative", "review"),
    "category": pgettext_lazy("accusative", "category"),
    "payment method": pgettext_lazy("accusative", "payment method"),
    "retention policy": pgettext_lazy("accusative", "retention policy"),
    "shipping method": pgettext_lazy("accusative", "shipping method"),
    "campaign": pgettext_lazy("accusative", "campaign"),
    "partner offer": pgettext_lazy("accusative", "partner offer"),
    "personal-data browser": pgettext_lazy("accusative", "personal-data browser"),
}

# Django's own messages with the model's name whose Polish translation spells out every
# gender ("{name} „{obj}” został(a)(-ło) dodany(-na)(-ne) pomyślnie.", "Dodaj
# kolejne(go)(-ną)(-ny) Adres"). The shop's catalogue (LOCALE_PATHS, read before Django's)
# words them so that no gender is needed ("Dodano pomyślnie: kategoria „Herbata”."); they
# are marked here so that makemessages keeps them. German and Danish keep Django's wording.
DJANGO_MESSAGES = (
    gettext_noop("The {name} “{obj}” was added successfully."),
    gettext_noop("The {name} “{obj}” was added successfully. You may add another {name} below."),
    gettext_noop("The {name} “{obj}” was changed successfully."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may edit it again below."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may add another {name} below."),
    gettext_noop("The %(name)s “%(obj)s” was deleted successfully."),
    gettext_noop("%(name)s with ID “%(key)s” doesn’t exist. Perhaps it was deleted?"),
    gettext_noop("Add another %(verbose_name)s"),
    gettext_noop("Delete selected %(verbose_name_plural)s"),
)

# Django's own titles (translated by Django's catalogue) that take the model's name.
STOCK_TITLES = (
    "Select %s to change",
    "Select %s to view",
    "Select %s",
    "Add %s",
    "Change %s",
    "View %s",
)


def english_name(opts):
    with translation.override("en"):
        return str(opts.verbose_name)


def accusative(opts):
    """The model's name in the accusative of the active language."""
    name = ACCUSATIVE.get(english_name(opts))
    return str(name) if name is not None else str(opts.verbose_name)


def stock_title(title, opts):
    """``title`` with the model's name in the accusative if it is one of Django's stock titles
    built from ``opts.verbose_name``; any other title as it is."""
    if opts is None or not isinstance(title, str):
        return title
    nominative = str(opts.verbose_name)
    for pattern in STOCK_TITLES:
        translated = gettext(pattern)
        if title == translated % nominative:
            return translated % accusative(opts)
    return title
