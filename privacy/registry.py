"""Which models hold personal data, and which data subjects a row refers to.

The apps declare their models in ``shop.personal_data`` (each app's ``personal_data.py``);
this module reads those declarations and adds privacy's own. A model is personal if it is
declared, if it is the user model, or if it has a foreign key to a personal model (an order, a
thread, a gift card ...) or an e-mail field — so a new backoffice screen is covered by
default. A declaration's ``subjects`` refines the references of its model; everything else
uses :func:`default_subjects`.

References: ``customer:<pk>``, ``order:<pk>``, ``email:<address>`` for someone known only by
e-mail, and ``<app_label>.<model_name>:<pk>`` for any other row.
"""

from functools import cache

from django.apps import apps
from django.conf import settings
from django.db import models

from shop import personal_data
from shop.personal_data import customer_ref, email_ref, order_ref

# privacy's own tables
OWN_PERSONAL = {"privacy.disclosure", "privacy.accesslogentry", "privacy.accessreport"}
OWN_NOT_PERSONAL = {
    "privacy.accessloghead",
    "privacy.accessloganchor",
    "privacy.subject",
}


def personal_models():
    """Labels of the models declared to hold personal data."""
    return {s.model for s in personal_data.sources() if s.personal} | OWN_PERSONAL


def not_personal():
    """Labels of models that have a user foreign key but show no customer's data."""
    return {s.model for s in personal_data.sources() if not s.personal} | OWN_NOT_PERSONAL


# Foreign keys to the user model that point at staff, not at the data subject.
STAFF_FIELD_NAMES = {
    "created_by",
    "updated_by",
    "changed_by",
    "operator",
    "staff",
    "staff_user",
    "moderated_by",
    "issued_by",
    "adjusted_by",
    "handled_by",
    "sent_by",
    "processed_by",
    "refunded_by",
    "reply_by",
    "assignee",
    "issued_by_staff",
    "author",  # of an order comment or a helpdesk message: staff (customers write as guests)
}

EMAIL_FIELD_NAMES = {"email", "sender_email", "recipient_email", "customer_email"}

# Fields that hold a buyer's EU VAT ID: an account's, an order's, an invoice's copy, a VIES
# check's (customers.VatIdCheck).
VAT_ID_FIELD_NAMES = {"vat_id", "billing_vat_id", "buyer_vat_id"}


def label_of(model):
    return f"{model._meta.app_label}.{model._meta.model_name}"


def _user_model():
    return apps.get_model(settings.AUTH_USER_MODEL)


def order_model():
    """The model that plays the ORDER role (``order:<pk>`` references), or None."""
    declared = personal_data.with_role(personal_data.ORDER)
    return apps.get_model(declared.model) if declared else None


@cache
def is_personal(model, _seen=()):
    label = label_of(model)
    if label in not_personal():
        return False
    if label in personal_models() or model is _user_model():
        return True
    if model._meta.proxy:
        return is_personal(model._meta.concrete_model)
    for field in model._meta.concrete_fields:
        if field.name in EMAIL_FIELD_NAMES and isinstance(field, models.EmailField):
            return True
        if not field.is_relation or field.name in STAFF_FIELD_NAMES:
            continue
        target = field.related_model
        if target is model or target in _seen:
            continue
        if is_personal(target, _seen + (model,)):
            return True
    return False


def vat_id_fields(model):
    """The names of ``model``'s fields that hold a buyer's VAT ID."""
    return [
        f.name
        for f in model._meta.concrete_fields
        if f.name in VAT_ID_FIELD_NAMES and isinstance(f, models.CharField)
    ]


@cache
def vat_id_keyed(model):
    """The VAT ID field of a personal model whose rows only a VAT ID ties to a person, else
    None. A VIES check (customers.VatIdCheck) has no customer column: one VAT ID's
    confirmation serves every buyer of that company for VIES_CACHE_HOURS. Its rows are a
    person's when the VAT ID is theirs — their account's, their orders' or invoices'
    (privacy.subjects.records). A model with a foreign key to a personal row or an e-mail
    field is found through those, never by a VAT ID: another buyer of the same company is
    another person."""
    if model._meta.proxy or not is_personal(model):
        return None
    user_model = _user_model()
    for field in model._meta.concrete_fields:
        if field.name in EMAIL_FIELD_NAMES and isinstance(field, models.EmailField):
            return None
        if field.is_relation and field.name not in STAFF_FIELD_NAMES:
            if field.related_model is user_model or is_personal(field.related_model):
                return None
    fields = vat_id_fields(model)
    return fields[0] if len(fields) == 1 else None


def access_log_subjects(obj):
    return [f"privacy.accesslogentry:{obj.pk}"]


def disclosure_subjects(obj):
    return [f"privacy.disclosure:{obj.pk}", obj.subject]


def report_subjects(obj):
    return [f"privacy.accessreport:{obj.pk}", obj.subject]


OWN_SUBJECTS = {
    "privacy.accesslogentry": access_log_subjects,
    "privacy.disclosure": disclosure_subjects,
    "privacy.accessreport": report_subjects,
}


PERSON_PREFIXES = ("customer:", "order:", "email:")


