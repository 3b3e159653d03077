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
