"""Retention periods in the personal-data report: "1 year", not "1 years" (the number picks
the plural form of the language), and each category of a place named once, even where two
rules of the same category (a guest order, a withdrawal statement that matched no order)
both cover the place's records."""

import pytest
from django.utils import translation

from privacy.subjects.records import retention_of
from shop import retention


@pytest.mark.parametrize(
    ("amount", "unit", "text"),
    [
        (1, "years", "1 year"),
        (3, "years", "3 years"),
        (1, "days", "1 day"),
        (30, "days", "30 days"),
    ],
)
def test_a_period_uses_the_plural_form_its_number_needs(amount, unit, text):
    with translation.override("en"):
        assert str(retention.Period(amount, unit)) == text


def test_a_period_kept_until_erased_says_so():
    with translation.override("en"):
        assert str(retention.Period(None, "years")) == "until erased"


@pytest.mark.django_db
def test_each_retention_category_of_a_place_is_listed_once():
    # a withdrawal statement falls under two guest-data rules: the guest order it belongs
    # to and the statement that matched no order — one category, one period, one action
    guest_rules = [
        r for r in retention.rules_for("orders.withdrawal") if r.category == retention.GUEST_DATA
    ]
    assert len(guest_rules) == 2  # the situation this test is about
    rows = retention_of({"model": "orders.withdrawal", "records": []})
    keys = [(r["category"], str(r["action"])) for r in rows]
    assert len(keys) == len(set(keys))
    assert [r["category"] for r in rows].count(retention.GUEST_DATA) == 1
    guest = next(r for r in rows if r["category"] == retention.GUEST_DATA)
    assert sorted(guest["rules"]) == sorted(r.name for r in guest_rules)


@pytest.mark.django_db
def test_the_oldest_due_date_of_a_merged_category_is_the_earliest():
    from datetime import datetime

    from django.utils import timezone

    created = timezone.make_aware(datetime(2024, 5, 1, 12))
    rows = retention_of(
        {"model": "orders.withdrawal", "records": [{"created": created}, {"created": None}]}
    )
    guest = next(r for r in rows if r["category"] == retention.GUEST_DATA)
    assert guest["oldest_due"] == retention.expires(retention.GUEST_DATA, created)
