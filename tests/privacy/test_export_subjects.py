"""Downloads name every person in the file (SPEC S11): an admin action on "Select all N"
rows of a filtered list, an export of thousands of orders, and files that name people the
URL does not (a campaign's codes with their customers) — so that the access report of any
one of those people finds the download."""

import csv
import io
import os
import subprocess
import sys

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from orders.models import Order
from orders.services import bulk, create_invoice
from privacy.models import AccessLogEntry
from privacy.subjects import consultations, resolve
from shop.admin import backoffice
from shop.models import BackgroundJob
from tests.factories import UserFactory
from tests.vouchers.factories import CampaignFactory, CodeFactory

pytestmark = pytest.mark.django_db

ORDERS = reverse("admin:orders_order_changelist")


def newest():
    return AccessLogEntry.objects.order_by("-id").first()


def exports_about(ref):
    """The ids of the export entries an access report for ``ref`` lists."""
    return {c.entry_id for c in consultations(resolve(ref)) if c.action == "export"}


def csv_rows(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(content.decode())))


@pytest.fixture
def small_pages(monkeypatch):
    """Two orders a page: a list of five is three pages."""
    monkeypatch.setattr(backoffice._registry[Order], "list_per_page", 2)


@pytest.fixture
def buyers(make_order):
    """Five orders whose e-mail matches the search "beispiel.de" (two of customers, three of
    guests) and two that do not."""
    customers = [UserFactory(email=f"kunde{i}@beispiel.de") for i in range(2)]
    matching = [make_order(customer=c, email=c.email) for c in customers]
    matching += [make_order(email=f"gast{i}@beispiel.de") for i in range(3)]
    others = [make_order(email=f"other{i}@example.com") for i in range(2)]
    return customers, matching, others


def select_all(client, action, visible, query="q=beispiel.de"):
    """The action on "Select all N" of the list: only the page's rows are ticked."""
    return client.post(
        f"{ORDERS}?{query}",
        {
            "action": action,
            "index": "0",
            "select_across": "1",
            ACTION_CHECKBOX_NAME: [o.pk for o in visible],
        },
    )


def test_select_all_export_logs_every_order_of_the_filtered_list(admin_client, small_pages, buyers):
    customers, matching, others = buyers
    response = select_all(admin_client, "bulk_export_csv", matching[:2])

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    exported = {row[0] for row in csv_rows(response)[1:]}
    assert exported == {o.number for o in matching}  # what Django handed to the action
    entry = newest()
    assert entry.action == "export"
    assert {f"order:{o.pk}" for o in matching} <= set(entry.subjects)
    assert {f"customer:{c.pk}" for c in customers} <= set(entry.subjects)
    assert {f"email:gast{i}@beispiel.de" for i in range(3)} <= set(entry.subjects)
    assert not {f"order:{o.pk}" for o in others} & set(entry.subjects)  # filtered out


def test_the_access_report_of_a_buyer_beyond_the_first_page_finds_the_export(
    admin_client, small_pages, buyers
):
    customers, matching, _others = buyers
    ticked = [o for o in matching if o.customer_id != customers[1].pk][:2]
    select_all(admin_client, "bulk_export_csv", ticked)
    entry = newest()
    assert entry.id in exports_about(f"customer:{customers[1].pk}")
    assert entry.id in exports_about("email:gast2@beispiel.de")


def test_select_all_without_a_filter_logs_the_whole_list(admin_client, small_pages, buyers):
    _customers, matching, others = buyers
    select_all(admin_client, "bulk_export_csv", matching[:2], query="")
    assert {f"order:{o.pk}" for o in matching + others} <= set(newest().subjects)


def test_select_all_follows_the_lists_filters_as_well_as_its_search(
    admin_client, small_pages, buyers
):
    _customers, matching, others = buyers
    paid, unpaid = matching[2:], matching[:2]  # three paid: two pages
    Order.objects.filter(pk__in=[o.pk for o in paid]).update(
        payment_status=Order.PaymentStatus.PAID
    )
    select_all(admin_client, "bulk_export_csv", paid[:2], query="q=beispiel.de&payment_status=paid")
    subjects = set(newest().subjects)
    assert {f"order:{o.pk}" for o in paid} <= subjects
    assert not {f"order:{o.pk}" for o in unpaid + others} & subjects


