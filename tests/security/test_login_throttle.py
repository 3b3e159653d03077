"""The login throttle locks a username from one IP — never the username everywhere (a stranger
could lock out admin@ at will) nor everyone behind the IP (README "Logins": per username + IP)."""

import pytest
from django.urls import reverse

from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

IP1, IP2 = "203.0.113.1", "198.51.100.2"
PASSWORD = "secret-pass-123"  # tests/factories.py


def _login(client, url, username, password, ip):
    client.logout()
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


def _logged_in(client):
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("url_name", ["customers:login", "admin:login"])
def test_failures_lock_the_username_from_that_ip_only(settings, client, url_name):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    factory = StaffFactory if url_name == "admin:login" else UserFactory
    a, b = factory(email="a@example.com"), factory(email="b@example.com")
    url = reverse(url_name)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, url, a.email, "wrong-password", IP1)

    # A from another IP, with the right password: logged in.
    response = _login(client, url, a.email, PASSWORD, IP2)
    assert response.status_code == 302 and _logged_in(client)
    # B from the same IP: logged in.
    response = _login(client, url, b.email, PASSWORD, IP1)
    assert response.status_code == 302 and _logged_in(client)
    # A from IP1: locked, even with the right password.
    response = _login(client, url, a.email, PASSWORD, IP1)
    assert response.status_code == 429 and not _logged_in(client)


@pytest.mark.parametrize("url_name", ["customers:login", "admin:login"])
def test_every_spelling_of_an_address_shares_one_count(settings, client, url_name):
    """The login finds the account in any case and with spaces around it: the throttle counts
    those spellings as one address, or each had five tries and a locked account logged in
    under another spelling."""
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    factory = StaffFactory if url_name == "admin:login" else UserFactory
    factory(email="jan@example.com")
    url = reverse(url_name)
    spellings = ["jan@example.com", "JAN@example.com", " Jan@Example.com ", "jan@EXAMPLE.COM"]
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login(client, url, spellings[i % len(spellings)], "wrong-password", IP1)
    for spelling in spellings:
        response = _login(client, url, spelling, PASSWORD, IP1)
        assert response.status_code == 429 and not _logged_in(client), spelling
    # Another IP is not locked, whatever the spelling.
    response = _login(client, url, "JAN@example.com", PASSWORD, IP2)
    assert response.status_code == 302 and _logged_in(client)