def default_subjects(obj):
    """The row's own reference plus the customers/orders its foreign keys point at, else its
    e-mail address; a row with none of them names the persons of the personal rows its
    foreign keys point at (a gift card's ledger entry: the customer of the credit account;
    a return line: the order of its return).

    The direct references read only columns already loaded (``<fk>_id``); the rows further
    away are read once per row here, and once per list in :func:`subjects_for_rows`.
    """
    return [f"{label_of(type(obj))}:{obj.pk}", *_persons(obj)]


# How many rows away a row's persons are looked for (a tracking number: its shipment's order).
MAX_STEPS = 3


def _persons(obj, steps=0):
    """The person references of ``obj``: its own, else those of the rows it points at."""
    if steps and _names_itself(obj):  # a row further away with its own rule
        return [r for r in subjects_for(obj) if r.startswith(PERSON_PREFIXES)]
    person = _direct_persons(obj)
    if person or steps >= MAX_STEPS:
        return person
    for field in _indirect_fields(type(obj)):
        if getattr(obj, field.attname, None) is not None:
            related = getattr(obj, field.name)  # loaded for a whole list by subjects_for_rows
            person += _persons(related, steps + 1)
    return list(dict.fromkeys(person))


def _names_itself(obj):
    """Does ``obj``'s model have its own rule (a declaration's ``subjects``, privacy's own)?"""
    label = label_of(obj._meta.concrete_model)
    declared = personal_data.source(label)
    return label in OWN_SUBJECTS or (declared is not None and declared.subjects is not None)


def _direct_persons(obj):
    refs = []
    user_model, orders = _user_model(), order_model()
    for field in type(obj)._meta.concrete_fields:
        if not field.is_relation or field.name in STAFF_FIELD_NAMES:
            continue
        value = getattr(obj, field.attname, None)
        if value is None:
            continue
        if field.related_model is user_model:
            refs.append(customer_ref(value))
        elif orders is not None and field.related_model is orders:
            refs.append(order_ref(value))
    if not refs:
        for name in EMAIL_FIELD_NAMES:
            ref = email_ref(getattr(obj, name, None)) if hasattr(obj, name) else None
            if ref:
                refs.append(ref)
                break
    return refs


@cache
def _indirect_fields(model):
    """Foreign keys to personal rows other than a customer or an order."""
    user_model, orders = _user_model(), order_model()
    return tuple(
        field
        for field in model._meta.concrete_fields
        if field.is_relation
        and (field.many_to_one or field.one_to_one)
        and field.name not in STAFF_FIELD_NAMES
        and field.related_model not in (user_model, orders, model)
        and is_personal(field.related_model)
    )


def _load_indirect(rows, steps=0):
    """Read the rows further away that :func:`default_subjects` will ask for, one query per
    foreign key and level for the whole list instead of one per row."""
    if steps >= MAX_STEPS:
        return
    by_model = {}
    for obj in rows:
        if not _names_itself(obj) and not _direct_persons(obj):
            by_model.setdefault(type(obj), []).append(obj)
    for model, objs in by_model.items():
        for field in _indirect_fields(model):
            objs_with = [obj for obj in objs if getattr(obj, field.attname, None) is not None]
            wanted = {getattr(obj, field.attname) for obj in objs_with if not field.is_cached(obj)}
            manager = field.related_model._base_manager
            found = manager.in_bulk(wanted, field_name=field.target_field.name) if wanted else {}
            related = {}
            for obj in objs_with:
                if not field.is_cached(obj):
                    target = found.get(getattr(obj, field.attname))
                    if target is None:
                        continue
                    field.set_cached_value(obj, target)
                target = field.get_cached_value(obj)
                related[id(target)] = target
            # Rows already loaded with the list (select_related) may lead further too.
            _load_indirect(list(related.values()), steps + 1)


def subjects_for(obj):
    label = label_of(obj._meta.concrete_model)
    declared = personal_data.source(label)
    if declared is not None and declared.subjects is not None:
        return declared.subjects(obj)
    return OWN_SUBJECTS.get(label, default_subjects)(obj)


def subjects_for_rows(rows):
    """References of every row, in order, without duplicates."""
    rows = list(rows)
    _load_indirect(rows)
    seen = {}
    for obj in rows:
        for ref in subjects_for(obj):
            seen.setdefault(ref, None)
    return list(seen)


# Rows read at a time when the subjects of a whole queryset are needed (an export).
BATCH = 2000


def subjects_for_queryset(queryset, batch=BATCH):
    """References of every row of ``queryset`` (an admin action's rows: possibly all 10,000
    orders of a filtered list), read in batches so that memory stays flat."""
    seen, rows = {}, []
    for obj in queryset.iterator(chunk_size=batch):
        rows.append(obj)
        if len(rows) >= batch:
            seen.update(dict.fromkeys(subjects_for_rows(rows)))
            rows = []
    seen.update(dict.fromkeys(subjects_for_rows(rows)))
    return list(seen)


def references(items):
    """References of what a view says it showed (``shop.personal_data.shown``): rows of
    personal models, or references an app made itself with ``shop.personal_data``'s
    ``customer_ref``/``order_ref``/``email_ref`` — for a download of many people, without
    loading a row per person."""
    refs = [item for item in items if isinstance(item, str)]
    rows = [item for item in items if not isinstance(item, str)]
    return list(dict.fromkeys([*subjects_for_rows(rows), *filter(None, refs)]))
