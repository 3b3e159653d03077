"""The shop's own language (``SHOP_LANGUAGE``, settings.LANGUAGE_CODE): read from the
environment by settings.py; filled into the translated content when it changes.

Kept out of settings.py so it can be tested on its own: settings are read once per process.
"""

from django.core.exceptions import ImproperlyConfigured


def from_env(value, languages, variable="SHOP_LANGUAGE"):
    """The language code ``value`` names (``"de"``, ``" DE "``), if it is one of ``languages``
    (``[(code, name), …]``, settings.LANGUAGES); else ImproperlyConfigured naming the
    variable and the allowed codes — a typo must stop the start, not give an English shop."""
    allowed = [code for code, _name in languages]
    code = str(value).strip().lower()
    if code not in allowed:
        raise ImproperlyConfigured(
            f"{variable}={value!r} is not one of the shop's languages; "
            f"allowed: {', '.join(allowed)}"
        )
    return code


# Left empty: a picture without its own text in the reader's language is described by the
# product's name in that language (ProductImage.alt), better than the old language's text.
NOT_FILLED = {("shop.ProductImage", "alt_text")}


def fill_from(old, new=None, dry_run=False):
    """After the shop's language changed from ``old`` to ``new`` (default: the current
    SHOP_LANGUAGE): in every translated field of every model (django-modeltranslation), an
    empty column of ``new`` gets the text of ``old``'s column — what the shop showed until
    now, and what the fallback to the default language needs so nothing shows empty; the
    untranslated original column then holds ``new``'s text. Translations already there are
    kept. One transaction. Returns ``[(model label, field, rows filled)]``.

    Not modeltranslation's ``update_translation_fields``: that fills from the original
    column, which holds whichever language was active when a row was last saved (a Polish
    staff member's edit writes Polish there), not necessarily the old default language's."""
    from django.conf import settings
    from django.db import transaction
    from django.db.models import F, Q
    from modeltranslation.translator import translator

    new = new or settings.LANGUAGE_CODE
    codes = [code for code, _name in settings.LANGUAGES]
    if old not in codes or new not in codes:
        raise ValueError(f"Not a shop language: {old!r} or {new!r} (allowed: {', '.join(codes)}).")
    if old == new:
        raise ValueError(f"{old!r} is the shop's language already: set the new SHOP_LANGUAGE.")
    filled = []
    with transaction.atomic():
        for model in translator.get_registered_models(abstract=False):
            if model._meta.proxy or not model._meta.managed:
                continue
            for name in translator.get_options_for_model(model).all_fields:
                if (model._meta.label, name) in NOT_FILLED:
                    continue
                target, source = f"{name}_{new}", f"{name}_{old}"
                empty, blank = Q(**{f"{target}__isnull": True}), Q(**{f"{source}__isnull": True})
                if model._meta.get_field(name).empty_strings_allowed:
                    empty, blank = empty | Q(**{target: ""}), blank | Q(**{source: ""})
                rows = model._default_manager.rewrite(False).filter(empty).exclude(blank)
                count = rows.count() if dry_run else rows.update(**{target: F(source)})
                if not dry_run:
                    model._default_manager.rewrite(False).exclude(
                        **{f"{target}__isnull": True}
                    ).update(**{name: F(target)})
                filled.append((model._meta.label, name, count))
    return filled


def default_language():
    """The shop's language (SHOP_LANGUAGE) as a model field's default: a customer, order,
    return, helpdesk thread, review or background job made without a language of its own
    speaks the shop's language, not English."""
    from django.conf import settings

    return settings.LANGUAGE_CODE