def test_ticked_rows_without_select_all_log_only_those(admin_client, small_pages, buyers):
    _customers, matching, others = buyers
    response = admin_client.post(
        f"{ORDERS}?q=beispiel.de",
        {"action": "bulk_export_csv", "index": "0", ACTION_CHECKBOX_NAME: [matching[0].pk]},
    )
    assert len(csv_rows(response)) == 2
    subjects = set(newest().subjects)
    assert f"order:{matching[0].pk}" in subjects
    assert not {f"order:{o.pk}" for o in matching[1:] + others} & subjects


def test_a_printed_select_all_names_every_order(admin_client, small_pages, buyers):
    """Not only CSV: the PDF of "Print invoices" on every order of the list too."""
    _customers, matching, _others = buyers
    for order in matching:
        create_invoice(order)
    response = select_all(admin_client, "bulk_print_invoices", matching[:2])
    assert response["Content-Type"] == "application/pdf"
    entry = newest()
    assert entry.action == "print"
    assert {f"order:{o.pk}" for o in matching} <= set(entry.subjects)


# --- more than 5,000 people in one file -------------------------------------------------------

MANY = 5_050


@pytest.fixture
def many_orders(make_order):
    """MANY guest orders (copies of a placed one, in one statement), the last one Zoe's."""
    placed = make_order(email="first@beispiel.de")
    own = ("id", "number", "email", "checkout_token")
    fields = [f.attname for f in Order._meta.concrete_fields if f.attname not in own]
    copies = [
        Order(
            **{name: getattr(placed, name) for name in fields},
            number=f"BULK{i:06d}",
            email=f"kunde{i}@beispiel.de" if i < MANY - 2 else "zoe@beispiel.de",
            checkout_token=None,
        )
        for i in range(MANY - 1)
    ]
    Order.objects.bulk_create(copies, batch_size=1000)
    return Order.objects.filter(email__endswith="@beispiel.de")


def test_an_export_of_thousands_of_orders_names_every_one(
    admin_client, many_orders, django_capture_on_commit_callbacks
):
    """Beyond the request (a background job) and beyond the old cap of 5,000 references."""
    assert many_orders.count() == MANY > bulk.ASYNC_THRESHOLD
    with django_capture_on_commit_callbacks(execute=True):
        response = select_all(admin_client, "bulk_export_csv", list(many_orders[:2]))
    job = BackgroundJob.objects.get()
    assert response.status_code == 302 and job.status == BackgroundJob.Status.DONE

    url = reverse("admin:shop_backgroundjob_file", args=[job.pk])
    assert len(csv_rows(admin_client.get(url))) == MANY + 1
    entry = AccessLogEntry.objects.get(path=url)
    assert entry.action == "export"
    assert {f"order:{pk}" for pk in many_orders.values_list("pk", flat=True)} <= set(entry.subjects)
    assert entry.id in exports_about("email:zoe@beispiel.de")


# --- files that name people the URL does not ------------------------------------------------


@pytest.fixture
def campaign_with_customers():
    campaign = CampaignFactory(kind="assigned", name="Summer")
    people = [UserFactory(email=f"summer{i}@example.com") for i in range(3)]
    for i, person in enumerate(people):
        CodeFactory(campaign=campaign, text=f"SUM{i}", assigned_to=person)
    CodeFactory(campaign=campaign, text="SUMFREE")
    elsewhere = UserFactory(email="winter@example.com")
    CodeFactory(campaign=CampaignFactory(kind="assigned"), text="WIN0", assigned_to=elsewhere)
    return campaign, people, elsewhere


def test_campaign_download_names_the_customers_of_its_codes(admin_client, campaign_with_customers):
    campaign, people, elsewhere = campaign_with_customers
    url = reverse("admin:vouchers_campaign_download", args=[campaign.pk])
    response = admin_client.get(url)

    emails = {row[2] for row in csv_rows(response)[1:]}
    assert emails == {p.email for p in people} | {""}
    entry = newest()
    assert entry.path == url and entry.action == "export"
    assert sorted(entry.subjects) == sorted(f"customer:{p.pk}" for p in people)
    assert entry.id in exports_about(f"customer:{people[0].pk}")
    assert entry.id not in exports_about(f"customer:{elsewhere.pk}")


def test_campaign_download_names_the_orders_of_its_last_order_column(admin_client, make_order):
    """The CSV's "last order" column names the order that used a code — a guest's too."""
    campaign = CampaignFactory(kind="multi", name="Guests")
    CodeFactory(campaign=campaign, text="GUESTS10")
    order = make_order(voucher_code="GUESTS10", email="guest@example.org")
    url = reverse("admin:vouchers_campaign_download", args=[campaign.pk])
    rows = csv_rows(admin_client.get(url))
    assert rows[1][3] == order.number
    assert f"order:{order.pk}" in newest().subjects


