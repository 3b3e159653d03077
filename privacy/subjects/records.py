"""Where a person's data is stored and what it is: the records of the access report, the
"Show" page and the JSON export, collected from every model that points at the person, at
one of their orders, at a record already found (a thread → its messages), that stores
their e-mail address, or that only a VAT ID of theirs ties to them (a VIES check,
``privacy.registry.vat_id_keyed``) — via ``apps.get_models()`` and the apps' declarations,
so the report grows with the apps and never needs their code."""

import json
from datetime import date, datetime
from decimal import Decimal
from functools import cache

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q, prefetch_related_objects
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from shop import events, locales, mail, personal_data, retention
from shop.fields import LanguageField
from shop.money import format_money, format_percent

from ..models import Disclosure
from ..registry import (
    EMAIL_FIELD_NAMES,
    STAFF_FIELD_NAMES,
    is_personal,
    label_of,
    not_personal,
    vat_id_fields,
    vat_id_keyed,
)
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
    "checked_at",  # a VIES check of a VAT ID
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


def _is_country(field):
    return isinstance(field, models.CharField) and (
        field.name == "country" or field.name.endswith("_country")
    )


def _is_language(field):
    return isinstance(field, LanguageField) or (
        isinstance(field, models.CharField)
        and (field.name == "language" or field.name.endswith("_language"))
    )


def _is_rate(field):
    """A percentage (a VAT rate), not an amount of money."""
    return field.name.endswith("rate") or "percent" in field.name


@cache
def _currency_path(model):
    """Where the currency of ``model``'s amounts is: its own ``currency`` column (""), the
    name of a foreign key to a row that has one (a ledger entry's account), or None (the
    shop's currency)."""
    names = {f.name for f in model._meta.concrete_fields}
    if "currency" in names:
        return ""
    for field in model._meta.concrete_fields:
        if field.many_to_one and any(
            f.name == "currency" for f in field.related_model._meta.concrete_fields
        ):
            return field.name
    return None


def _currency(obj):
    path = _currency_path(type(obj))
    holder = obj if path == "" else getattr(obj, path, None) if path else None
    return getattr(holder, "currency", None) or settings.SHOP_CURRENCY


def _values(obj, field):
    """The value of ``field`` of ``obj`` twice: as people read it (the browser's pages, the
    printed report: dates, amounts, countries and languages in the active language) and as
    the export gives it to machines (GDPR Art. 20: ISO 8601 dates, plain decimal numbers,
    ISO codes)."""
    if _is_language(field) or _is_country(field):
        code = getattr(obj, field.attname)
        if not code:
            return "", ""
        name = locales.language_name(code) if _is_language(field) else locales.country_name(code)
        return name, code
    if field.choices:
        code = getattr(obj, field.attname)
        if code is None or code == "":
            return "", ""
        # the label for people, the stored code for machines ("paid", not "Bezahlt")
        return str(getattr(obj, f"get_{field.name}_display")()), code
    declared_choices = _declared_choices(type(obj)).get(field.name)
    if declared_choices:  # a code copied without its choices (an invoice's payment kind)
        code = getattr(obj, field.attname)
        if code is None or code == "":
            return "", ""
        return str(dict(declared_choices).get(code, code)), code
    if field.is_relation:
        return _relation_values(obj, field)
    else:
        # an event's text in the reader's language ("Card payment … authorized"), not the
        # language of the moment it happened
        value = events.text_of(obj, field.attname)
    if value is None or value == "":
        return "", ""
    if isinstance(value, datetime):
        local = timezone.localtime(value)
        return formats.date_format(local, "DATETIME_FORMAT"), local.isoformat(timespec="seconds")
    if isinstance(value, date):
        return formats.date_format(value, "DATE_FORMAT"), value.isoformat()
    if isinstance(value, bool):  # a JSON true/false for machines, not "ja"/"nej"
        return (_("yes") if value else _("no")), value
    if isinstance(value, Decimal):
        text = format_percent(value) if _is_rate(field) else format_money(value, _currency(obj))
        return text, str(value)
    if isinstance(value, int | float):
        return str(value), value
    if isinstance(value, list | dict):
        # lines for people ("2 × Coffee (PAN-003), …"), the structure itself for machines
        return _readable_json(value, _currency(obj)), value
    # A password-reset, download or guest link, a gift-card number or a personal discount
    # code (an e-mail's subject or text: its ``secret_values``) is a key, not personal data.
    text = mail.without_secrets(str(value), getattr(obj, "secret_values", None))
    return text, text


