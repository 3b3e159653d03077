"""The machine-readable export of a person's data (GDPR Art. 15 and 20)."""


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
