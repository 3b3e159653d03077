"""Data subjects: who a reference means, where their personal data is stored, and what it is.

A *person* is a customer account (``customer:<pk>``) or a guest known only by e-mail
(``email:<address>``). Their data is collected from every installed model that points at the
customer, at one of their orders, at a record already found (a thread → its messages), or
that stores their e-mail address — via ``apps.get_models()``, so the report grows with the
apps and never needs the other apps' code.
"""

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.db import PersonName, json_array_contains

from .models import Disclosure
from .registry import EMAIL_FIELD_NAMES, NOT_PERSONAL, STAFF_FIELD_NAMES, label_of
from .services import PrivacyError

# The apps whose tables hold shop data (others: auth, sessions, OTP devices, axes …).
SHOP_APPS = ["customers", "orders", "shop", "vouchers", "giftcards", "helpdesk", "reviews"]

# Fields shown for the core models, in this order; other models show every field.
CORE_FIELDS = {
    "customers.user": [
        "email",
        "customer_number",
        "first_name",
        "last_name",
        "company",
        "phone",
        "language",
        "group",
        "is_rejected",
        "is_test",
        "open_amount_limit",
        "date_joined",
        "last_login",
        "is_active",
    ],
    "customers.address": [
        "first_name",
        "last_name",
        "company",
        "street",
        "postcode",
        "city",
        "country",
        "phone",
        "is_default",
    ],
    "orders.order": [
        "number",
        "created",
        "email",
        "phone",
        "language",
        "billing_first_name",
        "billing_last_name",
        "billing_company",
        "billing_street",
        "billing_postcode",
        "billing_city",
        "billing_country",
        "shipping_first_name",
        "shipping_last_name",
        "shipping_company",
        "shipping_street",
        "shipping_postcode",
        "shipping_city",
        "shipping_country",
        "status",
        "payment_status",
        "payment_method",
        "grand_total",
        "voucher_code",
        "partner_consent",
        "customer_note",
    ],
}
# Never printed: credentials and secrets are not "personal data" the subject can use.
SECRET_PARTS = ("password", "token", "secret", "hash", "salt", "otp")
SKIP_MODELS = {"orders.orderline"}
# Duplicates of another field (an e-mail's HTML part repeats its text part).
SKIP_FIELDS = {"html", "html_body", "body_html"}  # shown inside each order as its items
CREATED_NAMES = ("created", "created_at", "date_joined", "time", "submitted", "issued_at")


@dataclass
class Person:
    ref: str
    user: object = None
    email: str = ""
    name: str = ""

    @property
    def is_customer(self):
        return self.user is not None

    @property
    def kind(self):
        return _("customer account") if self.user else _("guest (known by e-mail)")


def _user_model():
    return apps.get_model(settings.AUTH_USER_MODEL)


def _order_model():
    return apps.get_model("orders", "Order")


def _person_for_user(user):
    return Person(f"customer:{user.pk}", user, user.email, user.get_full_name() or user.email)


def _person_for_email(email, name=""):
    email = email.strip().lower()
    user = _user_model().objects.filter(email__iexact=email).first()
    if user:
        return _person_for_user(user)
    if not name:
        order = _order_model().objects.filter(email__iexact=email).order_by("-created").first()
        name = order.billing_name if order else email
    return Person(f"email:{email}", None, email, name)


def resolve(ref):
    """The person behind a reference (customer:…, order:…, email:…); PrivacyError if none."""
    kind, _sep, key = (ref or "").partition(":")
    try:
        if kind == "customer":
            return _person_for_user(_user_model().objects.get(pk=int(key)))
        if kind == "order":
            order = _order_model().objects.select_related("customer").get(pk=int(key))
            if order.customer:
                return _person_for_user(order.customer)
            return _person_for_email(order.email, order.billing_name)
        if kind == "email" and "@" in key:
            person = _person_for_email(key)
            if person.user or has_data(person):
                return person
    except (ValueError, _user_model().DoesNotExist, _order_model().DoesNotExist):
        pass
    raise PrivacyError(_("No data subject %(ref)s.") % {"ref": ref})


