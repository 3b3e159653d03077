"""A customer downloads their own personal data (GDPR Art. 15 and 20) from the storefront
account: the DPO's JSON export of that customer — the privacy registry's collection, not a
second one — after the current password, without internal staff notes (which the DPO hands
out after a review, Art. 15(4)) and without secrets, recorded in the access log in the
customer's own name with its own purpose, and limited per hour."""

import json
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from customers.loyalty import adjust_points
from customers.models import AccountConfirmation
from helpdesk.models import Message
from orders.models import DownloadLink
from orders.services import add_comment
from orders.services.withdrawals import record_withdrawal
from privacy.models import AccessLogEntry, AccessReport
from privacy.subjects import consultations, resolve
from tests.customers.factories import AddressFactory
from tests.factories import StaffFactory, UserFactory
from tests.helpdesk.factories import MessageFactory, ThreadFactory
from tests.reviews.factories import ReviewFactory

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"  # tests.factories.UserFactory
URL = reverse("privacy:own_data")
STAFF_NOTE = "Kundin wirkt unzuverlässig, nur Vorkasse anbieten"
HELPDESK_NOTE = "Interner Hinweis: Rückruf vereinbart"


@pytest.fixture(autouse=True)
def _no_counted_downloads():
    cache.clear()  # the download limit and the wrong-password limit
    yield
    cache.clear()


def _data_of(customer, make_order, staff, marker):
    """An order, an address, a helpdesk thread, a review, a withdrawal and loyalty points
    of ``customer``, each naming ``marker``; plus internal staff notes."""
    order = make_order(customer=customer, email=customer.email, customer_note=f"{marker} order")
    add_comment(order, STAFF_NOTE, user=staff)  # internal
    AddressFactory(customer=customer, street=f"{marker}weg 7")
    thread = ThreadFactory(customer=customer, email=customer.email, name=customer.get_full_name())
    MessageFactory(thread=thread, kind=Message.Kind.CUSTOMER, text=f"{marker} asks a question")
    MessageFactory(thread=thread, kind=Message.Kind.NOTE, text=HELPDESK_NOTE, author=staff)
    ReviewFactory(customer=customer, email=customer.email, text=f"{marker} liked it")
    record_withdrawal(
        name=customer.get_full_name(),
        email=customer.email,
        order_number=order.number,
        reason=f"{marker} changed their mind",
        customer=customer,
        order=order,
    )
    adjust_points(customer, 50, f"{marker} welcome bonus", by=staff)
    return order, thread


@pytest.fixture
def erika(db):
    return UserFactory(email="erika.muster@example.com", first_name="Erika", last_name="Muster")


@pytest.fixture
def max_(db):
    return UserFactory(email="max.other@example.com", first_name="Max", last_name="Anders")


@pytest.fixture
def both(erika, max_, make_order, staff):
    return (
        _data_of(erika, make_order, staff, "Erikamarker"),
        _data_of(max_, make_order, staff, "Maxmarker"),
    )


def download(client, password=PASSWORD, url=URL):
    return client.post(url, {"password": password})


def as_data(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content.decode("utf-8"))


def places(data):
    # the customer's file names its places as people do, not by model (test_own_data_download)
    return {p["place"]: p for p in data["storage_places"]}


def test_the_account_page_links_to_the_download(client, erika):
    client.force_login(erika)
    page = client.get(reverse("customers:account")).content.decode()
    assert f'href="{URL}"' in page and "Download my data" in page
    own = client.get(URL).content.decode()
    assert f'<a href="{URL}" aria-current="page">' in own  # its own entry is the current one


def test_the_page_says_what_is_included_and_asks_for_the_password(client, erika):
    client.force_login(erika)
    page = client.get(URL).content.decode()
    assert "What the file contains" in page and "your orders" in page
    assert 'type="password"' in page and 'autocomplete="current-password"' in page
    assert "Internal notes of our staff" in page


def test_the_file_is_one_dated_utf8_json_attachment(client, erika, both):
    client.force_login(erika)
    response = download(client)
    data = as_data(response)
    day = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="personal-data-{day}.json"'
    assert "no-store" in response["Cache-Control"]
    assert "Musterstraße 1" in response.content.decode("utf-8")  # UTF-8, not \\u escapes
    assert data["subject"] == {
        "kind": "customer",
        "name": "Erika Muster",
        "email": erika.email,
    }


def test_a_wrong_password_produces_nothing(client, erika, both):
    client.force_login(erika)
    response = download(client, password="not-my-password")
    assert response.status_code == 200
    assert "Content-Disposition" not in response
    assert "The password is not correct." in response.content.decode()
    assert response.context["form"].errors["password"] == ["The password is not correct."]
    assert not AccessReport.objects.exists()
    assert not AccessLogEntry.objects.filter(user=erika).exists()


def test_an_empty_password_is_a_form_error(client, erika):
    client.force_login(erika)
    response = download(client, password="")
    assert "Content-Disposition" not in response
    assert "password" in response.context["form"].errors
    assert not AccessReport.objects.exists()


