"""The personal-data browser's name search: customers, orders (guests included) and every
other declared source with name or e-mail fields (shop.personal_data.searchable: contact-form
threads, reviews …), so nobody is missed who only wrote to the shop."""

from dataclasses import dataclass

from django.apps import apps
from django.db.models import Q
from django.utils.text import capfirst

from shop import personal_data
from shop.db import PersonName

from .people import order_role, orders_model, user_model


def _terms(query):
    return [t for t in (query or "").split() if t][:5]


def _name_search(model, source, query):
    qs = model._default_manager.all()
    if source.name_fields:
        qs = qs.annotate(person_name=PersonName(*source.name_fields))
    for term in _terms(query):
        condition = Q(person_name__icontains=term) if source.name_fields else Q()
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


def _customer_id(row):
    users = user_model()
    for field in row._meta.concrete_fields:
        if field.is_relation and field.related_model is users:
            value = getattr(row, field.attname)
            if value is not None:
                return value
    return None


def _hit(row, source):
    name = " ".join(str(getattr(row, f) or "") for f in source.name_fields).strip()
    email = next((getattr(row, f) for f in source.email_fields if getattr(row, f, "")), "")
    customer = _customer_id(row)
    ref = personal_data.customer_ref(customer) if customer else personal_data.email_ref(email)
    created = next(
        (getattr(row, f) for f in ("created", "date", "submitted") if hasattr(row, f)), None
    )
    # capfirst, not str.capitalize(): that lowercases the rest ("Download-links")
    return Hit(row, str(capfirst(row._meta.verbose_name)), name, email, created, ref)


def search_other(query, limit=50):
    """Matches in every other searchable source, newest first within each, ``limit`` each."""
    hits = []
    for source in personal_data.searchable():
        model = apps.get_model(source.model)
        rows = _name_search(model, source, query).order_by("-pk")[:limit]
        hits += [_hit(row, source) for row in rows]
    return [h for h in hits if h.person_ref]
