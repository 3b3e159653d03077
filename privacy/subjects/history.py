"""A data subject's own access history: every consultation of their data in the access log.

The CJEU (C-579/21 *Pankki S*, 22 June 2023) counts the dates and purposes of consultations
of a person's data among what the right of access gives them — as a rule without the names
of the employees. Each entry naming one of the person's references becomes a consultation:
when, what was viewed (list, detail, print, export … of which section) and why, derived from
the backoffice section the entry was written in (shop.personal_data purposes). Staff names
only when the data protection officer adds them for a recorded reason.

"Who looked at customer X" is the same query (GIN index on ``subjects``).
"""

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.db.models import F
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from shop import personal_data
from shop.db import json_array_contains_any, without_jit

from ..middleware import ADMIN_NAMESPACE, admin_model
from ..models import AccessLogEntry
from .people import subject_refs

REPORT_COMMAND = "privacy_report"
# Privacy's storefront pages (outside the backoffice) are the data subject's own: the
# download of their data (privacy.urls).
SELF_SERVICE_APP = "privacy"


@dataclass(frozen=True)
class Consultation:
    entry_id: int
    time: datetime
    action: str
    section: str  # lazy: translated when shown
    purpose: str
    staff: str | None = None

    @property
    def action_label(self):
        return str(AccessLogEntry.Action(self.action).label)

    @property
    def purpose_label(self):
        return str(personal_data.PURPOSES.get(self.purpose, self.purpose))

    @property
    def what(self):
        return f"{self.action_label} · {self.section}" if self.section else self.action_label


# Newest first, but not through the primary key: ``ORDER BY id DESC LIMIT 50`` tempts the
# planner (which guesses 1 % of all rows for any JSON containment) into walking the id index
# of 20 million entries; ``id + 0`` makes it take the GIN index on subjects and sort the few
# hundred hits.
NEWEST_FIRST = (F("id") + 0).desc()


def entries_about(person):
    """The access-log entries that name ``person`` (or one of their orders), newest first.
    Evaluate inside ``shop.db.without_jit()``."""
    refs = subject_refs(person)
    return AccessLogEntry.objects.filter(json_array_contains_any("subjects", refs)).order_by(
        NEWEST_FIRST, "-id"
    )


@lru_cache(maxsize=2048)
def section_of(path):
    """(purpose key, section label) of the place an entry was written: the backoffice section
    of its URL, the app of another staff-facing URL, the data subject's own download of their
    data (privacy's storefront pages), or the command that wrote it. The label
    stays lazy (the cache serves every language)."""
    if path.startswith("manage.py "):
        command = (path.split() + [""])[1]
        if command == REPORT_COMMAND:
            return personal_data.DATA_PROTECTION, _("personal-data report")
        return personal_data.ADMINISTRATION, command
    url = urlsplit(path).path
    try:
        # A storefront URL keeps its language (/pl/account/…): resolved in that language,
        # whatever the reader's is.
        language = translation.get_language_from_path(url) or settings.LANGUAGE_CODE
        with translation.override(language):
            match = resolve(url)
    except Resolver404:
        return personal_data.ADMINISTRATION, ""
    if ADMIN_NAMESPACE in match.namespaces:
        model = admin_model(match)
        if model is None:
            return personal_data.ADMINISTRATION, ""
        label = f"{model._meta.app_label}.{model._meta.model_name}"
        return personal_data.purpose_of(label), model._meta.verbose_name_plural
    app = match.app_name or (match.namespaces[0] if match.namespaces else "")
    try:
        verbose = apps.get_app_config(app).verbose_name
    except LookupError:
        verbose = ""
    if app == SELF_SERVICE_APP:  # the customer's own account pages of privacy
        return personal_data.DATA_SUBJECT, verbose
    return personal_data.purpose_of(app), verbose


def consultations(person, *, with_staff=False):
    """Every consultation of ``person``'s data, newest first (staff names only if asked)."""
    rows = entries_about(person).values_list("id", "time", "action", "path", "username")
    result = []
    with without_jit():
        rows = list(rows)
    for entry_id, time, action, path, username in rows:
        if action == AccessLogEntry.Action.PURGE:
            continue
        purpose, section = section_of(path)
        result.append(
            Consultation(entry_id, time, action, section, purpose, username if with_staff else None)
        )
    return result
