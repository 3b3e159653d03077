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

RULES = [
    (re.compile(r"rows not known to the log"), lambda m: _("rows not known to the log")),
    (re.compile(r"new-orders feed"), lambda m: _("new-orders feed")),
    (
        re.compile(r"name search: (?P<query>.*)", re.S),
        lambda m: _("name search: %(query)s") % m.groupdict(),
    ),
    (
        re.compile(r"disclosure added: (?P<disclosure>.*)", re.S),
        lambda m: _("disclosure added: %(disclosure)s") % m.groupdict(),
    ),
    (
        re.compile(r"disclosure changed from \[(?P<before>.*)\] to \[(?P<after>.*)\]", re.S),
        lambda m: _("disclosure changed from [%(before)s] to [%(after)s]") % m.groupdict(),
    ),
    (
        re.compile(r"disclosure deleted: (?P<disclosure>.*)", re.S),
        lambda m: _("disclosure deleted: %(disclosure)s") % m.groupdict(),
    ),
    (
        re.compile(r"personal-data report \((?P<format>[\w-]+), (?P<language>[\w-]+)\)"),
        lambda m: _("personal-data report (%(format)s, %(language)s)") % m.groupdict(),
    ),
    (
        re.compile(r"withheld: (?P<withheld>.*)", re.S),
        lambda m: _("withheld: %(withheld)s") % m.groupdict(),
    ),
    (
        re.compile(r"staff names: (?P<reason>.*)", re.S),
        lambda m: _("staff names: %(reason)s") % m.groupdict(),
    ),
    (
        re.compile(r"purged (?P<count>\d+) entries older than (?P<time>\S+)"),
        lambda m: (
            ngettext(
                "purged %(count)s entry older than %(time)s",
                "purged %(count)s entries older than %(time)s",
                int(m["count"]),
            )
            % m.groupdict()
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
