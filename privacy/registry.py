"""Which models hold personal data, and which data subjects a row refers to.

Keys are "app_label.model_name" strings, so an entry may name a model that another app adds
later. A model is personal if it is listed here, if it is the user model, or if it has a
foreign key to a personal model (an order, a thread, a gift card ...) or an e-mail field —
so a new backoffice screen is covered by default. ``SUBJECT_FUNCTIONS`` refine the
references of one model; everything else uses :func:`default_subjects`.

References: ``customer:<pk>``, ``order:<pk>``, ``email:<address>`` for someone known only by
e-mail, and ``<app_label>.<model_name>:<pk>`` for any other row.
"""

from functools import cache

from django.apps import apps
from django.conf import settings
from django.db import models

# Models that hold personal data although nothing about their fields says so.
PERSONAL_MODELS = {
    "customers.user",
    "customers.address",
    "orders.order",
    "orders.invoice",
    "orders.shipment",
    "helpdesk.thread",
    "helpdesk.message",
    "reviews.review",
    "giftcards.giftcard",
    "giftcards.creditaccount",
    "shop.outboxemail",
    "privacy.disclosure",
    "privacy.accesslogentry",
}

# Models that have a user foreign key but show no customer's data.
NOT_PERSONAL = {
    "auth.group",
    "admin.logentry",
    "privacy.accessloghead",
    "privacy.accessloganchor",
    "privacy.subject",
    "otp_totp.totpdevice",
    "otp_static.staticdevice",
    "otp_static.statictoken",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
    "guardian.userobjectpermission",
    "guardian.groupobjectpermission",
    "sessions.session",
    "helpdesk.contacttopic",  # its e-mail field is a department mailbox
}

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


def _order_model():
    try:
        return apps.get_model("orders", "Order")
    except LookupError:
        return None


@cache
def is_personal(model, _seen=()):
    label = label_of(model)
    if label in NOT_PERSONAL:
        return False
    if label in PERSONAL_MODELS or model is _user_model():
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


def _customer_ref(pk):
    return f"customer:{pk}"


def user_subjects(obj):
    return [_customer_ref(obj.pk)]


def order_subjects(obj):
    person = _customer_ref(obj.customer_id) if obj.customer_id else email_ref(obj.email)
    return [f"order:{obj.pk}", person] if person else [f"order:{obj.pk}"]


def email_ref(address):
    address = (address or "").strip().lower()
    return f"email:{address}" if address else None


def access_log_subjects(obj):
    return [f"privacy.accesslogentry:{obj.pk}"]


def disclosure_subjects(obj):
    return [f"privacy.disclosure:{obj.pk}", obj.subject]


def outbox_subjects(obj):
    return [ref for ref in (email_ref(a) for a in (obj.to or [])) if ref]


SUBJECT_FUNCTIONS = {
    "customers.user": user_subjects,
    "orders.order": order_subjects,
    "privacy.accesslogentry": access_log_subjects,
    "privacy.disclosure": disclosure_subjects,
    "shop.outboxemail": outbox_subjects,
}


def default_subjects(obj):
    """The row's own reference plus the customers/orders its foreign keys point at.

    Reads only columns already loaded (``<fk>_id``), never another query.
    """
    model = type(obj)
    refs = [f"{label_of(model)}:{obj.pk}"]
    user_model, order_model = _user_model(), _order_model()
    has_person = False
    for field in model._meta.concrete_fields:
        if not field.is_relation or field.name in STAFF_FIELD_NAMES:
            continue
        value = getattr(obj, field.attname, None)
        if value is None:
            continue
        if field.related_model is user_model:
            refs.append(_customer_ref(value))
            has_person = True
        elif order_model is not None and field.related_model is order_model:
            refs.append(f"order:{value}")
            has_person = True
    if not has_person:
        for name in EMAIL_FIELD_NAMES:
            ref = email_ref(getattr(obj, name, None)) if hasattr(obj, name) else None
            if ref:
                refs.append(ref)
                break
    return refs


def subjects_for(obj):
    model = obj._meta.concrete_model
    return SUBJECT_FUNCTIONS.get(label_of(model), default_subjects)(obj)


def subjects_for_rows(rows):
    """References of every row, in order, without duplicates."""
    seen = {}
    for obj in rows:
        for ref in subjects_for(obj):
            seen.setdefault(ref, None)
    return list(seen)
