"""The personal-data browser's name search: customers, orders (guests included) and every
other declared source with name or e-mail fields (shop.personal_data.searchable: contact-form
threads, reviews …), so nobody is missed who only wrote to the shop."""

from dataclasses import dataclass

from django.apps import apps
from django.db.models import F, Q
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from shop import personal_data, retention
from shop.db import FoldedContains, PersonName
from shop.models import RetentionPolicy

from ..registry import STAFF_FIELD_NAMES
from .people import order_role, orders_model, user_model
from .records import document_number


def _terms(query):
    return [t for t in (query or "").split() if t][:5]


def _name_search(model, source, query):
    """Rows whose name contains each term, case and accents ignored ("lukasz wrobel" finds
    "Łukasz Wróbel": people often write their name without its diacritics), or whose
    e-mail address does. The customers', orders' and invoices' trigram indexes are on the
    folded name (shop.db.FoldedContains)."""
    qs = model._default_manager.all()
    if source.name_fields:
        qs = qs.annotate(person_name=PersonName(*source.name_fields))
    for term in _terms(query):
        condition = Q(FoldedContains(F("person_name"), term)) if source.name_fields else Q()
        for name in source.email_fields:
            condition |= Q(**{f"{name}__icontains": term})
        qs = qs.filter(condition)
    return qs


def search_customers(query, limit=50):
    User = user_model()
    source = personal_data.with_role(personal_data.CUSTOMER)
    qs = _name_search(User, source, query).filter(is_staff=False)
    return list(
        qs.order_by("person_name", "pk").only(
            "pk", "email", "first_name", "last_name", "date_joined", "customer_number"
        )[:limit]
    )


def search_orders(query, limit=50):
    Order = orders_model()
    qs = _name_search(Order, order_role(), query)
    return list(
        qs.order_by("-created").only(
            "pk",
            "number",
            "created",
            "email",
            "customer_id",
            "billing_first_name",
            "billing_last_name",
        )[:limit]
    )


@dataclass
class Hit:
    """A row of another source that matched: whose it is and where it is stored."""

    row: object
    place: str
    name: str
    email: str
    created: object
    person_ref: str
    # Why it is still stored (an erased customer's invoices: the retention rule and its law)
    kept: str = ""


def _relations(model):
    """Foreign keys that may lead to the person's account: not a staff member's."""
    return [
        f
        for f in model._meta.concrete_fields
        if f.is_relation and (f.many_to_one or f.one_to_one) and f.name not in STAFF_FIELD_NAMES
    ]


def _customer_id(row, depth=0):
    """The account the row belongs to: its own customer foreign key, else that of a row it
    points at that was read with it (an invoice's order, a credit note's invoice's order) —
    never the staff member who created it."""
    users = user_model()
    fields = _relations(type(row))
    for field in fields:
        if field.related_model is users:
            value = getattr(row, field.attname)
            if value is not None:
                return value
    if depth < 2:
        for field in fields:
            if field.related_model is not users and field.is_cached(row):
                related = getattr(row, field.name)
                found = _customer_id(related, depth + 1) if related is not None else None
                if found:
                    return found
    return None


def _select_related(model, source):
    """The rows a hit's owner is read from, with the row in one query: the relations its
    name and e-mail paths cross and the order each of them (or the row) points at."""
    orders = orders_model()
    paths = set()
    for prefix in {
        "",
        *(p.rsplit("__", 1)[0] for p in (*source.name_fields, *source.email_fields) if "__" in p),
    }:
        target = model
        if prefix:
            paths.add(prefix)
            for part in prefix.split("__"):
                target = target._meta.get_field(part).related_model
        own = _relations(target)
        if any(f.related_model is user_model() for f in own):
            continue  # the row names its customer itself
        for field in own:
            if field.related_model is orders:
                paths.add(f"{prefix}__{field.name}" if prefix else field.name)
    return sorted(paths)


def _kept(source, policy):
    """Why the rows of ``source`` are kept, as the retention policy page says it: the
    category, its period under ``policy`` and its law (several rules of one category named
    once)."""
    parts = {}
    for rule in retention.rules_for(source.model):
        category = retention.CATEGORIES[rule.category]
        parts.setdefault(
            rule.category,
            _("%(category)s: %(period)s (%(law)s)")
            % {
                "category": category.label,
                "period": retention.period(rule.category, policy),
                "law": category.law,
            },
        )
    return "; ".join(parts.values())


def _hit(row, source, kept=""):
    name = " ".join(
        str(personal_data.field_value(row, f) or "") for f in source.name_fields
    ).strip()
    email = next(
        (v for v in (personal_data.field_value(row, f) for f in source.email_fields) if v), ""
    )
    customer = _customer_id(row)
    ref = personal_data.customer_ref(customer) if customer else personal_data.email_ref(email)
    created = next(
        (getattr(row, f) for f in ("created", "date", "submitted") if hasattr(row, f)), None
    )
    # capfirst, not str.capitalize(): that lowercases the rest ("Download-links"); a
    # document with its number ("Invoice 2026-000117")
    place = " ".join(filter(None, [str(capfirst(row._meta.verbose_name)), document_number(row)]))
    return Hit(row, place, name, email, created, ref, kept)


def search_other(query, limit=50):
    """Matches in every other searchable source, newest first within each, ``limit`` each."""
    hits = []
    policy = None  # read once, and only when a source has rows to explain
    for source in personal_data.searchable():
        model = apps.get_model(source.model)
        rows = _name_search(model, source, query)
        related = _select_related(model, source)
        if related:
            rows = rows.select_related(*related)
        found = list(rows.order_by("-pk")[:limit])
        if not found:
            continue
        if policy is None:
            policy = RetentionPolicy.load()
        kept = _kept(source, policy)
        hits += [_hit(row, source, kept) for row in found]
    return [h for h in hits if h.person_ref]
