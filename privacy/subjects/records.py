"""Where a person's data is stored and what it is: the records of the access report, the
"Show" page and the JSON export, collected from every model that points at the person, at
one of their orders, at a record already found (a thread → its messages), or that stores
their e-mail address — via ``apps.get_models()`` and the apps' declarations, so the report
grows with the apps and never needs their code."""

import json
from datetime import date, datetime
from decimal import Decimal

from django.apps import apps
from django.db import models
from django.db.models import Q, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from shop import events, mail, personal_data, retention

from ..models import Disclosure
from ..registry import EMAIL_FIELD_NAMES, STAFF_FIELD_NAMES, is_personal, label_of, not_personal
from .people import orders_model, orders_of, user_model

# Never printed: credentials and secrets are not "personal data" the subject can use.
# A nonce: the part of a signed link (an account confirmation) that makes it the newest one.
SECRET_PARTS = ("password", "token", "secret", "hash", "salt", "otp", "nonce")
# Duplicates of another field (an e-mail's HTML part repeats its text part).
SKIP_FIELDS = {"html", "html_body", "body_html"}  # shown inside each order as its items
CREATED_NAMES = (
    "created",
    "created_at",
    "date_joined",
    "time",
    "submitted",
    "issued_at",
    "attempt_time",
)


def _declared_fields(model):
    declared = personal_data.source(label_of(model))
    return declared.fields if declared is not None else ()


def has_data(person):
    return any(place["records"] for place in collect_places(person))


def _named(field):
    """A foreign key shown by the name of what it points at: a thing of the shop (a product,
    a topic, a campaign — in the reader's language), not another person's record, which
    stays a number."""
    return (field.many_to_one or field.one_to_one) and not is_personal(field.related_model)


def _display(obj, field):
    if field.choices:
        value = getattr(obj, f"get_{field.name}_display")()
    elif field.is_relation:
        value = getattr(obj, field.attname)
        if value is not None and (_declared_fields(type(obj)) or _named(field)):
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
    # A password-reset, download or guest link, a gift-card number or a personal discount
    # code (an e-mail's subject or text: its ``secret_values``) is a key, not personal data.
    return mail.without_secrets(str(value), getattr(obj, "secret_values", None))


def _fields(model):
    opts = model._meta
    declared = _declared_fields(model)
    if declared:
        return [opts.get_field(name) for name in declared]
    return [
        f
        for f in opts.concrete_fields
        if not any(part in f.name.lower() for part in SECRET_PARTS)
        and f.name not in SKIP_FIELDS
        and not isinstance(f, events.MessageField)  # its text is shown beside it
        and not (f.is_relation and f.related_model is user_model())
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
    declared = personal_data.source(label_of(type(obj)))
    if declared is not None and declared.record_title is not None and title is None:
        title = declared.record_title(obj)
    if declared is not None and declared.record_extra is not None and not extra:
        extra = declared.record_extra(obj)
    fields = []
    for field in _fields(type(obj)):
        value = _display(obj, field)
        if value != "" or _declared_fields(type(obj)):
            fields.append({"name": field.name, "label": _label(field), "value": value})
    fields.extend(extra)
    return {
        "title": title or f"{obj._meta.verbose_name} #{obj.pk}",
        "fields": fields,
        "created": _created(obj),
    }


def _place(model, records, staff_notes=False):
    name = str(model._meta.verbose_name_plural).capitalize()
    label = label_of(model)
    return {
        "key": f"{label}:staff_notes" if staff_notes else label,
        "place": _("Internal staff notes: %(place)s") % {"place": name} if staff_notes else name,
        "table": model._meta.db_table,
        "model": label,
        "staff_notes": staff_notes,
        "records": records,
    }


def _places_of(model, rows):
    """The model's place, and its internal staff notes as a place of their own (a category
    the data protection officer may withhold, GDPR Art. 15(4))."""
    declared = personal_data.source(label_of(model))
    is_note = declared.staff_note if declared is not None and declared.staff_note else None
    # the things the records name (a review's product): one query per kind, not per row
    prefetch_related_objects(rows, *[f.name for f in _fields(model) if f.is_relation and _named(f)])
    notes = [row for row in rows if is_note and is_note(row)]
    others = [row for row in rows if not (is_note and is_note(row))]
    places = [_place(model, [_record(row) for row in others])] if others else []
    if notes:
        places.append(_place(model, [_record(row) for row in notes], staff_notes=True))
    return places


def retention_of(place):
    """What the retention policy does with the records of ``place``, and when the oldest
    one's turn comes (shop.retention)."""
    dates = [r["created"] for r in place["records"] if r["created"]]
    oldest = min(dates) if dates else None
    return [
        {
            "category": rule.category,
            "label": retention.CATEGORIES[rule.category].label,
            "period": retention.period(rule.category),
            "law": retention.CATEGORIES[rule.category].law,
            "action": retention.ACTIONS[rule.action],
            "rule": rule.name,
            "oldest_due": retention.expires(rule.category, oldest),
        }
        for rule in retention.rules_for(place["model"])
    ]


def _candidate_models():
    handled = {label_of(user_model()), label_of(orders_model())}
    handled |= {s.model for s in personal_data.sources() if s.shown_with}
    handled |= not_personal()
    searched = personal_data.declared_apps()
    for model in apps.get_models():
        label = label_of(model)
        if model._meta.app_label not in searched or label in handled:
            continue
        if model._meta.proxy or not model._meta.managed:
            continue
        yield model


def _email_condition(model, emails):
    """Rows of ``model`` addressed to any of ``emails`` (the person's addresses)."""
    if isinstance(emails, str):
        emails = [emails]
    condition = None
    for email in (e for e in emails if e):
        for field in model._meta.concrete_fields:
            if field.name in EMAIL_FIELD_NAMES and isinstance(field, models.EmailField):
                q = Q(**{f"{field.name}__iexact": email})
                condition = q if condition is None else condition | q
        declared = personal_data.source(label_of(model))
        if declared is not None and declared.email_lookup is not None:
            q = declared.email_lookup(email)
            condition = q if condition is None else condition | q
    return condition


def collect_places(person):
    """[{place, table, model, records: [{title, fields: [{name,label,value}], created}]}]"""
    User, Order = user_model(), orders_model()
    places = []
    if person.user:
        places.append(_place(User, [_record(person.user)]))
    orders = orders_of(person)
    places.append(_place(Order, [_record(o) for o in orders]))

    found = {User: {person.user.pk} if person.user else set(), Order: {o.pk for o in orders}}
    done = {}
    for _pass in range(4):  # a thread → its messages → their attachments
        changed = False
        for model in _candidate_models():
            condition = _email_condition(model, person.emails)
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
            places += _places_of(model, list(rows))
    return places


def collect(person):
    """Everything the report, the Show page and the JSON export contain."""
    orders = label_of(orders_model())
    places = [p for p in collect_places(person) if p["records"] or p["model"] == orders]
    for place in places:
        dates = [r["created"] for r in place["records"] if r["created"]]
        place["since"] = min(dates) if dates else None
        place["retention"] = retention_of(place)
    dates = [p["since"] for p in places if p["since"]]
    disclosures = list(Disclosure.objects.filter(subject=person.ref).select_related("created_by"))
    return {
        "person": person,
        "places": places,
        "first_seen": min(dates) if dates else None,
        "disclosures": disclosures,
        "generated": timezone.now(),
    }
