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
}

EMAIL_FIELD_NAMES = {"email", "sender_email", "recipient_email", "customer_email"}


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


def default_subjects(obj):
    """The row's own reference plus the customers/orders its foreign keys point at.

    Reads only columns already loaded (``<fk>_id``), never another query.
    """
    model = type(obj)
    refs = [f"{label_of(model)}:{obj.pk}"]
    user_model, orders = _user_model(), order_model()
    has_person = False
    for field in model._meta.concrete_fields:
        if not field.is_relation or field.name in STAFF_FIELD_NAMES:
            continue
        value = getattr(obj, field.attname, None)
        if value is None:
            continue
        if field.related_model is user_model:
            refs.append(customer_ref(value))
            has_person = True
        elif orders is not None and field.related_model is orders:
            refs.append(order_ref(value))
            has_person = True
    if not has_person:
        for name in EMAIL_FIELD_NAMES:
            ref = email_ref(getattr(obj, name, None)) if hasattr(obj, name) else None
            if ref:
                refs.append(ref)
                break
    return refs


def subjects_for(obj):
    label = label_of(obj._meta.concrete_model)
    declared = personal_data.source(label)
    if declared is not None and declared.subjects is not None:
        return declared.subjects(obj)
    return OWN_SUBJECTS.get(label, default_subjects)(obj)


def subjects_for_rows(rows):
    """References of every row, in order, without duplicates."""
    seen = {}
    for obj in rows:
        for ref in subjects_for(obj):
            seen.setdefault(ref, None)
    return list(seen)