def test_the_file_is_the_dpos_export_of_the_customer_without_staff_notes(
    client, staff, erika, both
):
    """The same collection as the DPO's JSON export (privacy.subjects): every storage place
    with the same records, only the internal staff notes withheld with their reason."""
    client.force_login(erika)  # before the DPO's export: the login is in both
    dpo = Client()
    dpo.force_login(staff)
    dpo_export = as_data(
        dpo.get(reverse("admin:privacy_subject_export", args=[f"customer:{erika.pk}"]))
    )
    own = as_data(download(client))
    notes = {"orders.ordercomment:staff_notes", "helpdesk.message:staff_notes"}
    dpo_places = {
        p["place"]: [r["title"] for r in p["records"]]
        for p in dpo_export["storage_places"]
        if not p["place"].startswith("Internal staff notes")
    }
    # the same records; their fields without the shop's internals (test_own_data_download)
    own_places = {p["place"]: [r["title"] for r in p["records"]] for p in own["storage_places"]}
    assert own_places == dpo_places
    assert {w["category"] for w in own["withheld"]} == {
        "Internal staff notes: Order comments",
        "Internal staff notes: Messages",
    }
    assert all("data protection officer" in w["reason"] for w in own["withheld"])
    assert AccessReport.objects.get(created_by=erika).withheld[0]["key"] in notes
    text = json.dumps(own, ensure_ascii=False)
    assert STAFF_NOTE not in text and HELPDESK_NOTE not in text
    for key in ("summary", "disclosures", "access_history", "first_seen", "generated"):
        assert key in own


def test_the_file_covers_the_customers_data_and_nothing_of_another(client, erika, max_, both):
    (order, thread), (other_order, other_thread) = both
    client.force_login(erika)
    data = as_data(download(client))
    found = places(data)
    for place in (
        "Customers",
        "Addresses",
        "Orders",
        "Withdrawals",
        "Threads",
        "Messages",
        "Reviews",
        "Loyalty points ledger",
        "Outbox",  # the order confirmation, the withdrawal's acknowledgement
    ):
        assert found.get(place, {}).get("records"), place
    text = json.dumps(data, ensure_ascii=False)
    for marker in (
        "Erikamarker order",
        "Erikamarkerweg 7",
        "Erikamarker asks a question",
        "Erikamarker liked it",
        "Erikamarker changed their mind",
        "Erikamarker welcome bonus",
        order.number,
        thread.subject,
    ):
        assert marker in text, marker
    assert [r["title"] for r in found["Orders"]["records"]] == [f"Order {order.number}"]
    assert "Maxmarker" not in text and "max.other@example.com" not in text
    assert other_order.number not in text and other_thread.subject not in text


def test_order_records_have_their_lines_and_totals(client, erika, both):
    (order, _thread), _other = both
    client.force_login(erika)
    (record,) = places(as_data(download(client)))["Orders"]["records"]
    fields = record["fields"]
    assert fields["grand_total"] == str(order.grand_total)
    line = order.lines.get()
    assert fields["items"] == f"{line.quantity} × {line.name} ({line.sku})"


def test_no_secret_is_in_the_file(client, erika, both):
    (order, thread), _other = both
    AccountConfirmation.objects.create(customer=erika, nonce="n0nce" * 6)
    link = DownloadLink.objects.create(
        order=order,
        order_line=order.lines.get(),
        token="download-token-" + "x" * 40,
        expires_at=timezone.now(),
        max_downloads=3,
    )
    client.force_login(erika)
    text = download(client).content.decode("utf-8")
    erika.refresh_from_db()
    for secret in (erika.password, PASSWORD, thread.token, link.token, "n0nce" * 6):
        assert secret not in text, secret
    assert '"password' not in text and '"token"' not in text and '"nonce"' not in text


def test_each_download_is_in_the_access_log_in_the_customers_name(client, erika, both):
    client.force_login(erika)
    download(client)
    report = AccessReport.objects.get()
    assert report.created_by == erika and report.subject == f"customer:{erika.pk}"
    assert report.format == "json" and report.language == "en"
    entry = AccessLogEntry.objects.filter(user=erika).get()
    assert entry.username == erika.email and entry.action == "export"
    assert entry.path == URL
    assert entry.subjects == [f"customer:{erika.pk}", f"privacy.accessreport:{report.pk}"]
    assert entry.note.startswith("personal-data report (json, en) · downloaded by the data subject")
    # The customer's access history names it with its own purpose.
    (own,) = [c for c in consultations(resolve(f"customer:{erika.pk}")) if c.entry_id == entry.pk]
    assert own.purpose_label == "data access by the data subject"
    assert own.what == "export · Personal data"


def test_a_download_in_polish_is_logged_and_read_back_with_its_purpose(client, erika, both):
    client.force_login(erika)
    url = reverse("privacy:own_data").replace("/account/", "/pl/account/", 1)
    assert url.startswith("/pl/")
    data = as_data(download(client, url=url))
    assert any(p["place"] == "Zamówienia" for p in data["storage_places"]), [
        p["place"] for p in data["storage_places"]
    ]
    entry = AccessLogEntry.objects.get(user=erika)
    assert entry.path == url and "(json, pl)" in entry.note
    with translation.override("en"):  # an English report of a download in Polish
        history = consultations(resolve(f"customer:{erika.pk}"))
    (own,) = [c for c in history if c.entry_id == entry.pk]
    assert own.purpose == "data_subject"


