"""The machine-readable export of a person's data (GDPR Art. 15 and 20): the same content
as the report, summary first — for the data protection officer (:func:`as_json`) and, without
the shop's internals, for the person's own download (:func:`for_data_subject`)."""

from django.utils import timezone

from .records import JSON_HIDDEN


def _date(value):
    return value.isoformat() if value else None


def _place(p):
    return {
        "category": p["place"],
        "table": p["table"],
        "model": p["model"],
        "internal_staff_notes": p["staff_notes"],
        "since": _date(p["since"]),
        "retention": _retention(p),
    }


def as_json(data):
    person, summary = data["person"], data["summary"]
    return {
        "subject": {
            "reference": person.ref,
            "kind": "customer" if person.user else "guest",
            "name": person.name,
            "email": person.email,
        },
        "generated": data["generated"].isoformat(),
        "first_seen": _date(data["first_seen"]),
        "summary": {
            "categories": [
                {**_place(p), "records": len(p["records"])} for p in summary["categories"]
            ],
            "disclosure_recipients": summary["recipients"],
            "consultations": summary["consultations"],
            "consultations_by_purpose": dict(summary["by_purpose"]),
        },
        "withheld": [
            {"category": w["place"], "records": w["records"], "reason": w["reason"]}
            for w in data["withheld"]
        ],
        "storage_places": [
            {
                "place": p["place"],
                "table": p["table"],
                "model": p["model"],
                "records": [
                    {
                        "title": r["title"],
                        "created": _date(r["created"]),
                        # the machine's value (ISO dates, plain numbers, codes), not the
                        # text the report prints
                        "fields": {f["name"]: f.get("data", f["value"]) for f in r["fields"]},
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
        "access_history": [
            {
                "time": c.time.isoformat(),
                "viewed": c.action,
                "what": c.what,
                "purpose": c.purpose_label,
                **({"staff": c.staff} if data["staff_names_reason"] else {}),
            }
            for c in data["history"]
        ],
        **(
            {"staff_names_reason": data["staff_names_reason"]} if data["staff_names_reason"] else {}
        ),
    }


# What the person's own download leaves out of a record besides row ids: the machinery of
# the shop, which is neither the person's data nor tells them anything — how the outbox
# sends (template, attempts, next attempt, errors; the e-mail itself and whether it was sent
# stay), the parts of a document number and the seller's own details on every invoice, the
# helpdesk's internal deadlines. The DPO's export keeps them (it shows what the shop stores).
INTERNAL_FIELDS = {
    "shop.outboxemail": {
        "template",
        "attempts",
        "last_error",
        "next_attempt_at",
        "render_later",
        "reply_to",
    },
    "orders.invoice": {"year", "sequence", "seller"},
    "orders.creditnote": {"year", "sequence", "seller"},
    "helpdesk.thread": {"sla_due_at", "waiting_since"},
}


def _local(value):
    """A moment as the person reads it: ISO 8601 in the shop's time zone, to the second."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _without_codes(value):
    """A list or object stored as JSON (an invoice's lines, an e-mail's attachments) without
    the keys that mean nothing to the person (e-invoice codes, how a file is generated)."""
    if isinstance(value, list):
        return [_without_codes(item) for item in value]
    if isinstance(value, dict):
        return {k: _without_codes(v) for k, v in value.items() if k not in JSON_HIDDEN}
    return value


def _own_value(value):
    # a reference to another record ({"id": 7, "number": "100007"}): its number or name,
    # which the file shows; the row id is the database's, not the person's
    if isinstance(value, dict) and set(value) in ({"id", "number"}, {"id", "name"}):
        return value.get("number", value.get("name"))
    return _without_codes(value)


def _own_fields(model, fields):
    internal = INTERNAL_FIELDS.get(model, set())
    result = {}
    for f in fields:
        if f["name"] == "id" or f["name"] in internal:
            continue
        result[f["name"]] = _own_value(f.get("data", f["value"]))
    currencies = {
        f["currency"]
        for f in fields
        if f.get("currency") and result.get(f["name"]) not in (None, "")
    }
    if len(currencies) == 1 and "currency" not in result:
        result["currency"] = currencies.pop()  # the amounts' currency, once per record
    return result


def _retention(p):
    """A place's retention rules as both exports give them."""
    return [
        {
            "category": str(r["label"]),
            "period": str(r["period"]),
            "law": str(r["law"]),
            "then": str(r["action"]),
            "oldest_record_due": _date(r["oldest_due"]),
        }
        for r in p["retention"]
    ]


def for_data_subject(data):
    """The person's own download (account → Download my data): the content of
    :func:`as_json` as the person can read and reuse it — without references, table and
    model names and row ids of the database, without the shop's internals
    (:data:`INTERNAL_FIELDS`, e-invoice codes), references to their other records by
    number or name, every moment in the shop's time zone and each record's currency beside
    its amounts."""
    person, summary = data["person"], data["summary"]
    return {
        "subject": {
            "kind": "customer" if person.user else "guest",
            "name": person.name,
            "email": person.email,
        },
        "generated": _local(data["generated"]),
        "first_seen": _local(data["first_seen"]),
        "summary": {
            "categories": [
                {
                    "category": p["place"],
                    "since": _local(p["since"]),
                    "retention": _retention(p),
                    "records": len(p["records"]),
                }
                for p in summary["categories"]
            ],
            "disclosure_recipients": summary["recipients"],
            "consultations": summary["consultations"],
            "consultations_by_purpose": dict(summary["by_purpose"]),
        },
        "withheld": [
            {"category": w["place"], "records": w["records"], "reason": w["reason"]}
            for w in data["withheld"]
        ],
        "storage_places": [
            {
                "place": p["place"],
                "records": [
                    {
                        "title": r["title"],
                        "created": _local(r["created"]),
                        "fields": _own_fields(p["model"], r["fields"]),
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
                "recorded": _local(d.created),
            }
            for d in data["disclosures"]
        ],
        "access_history": [
            {
                "time": _local(c.time),
                "viewed": c.action,
                "what": c.what,
                "purpose": c.purpose_label,
            }
            for c in data["history"]
        ],
    }
