"""The data subject's report (issue 23, items 6 and 7): a one-page summary first, internal
staff notes included unless withheld with a recorded reason (GDPR Art. 15(4)), and the
subject's own access history — date, what was viewed, purpose — without staff names unless
the DPO adds them for a recorded reason (CJEU C-579/21 Pankki S). And the DPO's CSV export."""

import csv
import io
import json

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from pypdf import PdfReader

from helpdesk.models import Message
from orders.models import OrderComment
from orders.services import add_comment, create_invoice, regenerate_feed_token
from privacy import services
from privacy.models import AccessLogEntry, AccessReport, Disclosure
from privacy.subjects import consultations, entries_about, resolve
from tests.factories import StaffFactory
from tests.helpdesk.factories import MessageFactory, ThreadFactory

pytestmark = pytest.mark.django_db

NOTE = "Kundin wirkt unzuverlässig, nur Vorkasse anbieten"
HELPDESK_NOTE = "Interner Hinweis: Rückruf vereinbart"


def _pages(data):
    """The text of each page, with line breaks and runs of spaces as single spaces."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def newest():
    return AccessLogEntry.objects.order_by("-id").first()


@pytest.fixture
def erika_data(make_order, erika, staff):
    order = make_order(customer=erika, email=erika.email)
    add_comment(order, NOTE, user=staff)  # internal: not visible to the customer
    add_comment(order, "Paket ist unterwegs", visible_to_customer=True, user=staff)
    thread = ThreadFactory(customer=erika, email=erika.email, name="Erika Mustermann")
    MessageFactory(thread=thread, kind=Message.Kind.CUSTOMER, text="Wo bleibt mein Paket?")
    MessageFactory(thread=thread, kind=Message.Kind.NOTE, text=HELPDESK_NOTE, author=staff)
    Disclosure.objects.create(
        subject=f"customer:{erika.pk}", date="2026-03-02", recipient="DHL Paket GmbH", scope="x"
    )
    return order, thread


def _report_url(erika):
    return reverse("admin:privacy_subject_report", args=[f"customer:{erika.pk}"])


def test_the_report_starts_with_a_one_page_summary(admin_client, erika, erika_data):
    order, _thread = erika_data
    pages = _pages(admin_client.get(_report_url(erika)).content)
    summary = pages[0]
    for text in [
        "Summary",
        "Orders",
        "Customers",  # where it is stored: the shop's parts, not database tables
        "Retention",
        "8 years",
        "§ 147 AO",
        "DHL Paket GmbH",
        "Consultations of your data by our staff",
    ]:
        assert text in summary, text
    assert order.number not in summary  # the records follow on the next pages
    details = "\n".join(pages[1:])
    assert order.number in details and "Musterstraße 1" in details


def test_internal_staff_notes_are_included_by_default(admin_client, erika, erika_data):
    text = "\n".join(_pages(admin_client.get(_report_url(erika)).content))
    assert "Internal staff notes: Order comments" in text and NOTE in text
    assert "Internal staff notes: Messages" in text and HELPDESK_NOTE in text
    assert "Paket ist unterwegs" in text  # a comment the customer saw is no staff note


def test_dpo_withholds_a_category_with_a_recorded_reason(client, dpo, erika, erika_data):
    client.force_login(dpo)
    key = "orders.ordercomment:staff_notes"
    reason = "Notes about a pending fraud investigation (rights of others)"
    response = client.post(
        _report_url(erika),
        {"format": "pdf", "language": "en", f"withhold:{key}": "on", f"reason:{key}": reason},
    )
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(_pages(response.content))
    assert NOTE not in text
    assert "Withheld to protect the rights of others (GDPR Art. 15(4))" in text and reason in text
    assert HELPDESK_NOTE in text  # only the withheld category is left out
    report = AccessReport.objects.get()
    assert report.created_by == dpo and report.subject == f"customer:{erika.pk}"
    assert report.withheld == [
        {"key": key, "place": "Internal staff notes: Order comments", "reason": reason}
    ]
    entry = newest()
    assert entry.action == "print" and reason in entry.note
    assert f"privacy.accessreport:{report.pk}" in entry.subjects


def test_withholding_without_a_reason_changes_nothing(client, dpo, erika, erika_data):
    client.force_login(dpo)
    key = "orders.ordercomment:staff_notes"
    response = client.post(
        _report_url(erika), {"format": "pdf", "language": "en", f"withhold:{key}": "on"}
    )
    assert response.status_code == 302
    assert response.url == reverse("admin:privacy_subject_show", args=[f"customer:{erika.pk}"])
    assert not AccessReport.objects.exists()
    show = client.get(response.url)
    assert "Give the reason for withholding" in show.content.decode()


def test_only_who_may_decide_can_withhold(client, erika, erika_data):
    viewer = StaffFactory()
    viewer.user_permissions.add(Permission.objects.get(codename="view_subject"))
    client.force_login(viewer)
    show = client.get(reverse("admin:privacy_subject_show", args=[f"customer:{erika.pk}"]))
    assert "withhold:" not in show.content.decode()
    key = "orders.ordercomment:staff_notes"
    response = client.post(
        _report_url(erika),
        {"format": "pdf", "language": "en", f"withhold:{key}": "on", f"reason:{key}": "x"},
    )
    assert NOTE in "\n".join(_pages(response.content))
    assert AccessReport.objects.get().withheld == []


def _consult(admin_client, erika, order):
    invoice = create_invoice(order)
    admin_client.get(reverse("admin:customers_user_change", args=[erika.pk]))
    admin_client.get(reverse("admin:orders_order_change", args=[order.pk]))
    admin_client.get(reverse("admin:orders_invoice_change", args=[invoice.pk]))
    admin_client.get(reverse("admin:customers_user_changelist"))
    admin_client.get(reverse("admin:privacy_subject_show", args=[f"customer:{erika.pk}"]))


def test_the_access_history_gives_dates_what_and_purpose_without_staff(
    admin_client, staff, erika, erika_data
):
    order, _thread = erika_data
    _consult(admin_client, erika, order)
    response = admin_client.get(
        reverse("admin:privacy_subject_export", args=[f"customer:{erika.pk}"])
    )
    data = json.loads(response.content)
    history = data["access_history"]
    purposes = {(h["viewed"], h["purpose"]) for h in history}
    assert {
        ("detail", "customer service"),
        ("detail", "order processing"),
        ("detail", "accounting"),
        ("list", "customer service"),
        ("detail", "data protection request"),
    } <= purposes
    assert all(h["time"] for h in history)
    assert any(h["what"] == "detail · invoices" for h in history)
    assert staff.email not in response.content.decode()
    assert "staff" not in history[0]
    assert data["summary"]["consultations"] == len(history)

    text = "\n".join(_pages(admin_client.get(_report_url(erika)).content))
    assert "order processing" in text and "accounting" in text and staff.email not in text


def test_dpo_adds_staff_names_for_a_recorded_reason(client, dpo, staff, erika, erika_data):
    order, _thread = erika_data
    client.force_login(staff)
    client.get(reverse("admin:orders_order_change", args=[order.pk]))
    client.force_login(dpo)
    reason = "The customer disputes an order change; court order of 2026-05-04"
    response = client.post(
        _report_url(erika),
        {"format": "json", "language": "en", "staff_names": "on", "staff_names_reason": reason},
    )
    data = json.loads(response.content)
    assert data["staff_names_reason"] == reason
    assert staff.email in {h["staff"] for h in data["access_history"]}
    assert AccessReport.objects.get().staff_names_reason == reason
    assert "staff names" in newest().note


def test_the_report_speaks_the_subjects_language(admin_client, erika, erika_data):
    order, _thread = erika_data
    erika.language = "de"
    erika.save()
    admin_client.get(reverse("admin:orders_order_change", args=[order.pk]))
    text = "\n".join(_pages(admin_client.get(_report_url(erika)).content))
    assert "Auskunft über personenbezogene Daten" in text
    assert "Zusammenfassung" in text and "Bestellabwicklung" in text
    assert AccessReport.objects.get().language == "de"


def test_reading_the_feed_counts_as_order_processing(client, staff, erika, erika_data):
    token = regenerate_feed_token(staff)
    client.get(reverse("orders:feed", args=[token]))
    history = consultations(resolve(f"customer:{erika.pk}"))
    assert history[0].action == "list" and history[0].purpose == "order_processing"


def test_who_looked_at_customer_x_is_the_same_query_as_the_log_filter(
    admin_client, dpo, client, staff, erika, erika_data
):
    order, _thread = erika_data
    _consult(admin_client, erika, order)
    services.write_entry(user=staff, action="detail", subjects=["customer:999999"])
    person = resolve(f"customer:{erika.pk}")
    client.force_login(dpo)
    response = client.get(
        reverse("admin:privacy_accesslogentry_changelist") + f"?subject=customer:{erika.pk}"
    )
    shown = [e.pk for e in response.context["cl"].result_list]
    assert shown == list(entries_about(person).values_list("pk", flat=True))[: len(shown)]
    assert len(consultations(person)) == entries_about(person).count()


# --- the DPO's CSV export of the log ----------------------------------------------------------


def test_dpo_exports_the_filtered_log_as_csv_and_the_export_is_logged(client, dpo, staff, erika):
    services.write_entry(user=staff, action="detail", subjects=[f"customer:{erika.pk}"])
    services.write_entry(user=staff, action="list", subjects=["customer:1"], note="=cmd|x")
    client.force_login(dpo)
    listing = client.get(reverse("admin:privacy_accesslogentry_changelist") + "?action=detail")
    assert "Export CSV" in listing.content.decode()

    url = reverse("admin:privacy_accesslogentry_export") + f"?subject=customer:{erika.pk}"
    response = client.get(url)
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:4] == ["id", "time", "staff user", "action"]
    assert [r[3] for r in rows[1:]] == ["detail"]
    assert f"customer:{erika.pk}" in rows[1][4]
    entry = newest()
    assert entry.action == "export" and entry.user == dpo
    assert entry.subjects == [f"customer:{erika.pk}"] and "access-log CSV" in entry.note

    everything = client.get(reverse("admin:privacy_accesslogentry_export"))
    text = b"".join(everything.streaming_content).decode()
    assert "'=cmd|x" in text  # formula injection neutralised


def test_the_csv_export_needs_its_permission(client, erika):
    viewer = StaffFactory()
    viewer.user_permissions.add(Permission.objects.get(codename="view_accesslogentry"))
    client.force_login(viewer)
    listing = client.get(reverse("admin:privacy_accesslogentry_changelist"))
    assert listing.status_code == 200 and "Export CSV" not in listing.content.decode()
    assert client.get(reverse("admin:privacy_accesslogentry_export")).status_code == 403


def test_comments_the_customer_saw_are_not_staff_notes(erika_data):
    order, _thread = erika_data
    texts = {c.text: c for c in OrderComment.objects.filter(order=order)}
    from shop import personal_data

    is_note = personal_data.source("orders.ordercomment").staff_note
    assert is_note(texts[NOTE]) and not is_note(texts["Paket ist unterwegs"])


def test_who_looked_at_x_sorts_its_hits_instead_of_walking_the_whole_log(client, dpo, staff, erika):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        services.write_entry(user=staff, action="detail", subjects=[f"customer:{erika.pk}"])
    client.force_login(dpo)
    url = reverse("admin:privacy_accesslogentry_changelist") + f"?subject=customer:{erika.pk}"
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    paginator = response.context["cl"].paginator
    assert paginator.count == 3 and not getattr(paginator, "is_estimate", False)
    listing = [q["sql"] for q in queries if "ORDER BY" in q["sql"] and "?|" in q["sql"]]
    assert listing and '("privacy_accesslogentry"."id" + 0) DESC' in listing[0]
    assert any("set_config('jit', 'off', true)" in q["sql"] for q in queries)