def test_the_orders_events_are_in_the_language_of_the_download(client, erika, both):
    """The order's history was written in English (the order's language); a Polish download
    reads it in Polish, as the account's pages do (shop.events), not as it was written."""
    client.force_login(erika)
    url = reverse("privacy:own_data").replace("/account/", "/pl/account/", 1)
    text = json.dumps(as_data(download(client, url=url)), ensure_ascii=False)
    with translation.override("pl"):
        polish = translation.gettext("Withdrawal statement received.")
    assert polish != "Withdrawal statement received." and polish in text
    assert "Withdrawal statement received." not in text


def test_downloads_are_limited_per_hour(client, erika, both, settings):
    settings.PRIVACY_OWN_DATA_DOWNLOADS_PER_HOUR = 2
    client.force_login(erika)
    assert as_data(download(client))
    assert as_data(download(client))
    refused = download(client)
    assert "Content-Disposition" not in refused
    message = "You can download your data 2 times per hour. Please try again later."
    assert message in refused.content.decode()
    assert AccessReport.objects.count() == 2
    assert AccessLogEntry.objects.filter(user=erika).count() == 2
    assert message in client.get(URL).content.decode()  # said before the password, too


def test_wrong_passwords_do_not_use_up_the_downloads(client, erika, both, settings):
    settings.PRIVACY_OWN_DATA_DOWNLOADS_PER_HOUR = 1
    client.force_login(erika)
    download(client, password="wrong")
    assert as_data(download(client))


def test_guessing_the_password_is_limited_too(client, erika, settings):
    """The current password's own limit (customers.services.check_current_password)."""
    settings.ACCOUNT_PASSWORD_CHECK_LIMIT = 2
    client.force_login(erika)
    for _ in range(2):
        download(client, password="wrong")
    refused = download(client)  # now even the right one, for a while
    assert "Content-Disposition" not in refused
    assert "Too many attempts" in refused.content.decode()


def test_anonymous_visitors_are_sent_to_the_login(client):
    for response in (client.get(URL), client.post(URL, {"password": PASSWORD})):
        assert response.status_code == 302
        assert response.url.startswith(reverse("customers:login"))
    assert not AccessReport.objects.exists()


def test_an_inactive_account_gets_nothing(client, erika):
    client.force_login(erika)
    erika.is_active = False
    erika.save(update_fields=["is_active"])
    response = download(client)
    assert response.status_code == 302 and response.url.startswith(reverse("customers:login"))
    assert not AccessReport.objects.exists()


def test_staff_are_told_to_ask_the_data_protection_officer(client):
    staff = StaffFactory()
    client.force_login(staff)
    page = client.get(URL).content.decode()
    assert "ask the data protection officer" in page and 'type="password"' not in page
    response = download(client)
    assert "Content-Disposition" not in response
    assert not AccessReport.objects.exists()
    account = client.get(reverse("customers:account")).content.decode()
    assert f'href="{URL}"' not in account


def test_the_page_in_german_and_polish_renders(client, erika):
    client.force_login(erika)
    for language in ("de", "pl"):
        response = client.get(f"/{language}{URL}")
        assert response.status_code == 200
        assert re.search(r'<html[^>]+lang="' + language, response.content.decode())


# --- the download does not stop the erasure ----------------------------------------------


def test_a_customer_who_downloaded_their_data_can_still_delete_the_account(client, erika):
    """Found in the storefront: the download's log entry named the account (a protected
    reference), so "Delete my account" failed with "… still refer to it: access log"."""
    from django.contrib.auth import get_user_model

    from privacy.services.chain import verify_chain

    client.force_login(erika)
    download(client)
    entry = AccessLogEntry.objects.get(user_id=erika.pk)
    response = client.post(
        reverse("customers:delete_account"), {"password": PASSWORD, "confirm": "on"}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not get_user_model().objects.filter(pk=erika.pk).exists()
    # The entry is the record of the request: kept as written, the chain intact.
    kept = AccessLogEntry.objects.get(pk=entry.pk)
    assert (kept.user_id, kept.username) == (erika.pk, "erika.muster@example.com")
    assert verify_chain().ok


def test_a_staff_account_that_looked_at_personal_data_is_not_deleted(client, erika, both):
    from django.db.models import ProtectedError

    from privacy.services.log import write_entry

    staff = StaffFactory()
    write_entry(user=staff, action="detail", subjects=[f"customer:{erika.pk}"], path="/x/")
    with pytest.raises(ProtectedError) as refused:
        staff.delete()
    assert {type(obj) for obj in refused.value.protected_objects} == {AccessLogEntry}
    assert AccessLogEntry.objects.filter(user_id=staff.pk).exists()
