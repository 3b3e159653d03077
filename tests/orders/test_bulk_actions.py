"""Bulk work on the order list (issue 26, item 3): every action goes through the
single-order services, reports what it skipped and why, and long runs become a job."""

import csv
import io

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.urls import reverse
from pypdf import PdfReader

from orders import services
from orders.models import Invoice, Order, Shipment
from orders.services import bulk
from shop.models import BackgroundJob
from tests.factories import PaymentMethodFactory, RoleUserFactory
from tests.orders.factories import ship_all

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:orders_order_changelist")


def act(client, action, orders, follow=False, confirm=True):
    """Run a bulk action; ``confirm``: as the confirmation page posts it back (actions that
    issue documents, take money or ship ask first; the others ignore it)."""
    data = {"action": action, ACTION_CHECKBOX_NAME: [o.pk for o in orders]}
    if confirm:
        data["confirm"] = "yes"
    return client.post(CHANGELIST, data, follow=follow)


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def reload(order):
    return Order.objects.get(pk=order.pk)


def pdf_text(content):
    reader = PdfReader(io.BytesIO(content))
    return [page.extract_text() for page in reader.pages]


@pytest.fixture
def prepayment(db):
    return PaymentMethodFactory(code="prepayment", name="Bank transfer", kind="prepayment")


def test_create_invoices_invoices_what_it_can_and_says_what_it_skipped(admin_client, make_order):
    fresh, invoiced, canceled = make_order(), make_order(), make_order()
    services.create_invoice(invoiced)
    services.cancel_order(canceled)
    response = act(admin_client, "bulk_create_invoices", [fresh, invoiced, canceled])
    assert response.status_code == 302
    messages = texts(response)
    assert "1 invoice created." in messages
    skipped = next(m for m in messages if "skipped" in m)
    assert f"{invoiced.number} (already invoiced)" in skipped
    assert f"{canceled.number} (the order is canceled)" in skipped
    # The same service as the order page's button: invoice, capture, status.
    fresh = reload(fresh)
    assert fresh.invoices.count() == 1
    assert fresh.payment_status == Order.PaymentStatus.PAID
    assert fresh.status == Order.Status.PROCESSING
    assert Invoice.objects.count() == 2
    assert not BackgroundJob.objects.exists()  # a short run leaves nothing behind


def test_mark_paid_only_for_prepayment_orders(admin_client, make_order, prepayment):
    bank = make_order(payment_method_id=prepayment.pk)
    paid = make_order(payment_method_id=prepayment.pk)
    services.mark_paid(paid)
    card = make_order()
    response = act(admin_client, "bulk_mark_paid", [bank, paid, card])
    messages = texts(response)
    assert "1 order marked as paid." in messages
    skipped = next(m for m in messages if "skipped" in m)
    assert f"{paid.number} (already paid)" in skipped
    assert f"{card.number} (not a prepayment order)" in skipped
    assert reload(bank).payment_status == Order.PaymentStatus.PAID
    assert reload(card).payment_status == Order.PaymentStatus.AUTHORIZED


def test_print_invoices_is_one_pdf_each_in_its_orders_language(admin_client, make_order):
    english, german = make_order(language="en"), make_order(language="de")
    for order in (english, german):
        services.create_invoice(order)
    response = act(admin_client, "bulk_print_invoices", [english, german])
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="invoices-')
    pages = pdf_text(response.content)
    assert len(pages) == 2
    assert "Invoice" in pages[0] and english.number in pages[0]
    assert "Rechnung" in pages[1] and german.number in pages[1]


def test_print_reports_orders_without_an_invoice_on_a_result_page(admin_client, make_order):
    invoiced, pending = make_order(), make_order()
    services.create_invoice(invoiced)
    response = act(admin_client, "bulk_print_invoices", [invoiced, pending], follow=True)
    page = response.content.decode()
    job = BackgroundJob.objects.get()
    assert response.redirect_chain[-1][0] == job.get_absolute_url()
    assert "1 invoice in one PDF." in page
    assert pending.number in page and "not invoiced yet" in page
    download = admin_client.get(reverse("admin:shop_backgroundjob_file", args=[job.pk]))
    assert len(pdf_text(b"".join(download.streaming_content))) == 1


