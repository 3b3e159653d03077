"""The machine-readable export of a person's data (GDPR Art. 15 and 20): the same content
as the report, summary first."""


def _date(value):
    return value.isoformat() if value else None


def _place(p):
    return {
        "category": p["place"],
        "table": p["table"],
        "model": p["model"],
        "internal_staff_notes": p["staff_notes"],
        "since": _date(p["since"]),
        "retention": [
            {
                "category": str(r["label"]),
                "period": str(r["period"]),
                "law": str(r["law"]),
                "then": str(r["action"]),
                "oldest_record_due": _date(r["oldest_due"]),
            }
            for r in p["retention"]
        ],
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
