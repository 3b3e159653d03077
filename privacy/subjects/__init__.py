"""Data subjects: who a reference means, where their personal data is stored, and what it is.

A *person* is a customer account (``customer:<pk>``) or a guest known only by e-mail
(``email:<address>``). Their data is collected from every installed model that points at the
customer, at one of their orders, at a record already found (a thread → its messages), or
that stores their e-mail address — via ``apps.get_models()``, so the report grows with the
apps and never needs the other apps' code.
"""

from shop.db import PersonName

from .export import as_json, for_data_subject
from .history import consultations, entries_about
from .people import Person, find_by_email, resolve, subject_refs
from .records import collect, collect_places, has_data
from .report import build
from .search import search_customers, search_orders, search_other

__all__ = [
    "Person",
    "PersonName",
    "as_json",
    "build",
    "collect",
    "collect_places",
    "consultations",
    "entries_about",
    "find_by_email",
    "for_data_subject",
    "has_data",
    "resolve",
    "search_customers",
    "search_orders",
    "search_other",
    "subject_refs",
]