def test_print_packing_slips_of_every_shipment(admin_client, make_order):
    shipped, pending = make_order(), make_order()
    services.create_shipment(shipped, ship_all(shipped))
    response = act(admin_client, "bulk_print_packing_slips", [shipped, pending], follow=True)
    job = BackgroundJob.objects.get()
    assert job.result["skipped"] == [[pending.number, "not shipped yet"]]
    download = admin_client.get(reverse("admin:shop_backgroundjob_file", args=[job.pk]))
    pages = pdf_text(b"".join(download.streaming_content))
    assert len(pages) == 1 and f"{shipped.number}-1" in pages[0]
    assert response.status_code == 200


def test_export_csv_has_a_row_per_order_and_no_formulas(admin_client, make_order):
    first = make_order(billing={**_billing(), "last_name": "=HYPERLINK(1)"})
    second = make_order()
    response = act(admin_client, "bulk_export_csv", [first, second])
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "order number" and len(rows) == 3
    numbers = {row[0] for row in rows[1:]}
    assert numbers == {first.number, second.number}
    assert "'=HYPERLINK(1)" in [cell for row in rows for cell in row]


def _billing():
    from tests.conftest import BILLING

    return dict(BILLING)


def test_more_than_the_threshold_runs_as_a_job_with_a_progress_page(
    admin_client, make_order, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(bulk, "ASYNC_THRESHOLD", 2)
    orders = [make_order() for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        response = act(admin_client, "bulk_create_invoices", orders)
    job = BackgroundJob.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.DONE
    assert job.result["done"] == 3
    assert Invoice.objects.count() == 3
    page = admin_client.get(job.get_absolute_url()).content.decode()
    assert "3 invoices created." in page
    status = admin_client.get(reverse("admin:shop_backgroundjob_status", args=[job.pk])).json()
    assert status["status"] == "done" and status["progress"] == 100


def test_a_job_is_only_for_its_starter_and_holders_of_its_permission(client, make_order):
    clerk = RoleUserFactory(role="Order clerk")
    marketing = RoleUserFactory(role="Marketing")
    order = make_order()
    services.create_invoice(order)
    job = BackgroundJob.objects.create(
        kind="orders.print_invoices",
        title="Print invoices",
        permission="orders.view_order",
        params={"ids": [order.pk]},
    )
    url = job.get_absolute_url()
    client.force_login(marketing)
    assert client.get(url).status_code == 403
    client.force_login(clerk)
    assert client.get(url).status_code == 200


def test_view_only_roles_cannot_change_orders_in_bulk(client, make_order):
    support = RoleUserFactory(role="Support")
    client.force_login(support)
    order = make_order()
    page = client.get(CHANGELIST).content.decode()
    assert "bulk_print_invoices" in page and "bulk_create_invoices" not in page
    act(client, "bulk_create_invoices", [order])
    assert not Invoice.objects.exists()


def test_downloading_a_jobs_file_is_in_the_access_log(admin_client, make_order):
    from privacy.models import AccessLogEntry

    invoiced, pending = make_order(), make_order()
    services.create_invoice(invoiced)
    act(admin_client, "bulk_print_invoices", [invoiced, pending])
    job = BackgroundJob.objects.get()
    url = reverse("admin:shop_backgroundjob_file", args=[job.pk])
    admin_client.get(url)
    entry = AccessLogEntry.objects.filter(path=url).get()
    assert entry.action == "print"
    assert f"order:{invoiced.pk}" in entry.subjects and f"order:{pending.pk}" in entry.subjects


@pytest.mark.parametrize(
    "action, question, button",
    [
        ("bulk_create_invoices", "Create the invoices of 2 orders?", "Yes, create 2 invoices"),
        ("bulk_mark_paid", "Mark 2 orders as paid?", "Yes, mark 2 orders as paid"),
        ("bulk_ship", "Ship everything left to ship of 2 orders?", "Yes, ship 2 orders"),
    ],
)
def test_actions_that_issue_take_money_or_ship_ask_first(
    admin_client, make_order, prepayment, action, question, button
):
    orders = [make_order(payment_method_id=prepayment.pk) for _ in range(2)]
    response = act(admin_client, action, orders, confirm=False)
    page = response.content.decode()
    assert response.status_code == 200
    assert question in page and f'value="{button}"' in page
    assert all(o.number in page for o in orders)
    assert '<input type="hidden" name="confirm" value="yes">' in page
    assert not Invoice.objects.exists()
    assert not Shipment.objects.exists()
    assert all(reload(o).payment_status == Order.PaymentStatus.UNPAID for o in orders)
