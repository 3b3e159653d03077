"""The personal-data browser's name search over customers and orders (guests included)."""

from django.db.models import Q

from shop import personal_data
from shop.db import PersonName

from .people import order_role, orders_model, user_model


def _terms(query):
    return [t for t in (query or "").split() if t][:5]


def _name_search(model, source, query):
    qs = model.objects.annotate(person_name=PersonName(*source.name_fields))
    for term in _terms(query):
        condition = Q(person_name__icontains=term)
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
