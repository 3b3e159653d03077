"""A staff member's user and second-factor device are kept per process under the staff
version (shop/staffrows.py, shop/0041, customers/0023): a backoffice request reads only its
session while no staff row changed, and every change counts on the next request."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from shop import staffrows
from tests.factories import RoleUserFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

FLOOR = "admin:bench_floor"


@pytest.fixture(autouse=True)
def _floor(settings):
    settings.BENCH_BARE_VIEW = True  # the backoffice page that shows nothing


def tables(queries):
    return [q["sql"] for q in queries.captured_queries]


def floor(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(FLOOR))
    return response, tables(queries)


@pytest.fixture
def verified(client):
    """A staff member logged in with a confirmed authenticator app in the session."""
    user = StaffFactory(is_superuser=True)
    device = TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return user, device


def test_a_second_request_reads_only_the_session(client, verified):
    response, first = floor(client)
    assert response.status_code == 200
    assert any("customers_user" in sql for sql in first)
    assert any("otp_totp_totpdevice" in sql for sql in first)
    response, second = floor(client)
    assert response.status_code == 200
    assert len(second) == 1 and "django_session" in second[0]


def test_each_request_gets_its_own_user_instance(client, verified):
    user, _device = verified
    floor(client)
    one = staffrows.kept("user", str(user.pk), lambda: None)
    two = staffrows.kept("user", str(user.pk), lambda: None)
    # Outside a request nothing is kept: load() answers (None here) …
    assert one is None and two is None
    # … and inside one, each call builds a new instance from the kept values.
    staffrows.open_request()
    staffrows.seen_version(staffrows_version())
    try:
        first = staffrows.kept("user", str(user.pk), lambda: type(user).objects.get(pk=user.pk))
        again = staffrows.kept("user", str(user.pk), lambda: pytest.fail("read again"))
    finally:
        staffrows.close_request()
    assert first is not again and first.pk == again.pk == user.pk
    again._perm_cache = {"x"}
    assert not hasattr(first, "_perm_cache")


def staffrows_version():
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {staffrows.TABLE} WHERE id = 1")
        return cursor.fetchone()[0]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda user: type(user).objects.filter(pk=user.pk).update(is_active=False),
            id="deactivated",
        ),
        pytest.param(
            lambda user: type(user).objects.filter(pk=user.pk).update(is_staff=False), id="demoted"
        ),
        pytest.param(lambda user: user.delete(), id="deleted"),
        pytest.param(
            lambda user: (user.set_password("another-password-2026"), user.save()),
            id="password changed",
        ),
        pytest.param(
            lambda user: connection.cursor().execute(
                "UPDATE customers_user SET is_active = false WHERE id = %s", [user.pk]
            ),
            id="raw SQL",
        ),
    ],
)
def test_a_change_of_the_staff_member_counts_on_the_next_request(client, verified, change):
    user, _device = verified
    assert floor(client)[0].status_code == 200
    assert floor(client)[0].status_code == 200  # from the kept row
    change(user)
    response, queries = floor(client)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_removed_device_counts_on_the_next_request(client, verified, settings):
    settings.BACKOFFICE_REQUIRE_2FA = True
    _user, device = verified
    index = reverse("admin:index")
    assert client.get(index).status_code == 200
    assert client.get(index).status_code == 200  # the device kept
    TOTPDevice.objects.filter(pk=device.pk).update(confirmed=False)
    response = client.get(index)
    assert response.status_code == 302  # to the login and its second step
    assert "/login/" in response["Location"] or "/2fa/" in response["Location"]


def test_a_group_permission_taken_away_counts_on_the_next_request(client):
    clerk = RoleUserFactory(role="Order clerk")
    client.force_login(clerk)
    orders = reverse("admin:orders_order_changelist")
    assert client.get(orders).status_code == 200
    assert client.get(orders).status_code == 200
    group = Group.objects.get(name="Order clerk")
    group.permissions.remove(*Permission.objects.filter(codename__endswith="_order"))
    assert client.get(orders).status_code == 403


def test_a_customers_row_is_read_on_every_request(client):
    customer = UserFactory()
    client.force_login(customer)
    account = reverse("customers:account")
    client.get(account)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(account).status_code == 200
    assert any('FROM "customers_user"' in sql for sql in tables(queries))
