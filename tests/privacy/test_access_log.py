"""S11 access log: automatic coverage of personal-data screens, exact list rows, one INSERT
per request, append-only trigger, hash chain, retention purge."""

import importlib
import inspect
from datetime import timedelta

import factory
import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from customers.models import User
from privacy import services
from privacy.models import AccessLogAnchor, AccessLogEntry, Disclosure
from privacy.registry import is_personal, subjects_for, subjects_for_rows
from shop.admin import backoffice
from shop.db import table
from tests.factories import UserFactory
from tests.race import run_concurrently

pytestmark = pytest.mark.django_db


def newest():
    return AccessLogEntry.objects.order_by("-id").first()


def log_count():
    return AccessLogEntry.objects.count()


def _factory_for(model):
    """A factory other helpers wrote for this model (tests/<app>/factories.py), if any."""
    try:
        module = importlib.import_module(f"tests.{model._meta.app_label}.factories")
    except ImportError:
        return None
    for _name, obj in inspect.getmembers(module, inspect.isclass):
        if (
            issubclass(obj, factory.django.DjangoModelFactory)
            and getattr(obj._meta, "model", None) is model
        ):
            return obj
    return None


def _an_object(model, model_admin, user):
    """A row the admin shows (its get_queryset may hide some), made by a factory if none."""
    request = RequestFactory().get("/")
    request.user = user
    queryset = model_admin.get_queryset(request)
    obj = queryset.order_by("pk").first()
    if obj is None:
        maker = _factory_for(model)
        if maker is not None:
            maker()
            obj = queryset.order_by("pk").first()
    return obj


@pytest.fixture
def personal_data(make_order, customer, erika, staff):
    make_order(customer=customer, email=customer.email)
    make_order(email="guest@example.com")  # a guest order
    Disclosure.objects.create(
        subject=f"customer:{erika.pk}", date=timezone.localdate(), recipient="DHL", scope="x"
    )
    services.write_entry(user=staff, action="detail", subjects=[f"customer:{erika.pk}"])


def _personal_admins():
    for model, model_admin in backoffice._registry.items():
        if is_personal(model) and model._meta.managed:
            yield model, model_admin


def test_every_personal_backoffice_screen_is_logged(admin_client, staff, personal_data):
    walked = []
    for model, model_admin in _personal_admins():
        info = (model._meta.app_label, model._meta.model_name)
        obj = _an_object(model, model_admin, staff)

        before = log_count()
        response = admin_client.get(reverse("admin:{}_{}_changelist".format(*info)))
        assert response.status_code == 200, info
        assert log_count() == before + 1, f"no access-log entry for the {info} list"
        entry = newest()
        assert entry.action == "list", info
        if "cl" in response.context:
            assert entry.subjects == subjects_for_rows(response.context["cl"].result_list), info
        walked.append(info)

        if obj is None:
            continue
        try:
            url = reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
        except NoReverseMatch:
            continue
        before = log_count()
        response = admin_client.get(url)
        assert response.status_code == 200, info
        assert log_count() == before + 1, f"no access-log entry for the {info} detail"
        entry = newest()
        assert entry.action == "detail"
        assert subjects_for(obj)[0] in entry.subjects
        assert entry.user == staff and entry.username == staff.email
    # The models that exist from the start are always among them.
    for info in [("customers", "user"), ("orders", "order"), ("privacy", "accesslogentry")]:
        assert info in walked


def test_non_personal_screens_are_not_logged(admin_client, product):
    before = log_count()
    assert admin_client.get(reverse("admin:shop_product_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:index")).status_code == 200
    assert log_count() == before


def test_a_list_entry_holds_exactly_the_rows_of_the_shown_page(admin_client, monkeypatch):
    UserFactory.create_batch(5, last_name="Pager")
    monkeypatch.setattr(backoffice._registry[User], "list_per_page", 2)
    first = admin_client.get(reverse("admin:customers_user_changelist"))
    first_subjects = newest().subjects
    response = admin_client.get(reverse("admin:customers_user_changelist") + "?p=2")
    rows = list(response.context["cl"].result_list)
    entry = newest()
    assert len(rows) == 2
    assert entry.subjects == [f"customer:{u.pk}" for u in rows]
    assert not set(entry.subjects) & set(first_subjects)
    for user in rows:
        assert user.email in response.content.decode()
    assert first.status_code == 200