def _declared_choices(model):
    declared = personal_data.source(label_of(model))
    return (declared.choices or {}) if declared is not None else {}


def document_number(obj):
    """A document's number (order, invoice, credit note, shipment, return), or None — not a
    gift card's: that number is the key to its money (its ``masked_number`` names it)."""
    if hasattr(obj, "masked_number") or not any(
        f.name == "number" for f in obj._meta.concrete_fields
    ):
        return None
    return str(obj.number) if obj.number else None


def _relation_text(target):
    """What a related row is called: a card's masked number, a document's number, else its
    name (``str``) — never a secret in it."""
    masked = getattr(target, "masked_number", None)
    if masked:
        return str(masked)
    number = document_number(target)
    if number:
        return number
    text = mail.without_secrets(str(target), getattr(target, "secret_values", None))
    for f in target._meta.concrete_fields:
        if any(part in f.name.lower() for part in SECRET_PARTS):
            secret = getattr(target, f.attname, None)
            if secret and str(secret) in text:
                return f"#{target.pk}"
    return text


def _relation_values(obj, field):
    """A foreign key as people know what it points at — a thing of the shop by its name (a
    product, a topic, in the reader's language), a record by its number or name (the order
    100019, not "#19") — and for machines the row's id with that number or name."""
    pk = getattr(obj, field.attname)
    if pk is None:
        return "", ""
    target = getattr(obj, field.name)  # read for the whole list (_places_of)
    if _named(field):
        text = str(target)
        return text, text
    text = _relation_text(target)
    number = document_number(target)
    return text, {"id": pk, "number": number} if number else {"id": pk, "name": text}


# Keys of the lists and objects stored as JSON (an invoice's lines, VAT breakdown, seller):
# the labels people read, in this order; other keys follow with their key as label.
JSON_LABELS = {
    "legal_name": _lazy("legal name"),
    "shop_name": _lazy("shop name"),
    "name": _lazy("name"),
    "sku": _lazy("SKU"),
    "quantity": _lazy("quantity"),
    "unit_price": _lazy("unit price"),
    "tax_rate": _lazy("VAT rate"),
    "rate": _lazy("VAT rate"),
    "net": _lazy("net"),
    "tax": _lazy("VAT"),
    "gross": _lazy("gross"),
    "line_total": _lazy("total"),
    "street": _lazy("street"),
    "postcode": _lazy("postcode"),
    "city": _lazy("city"),
    "country": _lazy("country"),
    "phone": _lazy("phone"),
    "contact_email": _lazy("contact e-mail"),
    "email": _lazy("e-mail"),
    "vat_id": _lazy("VAT ID"),
    "tax_number": _lazy("tax number"),
    "commercial_register": _lazy("commercial register"),
    "managing_director": _lazy("managing director"),
    "bank_name": _lazy("bank"),
    "iban": _lazy("IBAN"),
    "bic": _lazy("BIC"),
    "filename": _lazy("file name"),
}
# Internal keys that mean nothing to the reader: ids of other rows, codes of the e-invoice.
JSON_HIDDEN = {"line", "category", "unit_code", "mimetype", "generator", "args", "kwargs"}
JSON_AMOUNTS = {"unit_price", "line_total", "net", "tax", "gross", "amount", "total"}
JSON_RATES = {"tax_rate", "rate"}


