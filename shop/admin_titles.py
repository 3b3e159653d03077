"""The backoffice's stock page titles in the grammatical case they need.

Django builds "Select %s to change", "Add %s", "Change %s" and "View %s" with the model's name
as it stands in ``verbose_name``: the nominative. Polish puts the object of "Wybierz" and
"Dodaj" in the accusative — "Wybierz opinię do zmiany", not "Wybierz opinia do zmiany";
"Dodaj kartę podarunkową", "Wybierz klienta" — and German weak nouns change too ("Kunden
hinzufügen"). ``ACCUSATIVE`` holds the names that change in some language, translated in
the context "accusative"; every other name is the same in both cases.
"""

from django.utils import translation
from django.utils.translation import gettext, gettext_noop, ngettext, pgettext_lazy

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
# are marked here so that makemessages keeps them. German keeps Django's wording.
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
    gettext_noop("Select all %(total_count)s %(module_name)s"),
    gettext_noop(
        "Deleting the selected %(objects_name)s would result in deleting related objects, but "
        "your account doesn't have permission to delete the following types of objects:"
    ),
    gettext_noop(
        "Deleting the selected %(objects_name)s would require deleting the following "
        "protected related objects:"
    ),
    gettext_noop(
        "Are you sure you want to delete the selected %(objects_name)s? All of the following "
        "objects and their related items will be deleted:"
    ),
    gettext_noop("Change selected %(model)s"),
    gettext_noop("Add another %(model)s"),
    gettext_noop("Delete selected %(model)s"),
    gettext_noop("View selected %(model)s"),
    gettext_noop("In case you’ve forgotten, you are:"),
    # A list filter's heading: German and Danish say "Filter: …" — "Nach aktiv" read wrong
    # for a filter titled by an adjective.
    gettext_noop(" By %(filter_title)s "),
    # The save buttons: Django's German says "Sichern", every button and page of the shop
    # "Speichern" (the plain "Save" is the shop's own word already).
    gettext_noop("Save and add another"),
    gettext_noop("Save and continue editing"),
    gettext_noop("Save and view"),
    gettext_noop("Save as new"),
    # The change form's "History" button (and a role group's history page): Django's German
    # says "Geschichte" (the history of a country); the backoffice means a change log.
    gettext_noop("History"),
)
# django.contrib.auth's words on the staff-user pages, which Django 5.2 does not translate
# into German: kept in the shop's catalogue (Polish and Danish as Django has them).
DJANGO_AUTH_MESSAGES = (
    gettext_noop("Reset password"),
    gettext_noop("Set password"),
    gettext_noop("Set password: %s"),
    gettext_noop("Raw passwords are not stored, so there is no way to see the user’s password."),
    gettext_noop("Password-based authentication"),
    gettext_noop("Password-based authentication was disabled."),
    gettext_noop(
        "Whether the user will be able to authenticate using a password or not. If disabled, "
        "they may still be able to authenticate using other backends, such as Single Sign-On "
        "or LDAP."
    ),
    gettext_noop("Enable password-based authentication for this user by setting a password."),
    gettext_noop("Conflicting form data submitted. Please try again."),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    gettext_noop(
        "This action will <strong>enable</strong> password-based authentication for this user."
    ),
    gettext_noop("Enable password-based authentication"),
    gettext_noop("Disable password-based authentication"),
    gettext_noop("Enabled"),
    gettext_noop("Disabled"),
)
# The same for a message with plural forms (a lambda: makemessages reads ngettext's
# arguments, nothing calls it).
DJANGO_PLURAL_MESSAGES = (
    lambda count: ngettext(
        "%(count)s %(name)s was changed successfully.",
        "%(count)s %(name)s were changed successfully.",
        count,
    ),
)

# django-import-export's words on the product import and export pages, which it translates
# into German and only partly into Polish, not into Danish: kept in the shop's catalogue
# (read before the library's). The library's German and Polish wording is kept where it has one,
# but for "Update", the kind of a preview row beside "New" and "Skipped": a noun, not the
# library's imperative ("Aktualizacja", not "Zaktualizuj").
IMPORT_EXPORT_MESSAGES = (
    gettext_noop("Import"),
    gettext_noop("Export"),
    gettext_noop("%s through import_export"),
    gettext_noop("Import finished: {} new, {} updated, {} deleted and {} skipped {}."),
    gettext_noop(
        "%(exc_name)s encountered while trying to read file. Ensure you have chosen the correct "
        "format for the file."
    ),
    gettext_noop(
        "No valid data to import. Ensure your file has the correct headers or data for import."
    ),
    gettext_noop("Export selected %(verbose_name_plural)s"),
    gettext_noop("export failed due to IllegalCharacterError"),
    gettext_noop("Resource"),
    gettext_noop("File to import"),
    gettext_noop('Select at least 1 field for "%(resource_name)s" to export'),
    gettext_noop(
        "The following fields are declared in 'import_id_fields' but are not present in the "
        "file headers: %s"
    ),
    gettext_noop("This exporter will export the following fields: "),
    gettext_noop("This importer will import the following fields: "),
    gettext_noop("Select all"),
    gettext_noop("Submit"),
    gettext_noop(
        "Below is a preview of data to be imported. If you are satisfied with the results, "
        "click 'Confirm import'"
    ),
    gettext_noop("Confirm import"),
    gettext_noop("Errors"),
    gettext_noop("Line number"),
    gettext_noop("Some rows failed to validate"),
    gettext_noop(
        "Please correct these errors in your data where possible, then reupload it using the "
        "form above."
    ),
    gettext_noop("Row"),
    gettext_noop("Non field specific"),
    gettext_noop("Update"),
    gettext_noop("Value could not be parsed."),
)
IMPORT_EXPORT_PLURAL_MESSAGES = (
    lambda count: ngettext(
        "Export %(len)s selected item.", "Export %(len)s selected items.", count
    ),
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