def test_a_search_is_logged_as_search_with_its_hits(admin_client, erika, customer):
    admin_client.get(reverse("admin:customers_user_changelist") + "?q=Mustermann")
    entry = newest()
    assert entry.action == "search"
    assert entry.subjects == [f"customer:{erika.pk}"]
    assert entry.path.endswith("?q=Mustermann")
    assert entry.ip == "127.0.0.1"


def test_order_entries_name_the_customer_or_the_guest(admin_client, make_order, customer):
    own = make_order(customer=customer, email=customer.email)
    guest = make_order(email="Guest@Example.com")
    admin_client.get(reverse("admin:orders_order_changelist"))
    subjects = newest().subjects
    assert {f"order:{own.pk}", f"customer:{customer.pk}", f"order:{guest.pk}"} <= set(subjects)
    assert "email:guest@example.com" in subjects


def test_one_insert_per_logged_request(admin_client, erika):
    url = reverse("admin:customers_user_change", args=[erika.pk])
    admin_client.get(url)  # warm caches (content types, permissions)
    with CaptureQueriesContext(connection) as queries:
        assert admin_client.get(url).status_code == 200
    log_queries = [q["sql"] for q in queries if "privacy_access" in q["sql"]]
    # One statement: the database function locks the head, inserts, moves the head.
    assert len(log_queries) == 1
    assert log_queries[0].lstrip().startswith("SELECT privacy_accesslog_append(")


