"""The backoffice's change history (``django.contrib.admin``'s ``LogEntry``) and erasure.

Each entry keeps the object's text as it was (``object_repr``: a customer's name, an
address) and a change message that names the inline objects changed with it (an address
added on the customer's page). Erasure leaves the entries — who changed what and when stays —
but takes the person out of them (:func:`scrub_history`).
"""

import json

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q


def _content_type_ids(model):
    """The model's content types: its own and its proxies' (the admin logs a change made on
    a proxy's page under the proxy)."""
    concrete = model._meta.concrete_model
    models = [m for m in apps.get_models() if m._meta.concrete_model is concrete]
    found = ContentType.objects.get_for_models(*models, for_concrete_models=False)
    return sorted(ct.pk for ct in found.values())


def entries_of(objects):
    """The entries of ``objects`` (``{model: pks}``), in one query."""
    condition = Q()
    for model, pks in objects.items():
        if pks:
            condition |= Q(
                content_type_id__in=_content_type_ids(model),
                object_id__in=sorted({str(pk) for pk in pks}),
            )
    if not condition:
        return LogEntry.objects.none()
    return LogEntry.objects.filter(condition)


def _scrub_message(message, clean, placeholder):
    """A change message: the JSON the admin writes (its ``object`` texts are inline objects,
    replaced whole when they name the person) or free text."""
    try:
        parts = json.loads(message) if message and message.lstrip().startswith("[") else None
    except ValueError:
        parts = None
    if not isinstance(parts, list):
        return clean(message)

    def walk(value, key=None):
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, str):
            cleaned = clean(value)
            return placeholder if key == "object" and cleaned != value else cleaned
        return value

    # written back as the admin writes it (json.dumps' defaults)
    return json.dumps(walk(parts))


def scrub_history(objects, clean, placeholder, *, whole=()):
    """Take a person out of the change history of ``objects`` (``{model: pks}``).

    ``clean(text) -> text`` replaces the person's identifiers. An object's text that names
    the person becomes ``placeholder`` whole (an address: name, street and town); that of a
    model in ``whole`` always does (the person's account: its text is their name or address,
    also an earlier one ``clean`` does not know). Returns the number of entries changed."""
    whole_types = {pk for model in whole for pk in _content_type_ids(model)}
    changed = 0
    for entry in entries_of(objects).only("pk", "content_type_id", "object_repr", "change_message"):
        if entry.content_type_id in whole_types:
            text = placeholder
        else:
            text = entry.object_repr
            if clean(text) != text:
                text = placeholder
        message = _scrub_message(entry.change_message, clean, placeholder)
        if text != entry.object_repr or message != entry.change_message:
            LogEntry.objects.filter(pk=entry.pk).update(
                object_repr=text[:200], change_message=message
            )
            changed += 1
    return changed


def related_objects(instance, *, skip=()):
    """``{model: pks}``: ``instance`` and the rows whose foreign keys point at it directly
    (a customer's orders, addresses, threads, reviews …), found through the models' own
    relations, so a new app's rows are included without code here. ``skip``: models whose
    rows are not the person's (the change history itself)."""
    found = {type(instance)._meta.concrete_model: [instance.pk]}
    for relation in instance._meta.related_objects:
        model = relation.related_model
        if relation.many_to_many or model in skip or not model._meta.managed:
            continue
        pks = list(
            model._default_manager.filter(**{relation.field.name: instance}).values_list(
                "pk", flat=True
            )
        )
        if pks:
            found.setdefault(model._meta.concrete_model, []).extend(pks)
    return found
