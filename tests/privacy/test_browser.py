"""S11 personal-data browser: name search, Show, disclosures, report PDF, JSON export, roles."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse
from django.utils import formats, timezone
from pypdf import PdfReader

from privacy.models import AccessLogEntry, AccessReport, Disclosure
from privacy.subjects import search_customers
from shop import panels

pytestmark = pytest.mark.django_db


def newest():
    return AccessLogEntry.objects.order_by("-id").first()


@pytest.fixture
def erika_orders(make_order, erika):
    own = make_order(customer=erika, email=erika.email, phone="+49 30 999")
    guest = make_order(
        email="erika.guest@example.com",
        billing={
            "first_name": "Erika",
            "last_name": "Gastfeld",
            "street": "Gaststraße 7",
            "postcode": "20095",
            "city": "Hamburg",
            "country": "DE",
        },
    )
    return own, guest


def test_name_search_finds_customers_and_guest_orders(admin_client, erika, erika_orders):
    own, guest = erika_orders
    url = reverse("admin:privacy_subject_changelist")
    response = admin_client.get(url, {"q": "erika", "scope": "both"})
    assert response.status_code == 200
    assert [c.pk for c in response.context["customers"]] == [erika.pk]
    assert {o.pk for o in response.context["orders"]} == {own.pk, guest.pk}
    html = response.content.decode()
    assert "Gastfeld" in html and own.number in html and erika.email in html
    entry = newest()
    assert entry.action == "search"
    assert {f"customer:{erika.pk}", f"order:{guest.pk}", "email:erika.guest@example.com"} <= set(
        entry.subjects
    )

    response = admin_client.get(url, {"q": "Gastfeld", "scope": "orders"})
    assert response.context["customers"] is None
    assert [o.pk for o in response.context["orders"]] == [guest.pk]

    response = admin_client.get(url, {"q": "Erika Muster", "scope": "customers"})
    assert [c.pk for c in response.context["customers"]] == [erika.pk]
    assert response.context["orders"] is None


def test_too_short_search_is_an_error_and_logs_nothing(admin_client, erika):
    before = AccessLogEntry.objects.count()
    response = admin_client.get(reverse("admin:privacy_subject_changelist"), {"q": "e"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert AccessLogEntry.objects.count() == before


def test_name_search_can_use_the_trigram_index(erika):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        # not the name-order index (customers/0022) read whole with the name as a filter
        cursor.execute("DROP INDEX IF EXISTS customers_user_person_name")
    qs_sql = None
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        search_customers("Muster")
    qs_sql = queries[-1]["sql"]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + qs_sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "customers_user_name_fold_trgm" in plan


def test_show_lists_every_personal_field(admin_client, erika, erika_orders):
    own, _guest = erika_orders
    response = admin_client.get(
        reverse("admin:privacy_subject_show", args=[f"customer:{erika.pk}"])
    )
    assert response.status_code == 200
    html = response.content.decode()
    for value in [
        erika.email,
        "Erika",
        "Mustermann",
        "+49 30 123456",
        own.number,
        "Musterstraße 1",
    ]:
        assert value in html
    assert "customers_user" in html and "orders_order" in html
    entry = newest()
    assert entry.action == "detail" and entry.subjects == [f"customer:{erika.pk}"]


def test_order_reference_leads_to_its_person(admin_client, erika_orders):
    _own, guest = erika_orders
    url = reverse("admin:privacy_subject_show", args=[f"order:{guest.pk}"])
    response = admin_client.get(url)
    assert response.status_code == 302
    assert response.url == reverse(
        "admin:privacy_subject_show", args=["email:erika.guest@example.com"]
    )
    response = admin_client.get(response.url)
    assert "Gaststraße 7" in response.content.decode()


def test_unknown_subject_is_404(admin_client, db):
    url = reverse("admin:privacy_subject_show", args=["customer:999999"])
    assert admin_client.get(url).status_code == 404
    url = reverse("admin:privacy_subject_show", args=["email:nobody@example.com"])
    assert admin_client.get(url).status_code == 404


def test_disclosure_add_edit_delete_is_recorded(admin_client, erika):
    ref = f"customer:{erika.pk}"
    url = reverse("admin:privacy_subject_disclosures", args=[ref])
    response = admin_client.post(
        url, {"date": "2026-03-02", "recipient": "DHL Paket GmbH", "scope": "Shipping address"}
    )
    assert response.status_code == 302
    disclosure = Disclosure.objects.get(subject=ref)
    assert disclosure.subject_name == "Erika Mustermann"
    entry = newest()
    assert entry.action == "change" and "disclosure added" in entry.note
    assert ref in entry.subjects and f"privacy.disclosure:{disclosure.pk}" in entry.subjects

    edit = reverse("admin:privacy_subject_disclosure_edit", args=[ref, disclosure.pk])
    response = admin_client.post(
        edit, {"date": "2026-03-03", "recipient": "DHL Express", "scope": "Shipping address"}
    )
    assert response.status_code == 302
    disclosure.refresh_from_db()
    assert disclosure.recipient == "DHL Express"
    assert "DHL Paket GmbH" in newest().note and "DHL Express" in newest().note

    delete = reverse("admin:privacy_subject_disclosure_delete", args=[ref, disclosure.pk])
    assert admin_client.post(delete).status_code == 302
    assert not Disclosure.objects.exists()
    assert newest().action == "change" and "disclosure deleted" in newest().note

    listing = admin_client.get(url)
    assert "No disclosures recorded" in listing.content.decode()


def test_invalid_disclosure_changes_nothing(admin_client, erika):
    ref = f"customer:{erika.pk}"
    url = reverse("admin:privacy_subject_disclosures", args=[ref])
    before = AccessLogEntry.objects.filter(action="change").count()
    response = admin_client.post(url, {"date": "not a date", "recipient": "", "scope": ""})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Disclosure.objects.exists()
    assert AccessLogEntry.objects.filter(action="change").count() == before


def _pdf_text(data):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_report_pdf_holds_all_personal_data_and_disclosures(admin_client, erika, erika_orders):
    own, _guest = erika_orders
    Disclosure.objects.create(
        subject=f"customer:{erika.pk}", date="2026-04-15", recipient="Inkasso Nord", scope="Debt"
    )
    response = admin_client.get(
        reverse("admin:privacy_subject_report", args=[f"customer:{erika.pk}"])
    )
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    for value in [
        "Personal data report",
        erika.email,
        "Mustermann",
        "+49 30 123456",
        own.number,
        "Musterstraße 1",
        "10115",
        "Berlin",
        "Inkasso Nord",
        "First entered the system",
        # in the shop's time zone, as the report prints it (UTC's date differs near midnight)
        formats.date_format(timezone.localtime(erika.date_joined), "DATE_FORMAT"),
    ]:
        assert value in text, value
    entry = newest()
    report = AccessReport.objects.get()
    assert entry.action == "print"
    assert entry.subjects == [f"customer:{erika.pk}", f"privacy.accessreport:{report.pk}"]


def test_privacy_report_command(tmp_path, erika, erika_orders, capsys):
    target = tmp_path / "erika.pdf"
    call_command("privacy_report", "ERIKA.MUSTER@example.com", "-o", str(target))
    text = _pdf_text(target.read_bytes())
    assert erika_orders[0].number in text and "Mustermann" in text
    assert newest().action == "print"
    assert newest().username == "manage.py privacy_report"
    assert AccessReport.objects.get().subject == f"customer:{erika.pk}"  # recorded like any

    call_command("privacy_report", "erika.guest@example.com", "-o", str(tmp_path / "g.pdf"))
    assert "Gastfeld" in _pdf_text((tmp_path / "g.pdf").read_bytes())

    with pytest.raises(CommandError, match="No data subject"):
        call_command("privacy_report", "nobody@example.com", "-o", str(tmp_path / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()


def test_json_export_has_the_same_content(admin_client, erika, erika_orders):
    own, _guest = erika_orders
    Disclosure.objects.create(
        subject=f"customer:{erika.pk}", date="2026-04-15", recipient="Inkasso Nord", scope="Debt"
    )
    response = admin_client.get(
        reverse("admin:privacy_subject_export", args=[f"customer:{erika.pk}"])
    )
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["subject"] == {
        "reference": f"customer:{erika.pk}",
        "kind": "customer",
        "name": "Erika Mustermann",
        "email": erika.email,
    }
    places = {p["model"]: p for p in data["storage_places"]}
    account = places["customers.user"]["records"][0]["fields"]
    assert account["email"] == erika.email and account["phone"] == "+49 30 123456"
    orders = places["orders.order"]["records"]
    assert [o["fields"]["number"] for o in orders] == [own.number]
    assert orders[0]["fields"]["billing_street"] == "Musterstraße 1"
    assert "password" not in json.dumps(data)
    assert data["disclosures"][0]["recipient"] == "Inkasso Nord"
    assert data["first_seen"].startswith(erika.date_joined.strftime("%Y-%m-%d"))
    entry = newest()
    assert entry.action == "export" and entry.subjects[0] == f"customer:{erika.pk}"
    assert AccessReport.objects.get().format == "json"


def test_only_dpo_and_shop_manager_reach_privacy(client, dpo, marketing, erika):
    from tests.factories import RoleUserFactory

    manager = RoleUserFactory(role="Shop manager", email="manager-test@example.com")
    urls = [
        reverse("admin:privacy_subject_changelist") + "?q=Erika",
        reverse("admin:privacy_subject_show", args=[f"customer:{erika.pk}"]),
        reverse("admin:privacy_subject_export", args=[f"customer:{erika.pk}"]),
        reverse("admin:privacy_subject_disclosures", args=[f"customer:{erika.pk}"]),
        reverse("admin:privacy_accesslogentry_changelist"),
        reverse("admin:privacy_disclosure_changelist"),
    ]
    for user in (dpo, manager):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 200, (user.email, url)
    client.force_login(marketing)
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert not marketing.has_perm("privacy.view_accesslogentry")
    assert not dpo.has_perm("privacy.change_accesslogentry")
    assert not dpo.has_perm("privacy.delete_accesslogentry")


def test_access_log_screen_filters(client, dpo, erika, erika_orders, staff):
    from privacy import services

    own, _guest = erika_orders
    services.write_entry(user=staff, action="detail", subjects=[f"order:{own.pk}"])
    services.write_entry(user=staff, action="list", subjects=["customer:424242"])
    services.write_entry(user=dpo, action="detail", subjects=[f"customer:{erika.pk}"])
    client.force_login(dpo)
    url = reverse("admin:privacy_accesslogentry_changelist")

    # Who saw Erika: entries naming her account or one of her orders.
    response = client.get(url, {"subject": f"customer:{erika.pk}", "staff": staff.pk})
    rows = list(response.context["cl"].result_list)
    assert [r.subjects for r in rows] == [[f"order:{own.pk}"]]

    response = client.get(url, {"q": erika.email})
    shown = {tuple(r.subjects) for r in response.context["cl"].result_list}
    assert (f"order:{own.pk}",) in shown and ("customer:424242",) not in shown

    response = client.get(url, {"action__exact": "list", "date_from": "2000-01-01"})
    assert all(r.action == "list" for r in response.context["cl"].result_list)
    response = client.get(url, {"date_to": "2000-01-01"})
    assert not [r for r in response.context["cl"].result_list if r.path != url]


def test_access_log_list_query_count_is_constant(client, dpo, staff, django_assert_max_num_queries):
    from privacy import services
    from shop.models import ShopSettings

    ShopSettings.load()  # a shop has its settings row (creating it is a change of its own)
    for i in range(60):
        services.write_entry(user=staff, action="list", subjects=[f"customer:{i}"])
    client.force_login(dpo)
    # 15th: the session is read from PostgreSQL; the DPO also sees the shop's retention
    # pages, so the sidebar asks the shop section
    with django_assert_max_num_queries(16):
        assert client.get(reverse("admin:privacy_accesslogentry_changelist")).status_code == 200


def test_who_saw_panel_only_for_privacy_staff(dpo, marketing, erika, erika_orders):
    request = RequestFactory().get("/")
    request.user = dpo
    html = panels.BACKOFFICE_CUSTOMER.render(request, erika)
    assert f"?subject=customer:{erika.pk}" in html
    assert f"?subject=order:{erika_orders[0].pk}" in panels.BACKOFFICE_ORDER.render(
        request, erika_orders[0]
    )
    request.user = marketing
    assert "subject=" not in panels.BACKOFFICE_CUSTOMER.render(request, erika)


def test_someone_who_only_used_the_contact_form_or_wrote_a_review_is_found(admin_client, db):
    from tests.helpdesk.factories import ThreadFactory
    from tests.reviews.factories import ReviewFactory

    thread = ThreadFactory(name="Ola Kontaktowa", email="ola@example.pl")
    review = ReviewFactory(author_name="Lars Anmelder", email="lars@example.dk")
    url = reverse("admin:privacy_subject_changelist")

    response = admin_client.get(url, {"q": "Kontaktowa", "scope": "both"})
    hits = response.context["others"]
    assert [(h.row, h.person_ref) for h in hits] == [(thread, "email:ola@example.pl")]
    assert "Ola Kontaktowa" in response.content.decode()
    entry = newest()
    assert entry.action == "search"
    assert {f"helpdesk.thread:{thread.pk}", "email:ola@example.pl"} <= set(entry.subjects)

    response = admin_client.get(url, {"q": "lars@example", "scope": "other"})
    assert [h.row for h in response.context["others"]] == [review]
    assert response.context["customers"] is None and response.context["orders"] is None

    show = admin_client.get(reverse("admin:privacy_subject_show", args=["email:lars@example.dk"]))
    assert show.status_code == 200
    assert "Lars Anmelder" in show.content.decode()


def test_the_search_covers_every_declared_source_with_names_or_e_mails():
    from shop import personal_data

    searched = {s.model for s in personal_data.searchable()}
    assert {"helpdesk.thread", "reviews.review"} <= searched
    assert not {"customers.user", "orders.order"} & searched  # searched in their own sections


def test_access_log_list_path_wraps_after_its_slashes_and_is_escaped(client, dpo, staff):
    from privacy import services

    services.write_entry(
        user=staff, action="list", subjects=[], path="/backoffice/orders/order/?q=<b>x</b>"
    )
    client.force_login(dpo)
    html = client.get(reverse("admin:privacy_accesslogentry_changelist")).content.decode()
    assert "/<wbr>backoffice/<wbr>orders/<wbr>order/<wbr>?q=&lt;b&gt;x&lt;/<wbr>b&gt;" in html
    assert "<b>x</b>" not in html


@pytest.mark.parametrize(
    "ref",
    [
        "customer:12",
        "email:anna+shop@example.com",
        "email:o'brien@example.ie",
        "email:jørgen@eksempel.dk",
        "email:a%b&c=d@example.com",
        "email:a/b@example.com",
    ],
)
def test_the_listed_persons_links_are_what_reverse_gives(ref):
    from privacy.views import PersonLinks

    links = PersonLinks()(ref)
    assert links == {
        "disclosures": reverse("admin:privacy_subject_disclosures", args=[ref]),
        "show": reverse("admin:privacy_subject_show", args=[ref]),
        "report": reverse("admin:privacy_subject_report", args=[ref]),
    }


def test_a_guest_address_with_a_slash_is_listed_shown_and_reported(admin_client, make_order):
    """An e-mail address may hold "/" (RFC 5322, and the checkout takes it); the browser's
    ``{% url %}`` refused such a reference (a 500 page), and its pages could not be reached."""
    from orders.models import Order

    order = make_order(email="a/b@example.com")
    Order.objects.filter(pk=order.pk).update(billing_last_name="Slashman")
    url = reverse("admin:privacy_subject_changelist")
    page = admin_client.get(url, {"q": "Slashman", "scope": "orders"})
    assert page.status_code == 200 and "a/b@example.com" in page.content.decode()
    links = page.context["orders"][0].links
    assert links["show"].endswith("/email:a/b@example.com/")
    shown = admin_client.get(links["show"])
    assert shown.status_code == 200 and order.number in shown.content.decode()
    assert admin_client.get(links["disclosures"]).status_code == 200
    report = admin_client.get(links["report"])
    assert report.status_code == 200 and report["Content-Type"] == "application/pdf"
