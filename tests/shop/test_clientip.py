"""The client address behind TRUSTED_PROXY_HOPS reverse proxies, for every caller."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from shop.clientip import client_ip, normalise_ip

CLIENT = "203.0.113.7"
PROXY = "10.0.0.1"  # the proxy next to the shop: what the shop sees as REMOTE_ADDR


def _request(forwarded=None, remote=PROXY):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXY_HOPS = 0
    assert client_ip(_request(forwarded=CLIENT, remote="198.51.100.9")) == "198.51.100.9"


def test_one_proxy_the_rightmost_forwarded_address_is_the_client(settings):
    settings.TRUSTED_PROXY_HOPS = 1
    # Everything left of what the proxy appended was written by the client: ignored.
    assert client_ip(_request(forwarded=f"1.2.3.4, {CLIENT}")) == CLIENT
    assert client_ip(_request(forwarded=CLIENT)) == CLIENT


def test_two_proxies_the_second_address_from_the_right_is_the_client(settings):
    settings.TRUSTED_PROXY_HOPS = 2
    cdn = "198.51.100.2"
    assert client_ip(_request(forwarded=f"1.2.3.4, {CLIENT}, {cdn}")) == CLIENT
    assert client_ip(_request(forwarded=f"{CLIENT},{cdn}")) == CLIENT


@pytest.mark.parametrize(
    ("hops", "forwarded"),
    [
        (1, None),  # no header: the request did not come through the proxy
        (1, ""),
        (1, "   "),
        (1, "not-an-address"),
        (1, f"{CLIENT}, garbage"),
        (1, f"{CLIENT},"),
        (2, CLIENT),  # shorter than the number of proxies
        (2, f"{CLIENT}:443, 198.51.100.2"),
    ],
)
def test_missing_short_or_malformed_header_falls_back_to_the_connecting_address(
    settings, hops, forwarded
):
    settings.TRUSTED_PROXY_HOPS = hops
    assert client_ip(_request(forwarded=forwarded)) == PROXY


def test_addresses_are_normalised_and_invalid_ones_are_empty(settings):
    settings.TRUSTED_PROXY_HOPS = 1
    assert client_ip(_request(forwarded=" 2001:DB8:0::1 ")) == "2001:db8::1"
    settings.TRUSTED_PROXY_HOPS = 0
    assert client_ip(_request(remote="")) == ""
    assert client_ip(_request(remote="unknown")) == ""
    assert normalise_ip(None) == ""


# --- the callers ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_rate_limits_count_per_forwarded_client_behind_a_proxy(client, settings):
    from django.core.cache import cache

    from giftcards.views import CHECK_LIMIT

    cache.clear()
    settings.TRUSTED_PROXY_HOPS = 1
    url = "/giftcards/balance/"
    for _ in range(CHECK_LIMIT + 1):
        client.post(url, {"number": "1"}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT)
    limited = client.post(url, {"number": "1"}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT)
    other = client.post(url, {"number": "1"}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert "Too many balance checks" in limited.content.decode()
    assert "Too many balance checks" not in other.content.decode()
    cache.clear()


@pytest.mark.django_db
def test_a_forged_header_does_not_escape_the_rate_limit_without_proxies(client, settings):
    from django.core.cache import cache

    from giftcards.views import CHECK_LIMIT

    cache.clear()
    settings.TRUSTED_PROXY_HOPS = 0
    for i in range(CHECK_LIMIT + 1):
        response = client.post(
            "/giftcards/balance/", {"number": "1"}, HTTP_X_FORWARDED_FOR=f"192.0.2.{i}"
        )
    assert "Too many balance checks" in response.content.decode()
    cache.clear()


@pytest.mark.django_db
def test_access_log_records_the_forwarded_client(settings, staff):
    from privacy.models import AccessLogEntry
    from privacy.services import record

    settings.TRUSTED_PROXY_HOPS = 1
    request = _request(forwarded=f"1.2.3.4, {CLIENT}")
    request.user = staff
    entry_id = record(request, "detail", ["customer:1"])
    assert AccessLogEntry.objects.get(pk=entry_id).ip == CLIENT


@pytest.mark.django_db
def test_login_throttle_sees_the_forwarded_client(client, settings, customer):
    from axes.models import AccessAttempt

    settings.AXES_ENABLED = True
    settings.TRUSTED_PROXY_HOPS = 1
    client.post(
        reverse("customers:login"),
        {"username": customer.email, "password": "wrong"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"1.2.3.4, {CLIENT}",
    )
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [CLIENT]


@pytest.mark.django_db
def test_backoffice_login_throttle_sees_the_forwarded_client(client, settings, staff):
    from axes.models import AccessAttempt

    settings.AXES_ENABLED = True
    settings.TRUSTED_PROXY_HOPS = 2
    client.post(
        reverse("admin:login"),
        {"username": staff.email, "password": "wrong"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"1.2.3.4, {CLIENT}, 198.51.100.2",
    )
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [CLIENT]


@pytest.mark.parametrize(
    ("hops", "forwarded"),
    [(0, f"1.2.3.4, {CLIENT}"), (1, f"1.2.3.4, {CLIENT}"), (2, f"{CLIENT}, 10.1.1.1"), (1, None)],
)
def test_axes_and_the_shop_agree_on_the_client(settings, hops, forwarded):
    """One answer everywhere: django-axes resolves the address through shop.clientip."""
    from axes.helpers import get_client_ip_address

    settings.TRUSTED_PROXY_HOPS = hops
    request = _request(forwarded=forwarded)
    assert get_client_ip_address(request) == client_ip(request)
