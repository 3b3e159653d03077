"""The login throttle's records are personal data (an address, an IP, a browser, a time):
successful logins are not recorded at all, failed ones are kept LOGIN_RECORDS_RETENTION_DAYS,
go with an erased customer under every address the account had, and are in the person's
report."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.urls import reverse
from django.utils import timezone, translation

from customers.services import delete_customer
from privacy.subjects import collect_places, resolve
from shop import personal_data, retention

pytestmark = pytest.mark.django_db


def _attempt(username, days_ago=0, model=AccessAttempt, **extra):
    row = model.objects.create(
        username=username,
        ip_address="203.0.113.7",
        user_agent="Firefox",
        http_accept="*/*",
        path_info="/account/login/",
        **(
            {"get_data": "", "post_data": "", "failures_since_start": 1}
            if model is AccessAttempt
            else {}
        ),
        **extra,
    )
    # attempt_time is auto_now_add
    model.objects.filter(pk=row.pk).update(attempt_time=timezone.now() - timedelta(days=days_ago))
    return row


def test_a_successful_login_leaves_no_record(client, settings, customer):
    settings.AXES_ENABLED = True
    response = client.post(
        reverse("customers:login"), {"username": customer.email, "password": "secret-pass-123"}
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
    assert not AccessLog.objects.exists()
    # a failed one is still counted: the throttle needs it
    client.logout()
    client.post(reverse("customers:login"), {"username": customer.email, "password": "wrong"})
    assert AccessAttempt.objects.filter(username=customer.email).exists()


def test_the_retention_run_deletes_login_records_older_than_the_period(settings):
    settings.LOGIN_RECORDS_RETENTION_DAYS = 30
    old = [
        _attempt("old@example.com", 31),
        _attempt("old@example.com", 31, model=AccessFailureLog),
        _attempt("old@example.com", 31, model=AccessLog),  # written before they were switched off
    ]
    young = [
        _attempt("young@example.com", 29),
        _attempt("young@example.com", 29, model=AccessFailureLog),
    ]
    _run, results = retention.run(dry_run=True)
    rule = next(r for r in results if r["rule"] == "login records")
    assert rule["count"] == 3 and rule["category"] == retention.LOGINS
    retention.run()
    for row in old:
        assert not type(row).objects.filter(pk=row.pk).exists()
    for row in young:
        assert type(row).objects.filter(pk=row.pk).exists()
    assert str(retention.period(retention.LOGINS)) == "30 days"


def test_erasing_a_customer_deletes_their_login_records_under_every_address(customer):
    customer.previous_emails = ["Maiden.Name@example.com"]
    customer.save()
    theirs = [
        _attempt(customer.email.upper()),  # typed in another case
        _attempt("maiden.name@example.com", model=AccessFailureLog),
        _attempt(customer.email, model=AccessLog),
    ]
    other = _attempt("someone.else@example.com")
    delete_customer(customer)
    for row in theirs:
        assert not type(row).objects.filter(pk=row.pk).exists()
    assert AccessAttempt.objects.filter(pk=other.pk).exists()


def test_failed_logins_are_in_the_persons_report_with_their_retention(customer):
    _attempt(customer.email, 2)
    _attempt("someone.else@example.com")
    with translation.override("en"):
        places = collect_places(resolve(f"customer:{customer.pk}"))
    place = next(p for p in places if p["model"] == "axes.accessattempt")
    assert len(place["records"]) == 1
    values = {f["name"]: f["value"] for f in place["records"][0]["fields"]}
    assert values["username"] == customer.email and values["ip_address"] == "203.0.113.7"
    assert "post_data" not in values
    assert personal_data.source("axes.accessattempt").personal
    assert [r.name for r in retention.rules_for("axes.accessattempt")] == ["login records"]