def test_pdf_and_csv_downloads_are_print_and_export(rf, staff, erika):
    from django.http import HttpResponse

    from privacy.middleware import AccessLogMiddleware

    def pdf_view(request):
        services.record(request, "detail", [f"customer:{erika.pk}"])
        return HttpResponse(b"%PDF-1.4", content_type="application/pdf")

    request = rf.get(reverse("admin:customers_user_change", args=[erika.pk]))
    request.user = staff
    request.resolver_match = _resolve(request.path)
    AccessLogMiddleware(pdf_view)(request)
    assert newest().action == "print"
    assert newest().subjects == [f"customer:{erika.pk}"]

    def csv_view(request):
        response = HttpResponse("a,b", content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="x.csv"'
        return response

    request = rf.post(reverse("admin:customers_user_changelist"), {"_selected_action": [erika.pk]})
    request.user = staff
    request.resolver_match = _resolve(request.path)
    AccessLogMiddleware(csv_view)(request)
    assert newest().action == "export"
    assert newest().subjects == [f"customer:{erika.pk}"]


def _resolve(path):
    from django.urls import resolve

    return resolve(path)


def test_storefront_and_customers_are_not_logged(client, customer):
    client.force_login(customer)
    before = log_count()
    client.get("/")
    client.get(reverse("admin:customers_user_changelist"))  # redirected to the login
    assert log_count() == before


# --- append-only and the chain ----------------------------------------------------------------


def test_database_refuses_update_and_delete_of_entries(staff):
    services.write_entry(user=staff, action="list", subjects=["customer:1"])
    entry = newest()
    entry.note = "edited"
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        entry.save()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLogEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLogEntry.objects.filter(pk=entry.pk).update(action="detail")
    assert AccessLogEntry.objects.get(pk=entry.pk).note == ""


def test_backoffice_cannot_add_change_or_delete_entries(admin_client, staff):
    services.write_entry(user=staff, action="list")
    entry = newest()
    change = reverse("admin:privacy_accesslogentry_change", args=[entry.pk])
    response = admin_client.post(change, {"note": "edited"})
    assert response.status_code == 403
    delete = reverse("admin:privacy_accesslogentry_delete", args=[entry.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert admin_client.get(reverse("admin:privacy_accesslogentry_add")).status_code == 403
    assert AccessLogEntry.objects.filter(pk=entry.pk, note="").exists()


LOG = table(AccessLogEntry)


def _tamper(sql, params):
    """What only a database superuser can do: switch the triggers off and edit the log."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred FK checks pending
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        cursor.execute("SET LOCAL session_replication_role = origin")


def test_chain_verifies_and_detects_tampering(staff, capsys):
    ids = [
        services.write_entry(user=staff, action="list", subjects=[f"customer:{i}"])
        for i in range(5)
    ]
    call_command("verify_access_log")
    assert "5 entries verified" in capsys.readouterr().out

    _tamper(f"UPDATE {LOG} SET subjects = '[]' WHERE id = %s", [ids[2]])
    with pytest.raises(CommandError, match=f"#{ids[2]}"):
        call_command("verify_access_log")


def test_verify_detects_a_removed_entry_and_a_cut_off_tail(staff):
    ids = [services.write_entry(user=staff, action="list") for _ in range(4)]
    _tamper(f"DELETE FROM {LOG} WHERE id = %s", [ids[1]])
    result = services.verify_chain()
    assert not result.ok and result.bad_id == ids[2]


def test_verify_detects_missing_newest_entries(staff):
    ids = [services.write_entry(user=staff, action="list") for _ in range(3)]
    _tamper(f"DELETE FROM {LOG} WHERE id = %s", [ids[-1]])
    result = services.verify_chain()
    assert not result.ok and "missing" in result.message


def _write_at(monkeypatch, when, n, staff):
    monkeypatch.setattr(timezone, "now", lambda: when)
    ids = [services.write_entry(user=staff, action="list") for _ in range(n)]
    monkeypatch.undo()
    return ids


def test_retention_purge_is_logged_and_keeps_the_chain_verifiable(
    monkeypatch, settings, staff, capsys
):
    settings.ACCESS_LOG_RETENTION_DAYS = 30  # --days may only keep more than this
    services.set_retention_floor(30)
    old = _write_at(monkeypatch, timezone.now() - timedelta(days=100), 3, staff)
    recent = [services.write_entry(user=staff, action="detail") for _ in range(2)]

    call_command("purge_access_log", "--days", "60")
    assert "Purged 3" in capsys.readouterr().out
    assert not AccessLogEntry.objects.filter(pk__in=old).exists()
    assert AccessLogEntry.objects.filter(pk__in=recent).count() == 2
    purge = newest()
    assert purge.action == "purge" and "purged 3 entries" in purge.note
    anchor = AccessLogAnchor.objects.get()
    assert anchor.last_purged_id == old[-1] and anchor.purged == 3

    result = services.verify_chain()
    assert result.ok and result.checked == 3

    # Rows are never deleted; and cutting the first kept entry is noticed through the anchor.
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLogEntry.objects.filter(pk=recent[0]).delete()
    _tamper(f"DELETE FROM {LOG} WHERE id = %s", [recent[0]])
    assert not services.verify_chain().ok


def test_purge_with_a_bad_period_changes_nothing(staff):
    services.write_entry(user=staff, action="list")
    with pytest.raises(CommandError, match="at least one day"):
        call_command("purge_access_log", "--days", "0")
    assert AccessLogEntry.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_never_fork_the_chain(staff):
    def worker(n):
        for i in range(10):
            services.write_entry(user=staff, action="list", subjects=[f"customer:{n}-{i}"])

    errors = [o for o in run_concurrently(worker, 8) if isinstance(o, Exception)]
    assert not errors
    entries = list(AccessLogEntry.objects.order_by("id"))
    assert len(entries) == 80
    for prev, entry in zip(entries, entries[1:], strict=False):
        assert entry.prev_hash == prev.hash
        assert entry.time >= prev.time  # ids and times agree: months drop without holes
    assert services.verify_chain().ok


@pytest.mark.parametrize("suffix", ["", "export.csv"])
def test_a_staff_filter_that_is_no_number_lists_nothing(admin_client, suffix):
    """?staff=abc typed by hand: an empty list (and file), not a 500 page."""
    admin_client.raise_request_exception = False
    response = admin_client.get(f"/backoffice/privacy/accesslogentry/{suffix}?staff=abc")
    assert response.status_code == 200


def test_an_export_of_the_log_searched_by_a_persons_address_names_the_person(admin_client, erika):
    """Exported by search (?q=<e-mail>, as the search's help offers), the file listed who
    looked at Erika while its own entry named nobody: her access history never showed that
    it was exported (an audit)."""
    ref = f"customer:{erika.pk}"
    admin_client.get(reverse("admin:customers_user_change", args=[erika.pk]))
    response = admin_client.get(reverse("admin:privacy_accesslogentry_export"), {"q": erika.email})
    assert ref in b"".join(response.streaming_content).decode("utf-8-sig")
    entry = newest()
    assert entry.action == "export" and ref in entry.subjects
