"""Slugs and file names in ASCII, with the letters of the shop's languages written the usual
way: "Łódź" → "lodz", Danish "Æbleø" → "aebleoe", German "Straße" → "strasse". Django's
``slugify`` drops the accents it can take apart (NFKD: "ż" → "z", "é" → "e") and silently
drops every letter it cannot ("Łódź mug" became ``odz-mug``)."""

from django.utils.text import slugify as django_slugify

# Letters that have no accent to drop (NFKD leaves them as they are) and their ASCII.
TRANSLITERATION = str.maketrans(
    {
        "ä": "ae",
        "Ä": "Ae",
        "ö": "oe",
        "Ö": "Oe",
        "ü": "ue",
        "Ü": "Ue",
        "ß": "ss",
        "æ": "ae",
        "Æ": "Ae",
        "ø": "oe",
        "Ø": "Oe",
        "å": "aa",
        "Å": "Aa",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "þ": "th",
        "Þ": "Th",
        "œ": "oe",
        "Œ": "Oe",
    }
)


def slugify(text):
    """``text`` as a slug, its letters written in ASCII as above."""
    return django_slugify(str(text).translate(TRANSLITERATION))


def unique_slug(queryset, text):
    """The slug of ``text`` for a row of ``queryset`` (the other rows: exclude the row being
    saved), as long as its ``slug`` column allows, with "-2", "-3" … appended while another
    row has it. "" when ``text`` has no letter or digit to write."""
    max_length = queryset.model._meta.get_field("slug").max_length
    base = slugify(text)[:max_length].strip("-")
    slug, number = base, 1
    while base and queryset.filter(slug=slug).exists():
        number += 1
        suffix = f"-{number}"
        slug = base[: max_length - len(suffix)].rstrip("-") + suffix
    return slug


def product_slug(queryset, name, sku):
    """A product's slug when none is given, in the catalog import and in the backoffice
    alike: its name and SKU ("Äpfel Größe", "AP-1" → "aepfel-groesse-ap-1"), unique among
    ``queryset``."""
    return unique_slug(queryset, f"{name}-{sku}")
