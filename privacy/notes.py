"""Access-log notes in the reader's language.

The shop writes its notes into the append-only log in English (they are part of the entry's
hash, and the export keeps them as written). The entry's page shows the shop's own wordings
in the reader's language; what a person typed into them (a search term, a disclosure's
recipient, a reason for withholding) stays as typed, and a note no rule knows is shown as
it is. Each rule mirrors where the note is written (privacy.middleware, privacy.views,
privacy.services, orders.feeds).
"""

import re

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

SEPARATOR = " · "  # the parts of a report's note (privacy.services.reports)


def _rule(pattern, message):
    """A wording of the shop's: ``pattern`` matches the stored English, ``message`` is its
    translatable text with the pattern's named groups as placeholders."""
    return re.compile(pattern, re.S), lambda match: message % match.groupdict()


RULES = [
    _rule(r"rows not known to the log", _("rows not known to the log")),
    _rule(
        r"all rows of the list selected, only the ticked ones known",
        _("all rows of the list selected, only the ticked ones known"),
    ),
    _rule(r"new-orders feed", _("new-orders feed")),
    _rule(r"guest data erased", _("guest data erased")),
    _rule(r"name search: (?P<query>.*)", _("name search: %(query)s")),
    _rule(r"disclosure added: (?P<disclosure>.*)", _("disclosure added: %(disclosure)s")),
    _rule(
        r"disclosure changed from \[(?P<before>.*)\] to \[(?P<after>.*)\]",
        _("disclosure changed from [%(before)s] to [%(after)s]"),
    ),
    _rule(r"disclosure deleted: (?P<disclosure>.*)", _("disclosure deleted: %(disclosure)s")),
    _rule(
        r"personal-data report \((?P<format>[\w-]+), (?P<language>[\w-]+)\)",
        _("personal-data report (%(format)s, %(language)s)"),
    ),
    _rule(r"downloaded by the data subject", _("downloaded by the data subject")),
    _rule(r"withheld: (?P<withheld>.*)", _("withheld: %(withheld)s")),
    _rule(r"staff names: (?P<reason>.*)", _("staff names: %(reason)s")),
    (
        re.compile(r"purged (?P<count>\d+) entries older than (?P<time>\S+)"),
        lambda match: (
            ngettext(
                "purged %(count)s entry older than %(time)s",
                "purged %(count)s entries older than %(time)s",
                int(match["count"]),
            )
            % match.groupdict()
        ),
    ),
]


def _part(text):
    for pattern, render in RULES:
        match = pattern.fullmatch(text)
        if match:
            return str(render(match))
    return text


def display_note(note):
    """``note`` as the reader reads it (see the module)."""
    if not note:
        return note
    return SEPARATOR.join(_part(part) for part in note.split(SEPARATOR))
