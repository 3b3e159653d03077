"""The personal-data report (PDF) and export (JSON) of a data subject: a summary — which
categories of data, where, since when, until when (retention: each rule once, with its law),
disclosures, who consulted the data for which purpose — then the details. Categories the data protection
officer withholds (GDPR Art. 15(4)) are named with the recorded reason instead of their
records; staff names appear in the access history only when added for a recorded reason."""

from collections import Counter

from .history import consultations
from .records import collect


def build(person, withheld=None, staff_names_reason=""):
    """Everything the report and the export contain. ``withheld``: {place key: reason}."""
    withheld = withheld or {}
    data = collect(person)
    kept, held = [], []
    for place in data["places"]:
        if place["key"] in withheld:
            held.append(
                {
                    "key": place["key"],
                    "place": place["place"],
                    "records": len(place["records"]),
                    "reason": withheld[place["key"]],
                }
            )
        else:
            kept.append(place)
    history = consultations(person, with_staff=bool(staff_names_reason))
    data.update(
        places=kept,
        withheld=held,
        history=history,
        staff_names_reason=staff_names_reason,
    )
    data["summary"] = summary(data)
    return data


def retention_rules(places):
    """Each retention rule that applies to the person's data once (the categories of the
    summary name them): its period, what happens then, its law, and when the person's
    oldest record under it is first due."""
    rules = {}
    for place in places:
        for r in place["retention"]:
            rule = rules.setdefault((r["category"], r["action"]), {**r, "places": []})
            if place["place"] not in rule["places"]:
                rule["places"].append(place["place"])
            if r["oldest_due"] and (not rule["oldest_due"] or r["oldest_due"] < rule["oldest_due"]):
                rule["oldest_due"] = r["oldest_due"]
    return list(rules.values())


def summary(data):
    purposes = Counter(c.purpose_label for c in data["history"])
    categories = [p for p in data["places"] if p["records"]]
    return {
        "categories": categories,
        "retention": retention_rules(categories),
        "recipients": sorted({d.recipient for d in data["disclosures"]}),
        "consultations": len(data["history"]),
        "by_purpose": purposes.most_common(),
        "last_consultation": data["history"][0].time if data["history"] else None,
    }