def find_by_email(email):
    """The person with this e-mail address (account or guest orders); PrivacyError if none."""
    if "@" not in (email or ""):
        raise PrivacyError(_("%(email)s is not an e-mail address.") % {"email": email})
    return resolve(f"email:{email.strip().lower()}")


def has_data(person):
    return any(place["records"] for place in collect_places(person))


# --- collecting -----------------------------------------------------------------------------


def _display(obj, field):
    if field.choices:
        value = getattr(obj, f"get_{field.name}_display")()
    elif field.is_relation:
        value = getattr(obj, field.attname)
        if value is not None and label_of(type(obj)) in CORE_FIELDS:
            value = str(getattr(obj, field.name))  # one row each: group, payment method
        elif value is not None:
            value = f"#{value}"
    else:
        value = getattr(obj, field.attname)
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Decimal | int | float):
        return str(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _fields(model):
    label = label_of(model)
    opts = model._meta
    if label in CORE_FIELDS:
        return [opts.get_field(name) for name in CORE_FIELDS[label]]
    return [
        f
        for f in opts.concrete_fields
        if not any(part in f.name.lower() for part in SECRET_PARTS)
        and f.name not in SKIP_FIELDS
        and not (f.is_relation and f.related_model is _user_model())
    ]


def _created(obj):
    for name in CREATED_NAMES:
        value = getattr(obj, name, None)
        if isinstance(value, datetime):
            return value
    return None


def _label(field):
    label = str(field.verbose_name)
    if field.name.startswith("billing_"):
        return _("billing address: %(field)s") % {"field": label}
    if field.name.startswith("shipping_") and not field.is_relation:
        return _("shipping address: %(field)s") % {"field": label}
    return label


def _record(obj, title=None, extra=()):
    fields = []
    for field in _fields(type(obj)):
        value = _display(obj, field)
        if value != "" or label_of(type(obj)) in CORE_FIELDS:
            fields.append({"name": field.name, "label": _label(field), "value": value})
    fields.extend(extra)
    return {
        "title": title or f"{obj._meta.verbose_name} #{obj.pk}",
        "fields": fields,
        "created": _created(obj),
    }


def _place(model, records):
    return {
        "place": str(model._meta.verbose_name_plural).capitalize(),
        "table": model._meta.db_table,
        "model": label_of(model),
        "records": records,
    }


def _orders_of(person):
    Order = _order_model()
    if person.user:
        condition = Q(customer=person.user) | Q(customer__isnull=True, email__iexact=person.email)
    else:
        condition = Q(email__iexact=person.email)
    return list(
        Order.objects.filter(condition)
        .select_related("payment_method")
        .prefetch_related("lines")
        .order_by("created")
    )


def _order_record(order):
    items = "; ".join(f"{line.quantity} × {line.name} ({line.sku})" for line in order.lines.all())
    title = _("Order %(number)s") % {"number": order.number}
    if order.customer_id is None:
        title += " · " + _("guest order")
    return _record(order, title, [{"name": "items", "label": _("items"), "value": items}])


def _candidate_models():
    handled = {"customers.user", "customers.address", "orders.order"} | SKIP_MODELS
    for model in apps.get_models():
        label = label_of(model)
        if model._meta.app_label not in SHOP_APPS or label in handled or label in NOT_PERSONAL:
            continue
        if model._meta.proxy or not model._meta.managed:
            continue
        yield model


def _email_condition(model, email):
    if not email:
        return None
    condition = None
    for field in model._meta.concrete_fields:
        if field.name in EMAIL_FIELD_NAMES and isinstance(field, models.EmailField):
            q = Q(**{f"{field.name}__iexact": email})
            condition = q if condition is None else condition | q
    if label_of(model) == "shop.outboxemail":
        q = json_array_contains("to", email)
        condition = q if condition is None else condition | q
    return condition


def collect_places(person):
    """[{place, table, model, records: [{title, fields: [{name,label,value}], created}]}]"""
    User, Order = _user_model(), _order_model()
    places = []
    if person.user:
        places.append(_place(User, [_record(person.user, _("Customer account"))]))
        Address = apps.get_model("customers", "Address")
        addresses = list(Address.objects.filter(customer=person.user))
        places.append(_place(Address, [_record(a, _("Address")) for a in addresses]))
    orders = _orders_of(person)
    places.append(_place(Order, [_order_record(o) for o in orders]))

    found = {User: {person.user.pk} if person.user else set(), Order: {o.pk for o in orders}}
    done = {}
    for _pass in range(4):  # a thread → its messages → their attachments
        changed = False
        for model in _candidate_models():
            condition = _email_condition(model, person.email)
            targets = []
            for field in model._meta.concrete_fields:
                if not field.is_relation or field.name in STAFF_FIELD_NAMES:
                    continue
                pks = found.get(field.related_model)
                if pks:
                    targets.append(field.name)
                    q = Q(**{f"{field.attname}__in": sorted(pks)})
                    condition = q if condition is None else condition | q
            signature = (tuple(targets), tuple(len(found.get(m, ())) for m in found))
            if condition is None or done.get(model) == signature:
                continue
            done[model] = signature
            rows = list(model._default_manager.filter(condition).order_by("pk"))
            pks = {row.pk for row in rows}
            if pks != found.get(model, set()):
                found[model] = pks
                changed = True
        if not changed:
            break
    for model in _candidate_models():
        if found.get(model):
            rows = model._default_manager.filter(pk__in=sorted(found[model])).order_by("pk")
            places.append(_place(model, [_record(row) for row in rows]))
    return places


def collect(person):
    """Everything the report, the Show page and the JSON export contain."""
    places = [p for p in collect_places(person) if p["records"] or p["model"] == "orders.order"]
    dates = [r["created"] for p in places for r in p["records"] if r["created"]]
    disclosures = list(Disclosure.objects.filter(subject=person.ref).select_related("created_by"))
    return {
        "person": person,
        "places": places,
        "first_seen": min(dates) if dates else None,
        "disclosures": disclosures,
        "generated": timezone.now(),
    }


def as_json(data):
    person = data["person"]
    return {
        "subject": {
            "reference": person.ref,
            "kind": "customer" if person.user else "guest",
            "name": person.name,
            "email": person.email,
        },
        "generated": data["generated"].isoformat(),
        "first_seen": data["first_seen"].isoformat() if data["first_seen"] else None,
        "storage_places": [
            {
                "place": p["place"],
                "table": p["table"],
                "model": p["model"],
                "records": [
                    {
                        "title": r["title"],
                        "created": r["created"].isoformat() if r["created"] else None,
                        "fields": {f["name"]: f["value"] for f in r["fields"]},
                    }
                    for r in p["records"]
                ],
            }
            for p in data["places"]
        ],
        "disclosures": [
            {
                "date": d.date.isoformat(),
                "recipient": d.recipient,
                "scope": d.scope,
                "recorded": d.created.isoformat(),
            }
            for d in data["disclosures"]
        ],
    }


def subject_refs(person):
    """Every reference under which the access log may name this person."""
    refs = [person.ref, f"email:{person.email}"] if person.email else [person.ref]
    refs += [f"order:{o.pk}" for o in _orders_of(person)]
    return list(dict.fromkeys(refs))


# --- name search (personal-data browser) ----------------------------------------------------


def _terms(query):
    return [t for t in (query or "").split() if t][:5]


def search_customers(query, limit=50):
    User = _user_model()
    qs = User.objects.filter(is_staff=False).annotate(
        person_name=PersonName("first_name", "last_name")
    )
    for term in _terms(query):
        qs = qs.filter(Q(person_name__icontains=term) | Q(email__icontains=term))
    return list(
        qs.order_by("person_name", "pk").only(
            "pk", "email", "first_name", "last_name", "date_joined", "customer_number"
        )[:limit]
    )


def search_orders(query, limit=50):
    Order = _order_model()
    qs = Order.objects.annotate(person_name=PersonName("billing_first_name", "billing_last_name"))
    for term in _terms(query):
        qs = qs.filter(Q(person_name__icontains=term) | Q(email__icontains=term))
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