def _json_scalar(key, value, currency):
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if value is None or value == "":
        return ""
    if key in JSON_AMOUNTS or key in JSON_RATES:
        try:
            number = Decimal(str(value))
        except ArithmeticError:
            return str(value)
        return format_percent(number) if key in JSON_RATES else format_money(number, currency)
    if key == "country" and isinstance(value, str) and len(value) == 2:
        return locales.country_name(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _json_pairs(item, currency):
    """ "label: value" of each key that means something to the reader, known keys first."""
    keys = [k for k in JSON_LABELS if k in item] + [k for k in item if k not in JSON_LABELS]
    pairs = []
    for key in keys:
        if key in JSON_HIDDEN or any(part in key.lower() for part in SECRET_PARTS):
            continue
        text = _json_scalar(key, item[key], currency)
        if text and not (isinstance(item[key], bool) and not item[key]):
            label = capfirst(str(JSON_LABELS.get(key, key.replace("_", " "))))
            pairs.append(f"{label}: {text}")
    return pairs


def _json_item(item, currency):
    """One entry of a list: a document line, a VAT row, a file, else its "label: value"
    pairs on one line."""
    if not isinstance(item, dict):
        return _json_scalar("", item, currency)
    money = {k: _json_scalar(k, item.get(k), currency) for k in (*JSON_AMOUNTS, *JSON_RATES)}
    if "name" in item and "quantity" in item:
        if "unit_price" in item:
            text = _(
                "%(quantity)s × %(name)s (%(sku)s), %(unit_price)s each, VAT %(rate)s: %(total)s"
            ) % {
                "quantity": item["quantity"],
                "name": item["name"],
                "sku": item.get("sku") or "–",
                "unit_price": money["unit_price"],
                "rate": money["tax_rate"],
                "total": money["line_total"],
            }
        else:  # a withdrawal statement's item
            text = f"{item['quantity']} × {item['name']}"
        if item.get("is_giftcard"):
            text += f" ({_('gift card')})"
        if item.get("unshipped"):
            text += " (" + _("cancelled before shipping: %(n)s") % {"n": item["unshipped"]} + ")"
        return text
    if "rate" in item and "net" in item:
        return _("VAT %(rate)s: net %(net)s, VAT %(tax)s, gross %(gross)s") % {
            "rate": money["rate"],
            "net": money["net"],
            "tax": money["tax"],
            "gross": money["gross"],
        }
    if "filename" in item:
        return str(item["filename"])
    return ", ".join(_json_pairs(item, currency))


def _readable_json(value, currency):
    """A list or object stored as JSON, as lines people read: one line per entry of a list
    (a document's lines, its VAT rows, e-mail addresses), one "label: value" line per key
    of an object (the seller's name, address and bank account)."""
    if isinstance(value, dict):
        return "\n".join(_json_pairs(value, currency))
    return "\n".join(text for text in (_json_item(item, currency) for item in value) if text)


def _fields(model):
    opts = model._meta
    declared = _declared_fields(model)
    if declared:
        return [opts.get_field(name) for name in declared]
    source = personal_data.source(label_of(model))
    hidden = source.hidden_fields if source is not None else ()
    return [
        f
        for f in opts.concrete_fields
        if not any(part in f.name.lower() for part in SECRET_PARTS)
        and f.name not in SKIP_FIELDS
        and f.name not in hidden
        and not isinstance(f, events.MessageField)  # its text is shown beside it
        and not (f.is_relation and f.related_model is user_model())
    ]


def _created(obj):
    for name in CREATED_NAMES:
        value = getattr(obj, name, None)
        if isinstance(value, datetime):
            return value
    return None


# The parts of a billing or shipping address (``billing_city``), not the other
# ``shipping_…`` fields of an order or invoice (the shipping costs, its VAT rate, the method).
ADDRESS_PARTS = {
    "first_name",
    "last_name",
    "name",
    "company",
    "street",
    "postcode",
    "city",
    "country",
    "phone",
    "email",
    "vat_id",
}


def _label(field):
    label = str(field.verbose_name)
    if _is_rate(field) and label.endswith("%"):  # the value carries its percent sign
        label = label[:-1].rstrip()
    prefix, _sep, part = field.name.partition("_")
    if field.is_relation or part not in ADDRESS_PARTS:
        return label
    if prefix == "billing":
        return _("billing address: %(field)s") % {"field": label}
    if prefix == "shipping":
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
        value, data = _values(obj, field)
        if value != "" or _declared_fields(type(obj)):
            item = {"name": field.name, "label": _label(field), "value": value, "data": data}
            if isinstance(field, models.DecimalField) and not _is_rate(field):
                # an amount's plain number means something only with its currency (the
                # person's own download names it beside the amount)
                item["currency"] = _currency(obj)
            fields.append(item)
    fields.extend(extra)
    if not title:  # a document by its number ("Invoice 2026-000001"), else its row's id
        title = f"{capfirst(obj._meta.verbose_name)} {document_number(obj) or f'#{obj.pk}'}"
    return {
        "title": title,
        "fields": fields,
        "created": _created(obj),
    }


def _place(model, records, staff_notes=False):
    # capfirst, not str.capitalize(): "Download links", not "Download-links" lowercased
    name = str(capfirst(model._meta.verbose_name_plural))
    label = label_of(model)
    return {
        "key": f"{label}:staff_notes" if staff_notes else label,
        "place": _("Internal staff notes: %(place)s") % {"place": name} if staff_notes else name,
        # where it is stored, as people name it: the part of the shop (its app)
        "area": str(apps.get_app_config(model._meta.app_label).verbose_name),
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
    # what the records point at (a review's product, an invoice's order): one query per
    # kind, not per row
    named = [f.name for f in _fields(model) if f.is_relation and (f.many_to_one or f.one_to_one)]
    amounts = any(isinstance(f, models.DecimalField) for f in _fields(model))
    currency = _currency_path(model) if amounts else None  # whose currency the amounts are in
    prefetch_related_objects(rows, *dict.fromkeys([*named, *([currency] if currency else [])]))
    notes = [row for row in rows if is_note and is_note(row)]
    others = [row for row in rows if not (is_note and is_note(row))]
    places = [_place(model, [_record(row) for row in others])] if others else []
    if notes:
        places.append(_place(model, [_record(row) for row in notes], staff_notes=True))
    return places


def retention_of(place):
    """What the retention policy does with the records of ``place``, and when the oldest
    one's turn comes (shop.retention): each category once, with the names of the rules
    under it (a withdrawal statement is guest data as part of a guest order and as a
    statement that matched no order — one period, one action, listed once)."""
    dates = [r["created"] for r in place["records"] if r["created"]]
    oldest = min(dates) if dates else None
    rows = {}
    for rule in retention.rules_for(place["model"]):
        row = rows.setdefault(
            (rule.category, rule.action),
            {
                "category": rule.category,
                "label": retention.CATEGORIES[rule.category].label,
                "period": retention.period(rule.category),
                "law": retention.CATEGORIES[rule.category].law,
                "action": retention.ACTIONS[rule.action],
                "rules": [],
                "oldest_due": retention.expires(rule.category, oldest),
            },
        )
        row["rules"].append(rule.name)
    return list(rows.values())


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


def _vat_ids(found, user, orders):
    """The VAT IDs that are the person's: their account's, their orders' and those of the
    records found (their invoices' copies, which stay when an erased order lost its own)."""
    User, Order = user_model(), orders_model()
    values = [getattr(user, name) for name in vat_id_fields(User)] if user else []
    values += [getattr(order, name) for order in orders for name in vat_id_fields(Order)]
    for model, pks in found.items():
        names = vat_id_fields(model)
        # (a VIES check names no VAT ID that is not the person's already)
        if pks and names and model not in (User, Order) and not vat_id_keyed(model):
            rows = model._default_manager.filter(pk__in=sorted(pks)).values_list(*names)
            values += [value for row in rows for value in row]
    return sorted({value for value in values if value})


def _add_found_by_vat_id(found, user, orders):
    """Add to ``found`` the rows that only a VAT ID ties to a person (the VIES checks of the
    person's VAT IDs): one query per such model, none for a person without a VAT ID."""
    keyed = [(model, vat_id_keyed(model)) for model in _candidate_models()]
    keyed = [(model, field) for model, field in keyed if field]
    if not keyed:
        return
    vat_ids = _vat_ids(found, user, orders)
    if not vat_ids:
        return
    for model, field in keyed:
        rows = model._default_manager.filter(**{f"{field}__in": vat_ids})
        pks = set(rows.values_list("pk", flat=True))
        if pks:
            found[model] = found.get(model, set()) | pks


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
    _add_found_by_vat_id(found, person.user, orders)
    for model in _candidate_models():
        if found.get(model):
            rows = model._default_manager.filter(pk__in=sorted(found[model])).order_by("pk")
            places += _places_of(model, _of_the_person(model, list(rows), person))
    return places


def _of_the_person(model, rows, person):
    """``rows`` without those another account owns (``Source.owner``): a gift card the
    person bought is theirs, the ledger entry of whoever redeemed it is not."""
    declared = personal_data.source(model._meta.label_lower)
    if declared is None or declared.owner is None:
        return rows
    mine = person.user.pk if person.user else None
    return [row for row in rows if declared.owner(row) in (None, mine)]


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
