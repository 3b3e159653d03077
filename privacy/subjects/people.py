"""Who a reference means: a customer account (``customer:<pk>``), or a guest known only by
e-mail (``email:<address>``); an order reference (``order:<pk>``) means its buyer."""

from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from shop import personal_data

from ..errors import PrivacyError
from ..registry import order_model


@dataclass
class Person:
    ref: str
    user: object = None
    email: str = ""
    name: str = ""
    language: str = ""  # of their account or their latest order: the report's language
    # Every address that is the person's: a customer's earlier login addresses too (the
    # e-mails sent and the guest orders placed under them are theirs, as for the erasure)
    emails: tuple = ()

    def __post_init__(self):
        if not self.emails and self.email:
            self.emails = (self.email.strip().lower(),)

    @property
    def is_customer(self):
        return self.user is not None

    @property
    def kind(self):
        return _("customer account") if self.user else _("guest (known by e-mail)")


def user_model():
    return apps.get_model(settings.AUTH_USER_MODEL)


def orders_model():
    model = order_model()
    if model is None:
        raise PrivacyError(_("No app declares the orders of data subjects."))
    return model


def customer_field(model):
    """The foreign key from ``model`` (the orders) to the person's account."""
    users = user_model()
    return next(f for f in model._meta.concrete_fields if f.related_model is users)


def order_role():
    return personal_data.with_role(personal_data.ORDER)


def _earlier_addresses(user):
    """The user's earlier login addresses that no other account holds now."""
    earlier = {a.strip().lower() for a in getattr(user, "previous_emails", None) or () if a}
    earlier.discard((user.email or "").strip().lower())
    if not earlier:
        return []
    taken = {
        e.lower()
        for e in user_model()
        .objects.exclude(pk=user.pk)
        .filter(_any_email("email", earlier))
        .values_list("email", flat=True)
    }
    return sorted(earlier - taken)


def _any_email(field, emails):
    condition = Q(pk__in=[])
    for email in emails:
        condition |= Q(**{f"{field}__iexact": email})
    return condition


def _person_for_user(user):
    name = user.get_full_name() or user.email
    emails = ((user.email or "").strip().lower(), *_earlier_addresses(user))
    return Person(
        f"customer:{user.pk}", user, user.email, name, getattr(user, "language", ""), emails
    )


def _earlier_owner(email):
    """The one account whose earlier login address ``email`` is, or None."""
    from shop.db import json_array_contains

    users = list(user_model().objects.filter(json_array_contains("previous_emails", email))[:2])
    return users[0] if len(users) == 1 else None


def _person_for_email(email, name=""):
    email = email.strip().lower()
    user = user_model().objects.filter(email__iexact=email).first() or _earlier_owner(email)
    if user:
        return _person_for_user(user)
    order = orders_model().objects.filter(email__iexact=email).order_by("-created").first()
    if not name:
        name = order.billing_name if order else _name_elsewhere(email) or email
    return Person(f"email:{email}", None, email, name, getattr(order, "language", ""))


def _name_elsewhere(email):
    """The name someone gave with this address in another source (contact form, review)."""
    for source in personal_data.searchable():
        if not source.name_fields or not source.email_fields:
            continue
        condition = Q()
        for field in source.email_fields:
            condition |= Q(**{f"{field}__iexact": email})
        row = apps.get_model(source.model)._default_manager.filter(condition).first()
        if row is not None:
            name = " ".join(
                str(personal_data.field_value(row, f) or "") for f in source.name_fields
            ).strip()
            if name:
                return name
    return ""


def resolve(ref):
    """The person behind a reference (customer:…, order:…, email:…); PrivacyError if none."""
    kind, _sep, key = (ref or "").partition(":")
    from .records import has_data

    try:
        if kind == "customer":
            return _person_for_user(user_model().objects.get(pk=int(key)))
        if kind == "order":
            order = orders_model().objects.select_related("customer").get(pk=int(key))
            if order.customer:
                return _person_for_user(order.customer)
            return _person_for_email(order.email, order.billing_name)
        if kind == "email" and "@" in key:
            person = _person_for_email(key)
            if person.user or has_data(person):
                return person
    except (ValueError, user_model().DoesNotExist, orders_model().DoesNotExist):
        pass
    raise PrivacyError(_("No data subject %(ref)s.") % {"ref": ref})


def find_by_email(email):
    """The person with this e-mail address (account or guest orders); PrivacyError if none."""
    if "@" not in (email or ""):
        raise PrivacyError(_("%(email)s is not an e-mail address.") % {"email": email})
    return resolve(f"email:{email.strip().lower()}")


def _orders_condition(person):
    Order = orders_model()
    customer = customer_field(Order).name
    by_email = Q(pk__in=[])
    for name in order_role().email_fields:
        by_email |= _any_email(name, person.emails)
    if person.user:
        return Q(**{customer: person.user}) | (Q(**{f"{customer}__isnull": True}) & by_email)
    return by_email


def orders_of(person):
    return list(
        orders_model()
        .objects.filter(_orders_condition(person))
        .select_related("payment_method")
        .prefetch_related(*order_role().prefetch)
        .order_by("created")
    )


def subject_refs(person):
    """Every reference under which the access log may name this person."""
    refs = [person.ref] + [f"email:{email}" for email in person.emails]
    order_ids = orders_model().objects.filter(_orders_condition(person)).order_by("pk")
    refs += [personal_data.order_ref(pk) for pk in order_ids.values_list("pk", flat=True)]
    return list(dict.fromkeys(refs))
