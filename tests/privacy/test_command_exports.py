"""Management commands that write personal data to a file or the terminal are in the access
log too (SPEC S11), like the backoffice downloads they mirror: one entry per run, named
after the command and the system user, with every person the output names — so the access
report of any of them finds it."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from orders import services
from privacy.models import AccessLogEntry
from privacy.subjects import consultations, resolve
from tests.factories import UserFactory
from tests.orders.factories import ship_all
from tests.vouchers.factories import CampaignFactory, CodeFactory

pytestmark = pytest.mark.django_db


def entries():
    return list(AccessLogEntry.objects.order_by("id"))


def run(*args):
    before = AccessLogEntry.objects.count()
    call_command(*args, stdout=StringIO(), stderr=StringIO())
    new = entries()[before:]
    assert len(new) <= 1
    return new[0] if new else None


def exports_about(ref):
    return {c.entry_id for c in consultations(resolve(ref)) if c.action == "export"}


def test_export_codes_names_the_assigned_customers(tmp_path):
    campaign = CampaignFactory(kind="assigned", name="Herbst")
    people = [UserFactory(email=f"autumn{i}@example.com") for i in range(2)]
    for i, person in enumerate(people):
        CodeFactory(campaign=campaign, text=f"AUT{i}", assigned_to=person)
    other = UserFactory(email="other@example.com")

    entry = run("export_codes", "Herbst", "-o", str(tmp_path / "codes.csv"))

    assert entry.username == "manage.py export_codes" and entry.action == "export"
    assert entry.user_id is None and "campaign Herbst" in entry.note and "run by " in entry.note
    assert sorted(entry.subjects) == sorted(f"customer:{p.pk}" for p in people)
    assert entry.id in exports_about(f"customer:{people[1].pk}")
    assert not exports_about(f"customer:{other.pk}")


def test_export_codes_without_personal_data_writes_no_entry():
    campaign = CampaignFactory(kind="single", name="Anonymous")
    CodeFactory(campaign=campaign, text="ANON1")
    assert run("export_codes", "Anonymous") is None


def test_assign_codes_logs_the_e_mail_file_only(make_order, tmp_path):
    buyer = UserFactory(email="buyer@example.com")
    make_order(customer=buyer, email=buyer.email)
    campaign = CampaignFactory(kind="assigned", name="Loyal")
    CodeFactory(campaign=campaign, text="LOY0")
    CodeFactory(campaign=campaign, text="LOY1")

    entry = run("assign_codes", "Loyal", "--min-orders", "1", "--emails-csv", str(tmp_path / "e"))

    assert entry.username == "manage.py assign_codes --emails-csv"
    assert entry.subjects == [f"customer:{buyer.pk}"]
    # Without the file the command shows nobody's data: no entry.
    CodeFactory(campaign=campaign, text="LOY2")
    UserFactory(email="second@example.com")
    assert run("assign_codes", "Loyal", "--min-orders", "1") is None


@pytest.fixture
def invoiced(make_order):
    order = make_order(email="buyer@example.org")
    services.create_invoice(order)
    return order


def test_export_invoices_names_the_buyers_of_the_documents(invoiced, make_order, tmp_path):
    credited = make_order(email="credited@example.org")
    services.create_invoice(credited)
    services.refund_order(credited)  # a credit note (its order through its invoice)
    today = timezone.localdate().isoformat()
    entry = run(
        "export_invoices", "--from", today, "--to", today, "-o", str(tmp_path), "--xml-only"
    )
    assert entry.username == "manage.py export_invoices"
    assert sorted(entry.subjects) == sorted([f"order:{invoiced.pk}", f"order:{credited.pk}"])
    assert entry.id in exports_about("email:buyer@example.org")


def test_export_bookings_names_the_buyers_of_the_month(invoiced, tmp_path):
    month = timezone.localdate().strftime("%Y-%m")
    entry = run("export_bookings", "--month", month, "-o", str(tmp_path / "datev.csv"))
    assert entry.username == "manage.py export_bookings"
    assert entry.subjects == [f"order:{invoiced.pk}"]


def test_list_returns_names_the_orders_it_prints(invoiced):
    services.create_shipment(invoiced, ship_all(invoiced))
    line = invoiced.lines.get()
    services.create_return(invoiced, {line.pk: 1}, reason="damaged")
    entry = run("list_returns")
    assert entry.username == "manage.py list_returns"
    assert entry.subjects == [f"order:{invoiced.pk}"]
    assert run("list_returns", "--status", "refunded") is None  # nothing printed
