"""The names of downloaded files. A document is saved under its title in the reader's
language and its number ("rechnung-RE-2026-000012.pdf", "kreditnota-CN-2026-000001.pdf",
"faktura-korygujaca-CN-2026-000001.pdf"), its letters written in ASCII the way
``shop.slugs`` writes them, and sent the way every browser saves it (RFC 6266).

One place for every download: ``shop.pdf.pdf_response``, the documents' names
(``orders.models.document_filename``: also their e-mail attachments and exports), the
backoffice's files (``download_filename``: "umsatzbericht-…csv", "kody-…csv") and the
privacy pages' downloads.
"""

import re
import unicodedata
from urllib.parse import quote

from .slugs import TRANSLITERATION, slugify

# Not in a file name on any system: path separators, quotes, Windows' reserved characters,
# control characters; runs of them and of white space become one hyphen.
_UNSAFE = re.compile(r'[\s/\\:*?"<>|\x00-\x1f\x7f]+')
_NOT_ASCII_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
FALLBACK = "download"


def _tidy(name):
    # "a-.pdf" → "a.pdf"; no leading dot (a hidden file) or hyphen (an option to a shell)
    return re.sub(r"-*\.-*", ".", re.sub(r"-{2,}", "-", name)).strip("-.")


def safe_filename(name):
    """``name`` without the characters a file system or a header cannot take, words joined
    by hyphens; letters of every alphabet stay."""
    return _tidy(_UNSAFE.sub("-", unicodedata.normalize("NFC", str(name)))) or FALLBACK


def ascii_filename(name):
    """``name`` in ASCII letters, digits, ``.``, ``_`` and ``-`` ("Følgeseddel 7.pdf" →
    "Foelgeseddel-7.pdf"): what the plain ``filename="…"`` of a download can carry."""
    spelt = unicodedata.normalize("NFKD", safe_filename(name).translate(TRANSLITERATION))
    spelt = spelt.encode("ascii", "ignore").decode("ascii")
    return _tidy(_NOT_ASCII_SAFE.sub("-", spelt)) or FALLBACK


def document_filename(title, number, extension="pdf"):
    """A document's file name from its ``title`` as printed, in the reader's language, with
    its ``number`` in it: the words as a slug (lower case, ASCII), the number as printed.
    "Faktura korygująca CN-2026-000001" → "faktura-korygujaca-CN-2026-000001.pdf"."""
    number, title = str(number), str(title)
    if number not in title:  # a title without its number (or no number): both
        title = f"{title} {number}"
    words = title.split(number) if number else [title]
    parts = [slugify(words[0])]
    for text in words[1:]:
        parts += [ascii_filename(number), slugify(text)]
    stem = "-".join(part for part in parts if part) or FALLBACK
    return f"{stem}.{extension}" if extension else stem


def download_filename(name, *parts, extension):
    """A download named in the reader's language: ``name``, translated by the caller ("sales
    report" → "Umsatzbericht", "gift cards" → "karty podarunkowe"), and ``parts`` (a date
    stamp, a campaign's name) as slugs joined by hyphens — "umsatzbericht-20261201-20261231-
    tag.csv", "karty-podarunkowe-20261203-161942.csv", "kunder-20261203.csv" —, like the bulk
    files of the order list ("lieferscheine-20261203-1619.pdf")."""
    words = [slugify(word) for word in (name, *parts)]
    stem = "-".join(word for word in words if word) or FALLBACK
    return f"{stem}.{extension}"


def content_disposition(filename, *, attachment=True):
    """The ``Content-Disposition`` value of a download named ``filename`` (RFC 6266):
    ``filename="<its ASCII form>"`` for every browser and, for a name with other letters,
    also ``filename*=UTF-8''<the name>``, which the browsers that know it prefer."""
    disposition = "attachment" if attachment else "inline"
    exact = safe_filename(filename)
    plain = ascii_filename(exact)
    if plain == exact:
        return f'{disposition}; filename="{plain}"'
    return f"{disposition}; filename=\"{plain}\"; filename*=UTF-8''{quote(exact, safe='')}"