def test_the_code_list_and_the_download_of_a_campaign_name_the_same_customers(
    admin_client, campaign_with_customers
):
    campaign, people, _elsewhere = campaign_with_customers
    codes = reverse("admin:vouchers_code_changelist") + f"?campaign__id__exact={campaign.pk}"
    admin_client.get(codes)
    listed = {ref for ref in newest().subjects if ref.startswith("customer:")}
    admin_client.get(reverse("admin:vouchers_campaign_download", args=[campaign.pk]))
    assert set(newest().subjects) == listed == {f"customer:{p.pk}" for p in people}


def test_save_csv_of_the_assignment_names_the_matching_customers(admin_client, make_order):
    buyer, other = UserFactory(email="buyer@example.com"), UserFactory(email="none@example.com")
    make_order(customer=buyer, email=buyer.email)
    campaign = CampaignFactory(kind="assigned")
    CodeFactory(campaign=campaign, text="ASSIGN0")
    url = reverse("admin:vouchers_campaign_assign")

    response = admin_client.post(url, {"campaign": campaign.pk, "min_orders": "1", "save_csv": "1"})

    assert [row[0] for row in csv_rows(response)[1:]] == [buyer.email]
    entry = newest()
    assert entry.path == url and entry.action == "export"
    assert entry.subjects == [f"customer:{buyer.pk}"]
    assert entry.id in exports_about(f"customer:{buyer.pk}")
    assert not exports_about(f"customer:{other.pk}")


def test_the_subject_report_lists_the_download_as_a_marketing_export(
    admin_client, campaign_with_customers
):
    campaign, people, _elsewhere = campaign_with_customers
    admin_client.get(reverse("admin:vouchers_campaign_download", args=[campaign.pk]))
    report = admin_client.get(
        reverse("admin:privacy_subject_export", args=[f"customer:{people[1].pk}"])
    ).json()
    assert ("export", "marketing") in {
        (h["viewed"], h["purpose"]) for h in report["access_history"]
    }


# --- the retention the access log keeps ---------------------------------------------------


@pytest.mark.parametrize("args", [["--days", "1"], ["--days", "729"], ["--days", "1", "--dry-run"]])
def test_purge_refuses_to_keep_fewer_days_than_the_retention_setting(settings, staff, args):
    settings.ACCESS_LOG_RETENTION_DAYS = 730
    before = AccessLogEntry.objects.count()
    with pytest.raises(CommandError, match="at least 730 days") as refused:
        call_command("purge_access_log", *args)
    assert "\n" not in str(refused.value)  # one line
    assert AccessLogEntry.objects.count() == before  # no purge entry either


def test_purge_from_the_command_line_refuses_with_an_exit_code(settings):
    """What the operator sees: one line on stderr, exit code 1."""
    # A database that does not exist: the refusal needs none, and were it to fail, the purge
    # entry would land in no database (the test's own one would keep it after the test).
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/no_such_database"
    env = {**os.environ, "DATABASE_URL": url, "ACCESS_LOG_RETENTION_DAYS": "730"}
    done = subprocess.run(
        [sys.executable, "manage.py", "purge_access_log", "--days", "1"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        "CommandError: Access-log entries are kept for at least 730 days "
        "(ACCESS_LOG_RETENTION_DAYS); a purge can only keep them longer."
    ]


def test_purge_keeping_the_retention_period_or_more_runs(settings, staff, capsys):
    settings.ACCESS_LOG_RETENTION_DAYS = 730
    call_command("purge_access_log", "--days", "730")
    call_command("purge_access_log", "--days", "1000", "--dry-run")
    out = capsys.readouterr().out
    assert "Purged 0 access-log entries older than 730 days" in out
    assert "Would purge 0 access-log entries older than 1000 days" in out
    assert newest().action == "purge"


def test_purge_below_the_databases_floor_is_refused_even_with_nothing_to_drop(settings, staff):
    from privacy import services

    settings.ACCESS_LOG_RETENTION_DAYS = 30  # lowered since the last migrate
    services.set_retention_floor(400)
    before = AccessLogEntry.objects.count()
    with pytest.raises(CommandError, match="at least 400 days"):
        call_command("purge_access_log", "--days", "100")
    assert AccessLogEntry.objects.count() == before
