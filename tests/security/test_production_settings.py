"""Production settings (SPEC S16): `check --deploy` clean, CSP, secure cookies, HSTS, throttling."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.urls import reverse

from shop.models import ShopSettings
from tests.factories import StaffFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "secret-pass-123"
HARDENING = [
    "CSP",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS",
]


def production_env(**extra):
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if k not in ("CSP", "DEBUG", "SECURE_SSL_REDIRECT")}
    env.update(
        SHOP_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="shop.example.com",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        DJANGO_SETTINGS_MODULE="shop.settings",
    )
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def production_values():
    """The hardening settings exactly as `SHOP_ENV=production` computes them."""
    code = (
        "import json, shop.settings as s; "
        f"print(json.dumps({{k: getattr(s, k, None) for k in {HARDENING!r}}}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=production_env(DATABASE_URL="postgres://x@127.0.0.1:5432/unused"),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    values = json.loads(out.stdout.strip().splitlines()[-1])
    if values["SECURE_PROXY_SSL_HEADER"]:
        values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values


@pytest.fixture
def production(settings, production_values):
    for name, value in production_values.items():
        setattr(settings, name, value)
    yield settings


@pytest.mark.django_db
def test_check_deploy_is_clean_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key():
    env = production_env()
    env.pop("SECRET_KEY")
    result = subprocess.run(
        [sys.executable, "-c", "import shop.settings"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_values_are_hardened(production_values):
    v = production_values
    assert v["SESSION_COOKIE_SECURE"] and v["CSRF_COOKIE_SECURE"] and v["SESSION_COOKIE_HTTPONLY"]
    assert v["SECURE_SSL_REDIRECT"] and v["SECURE_HSTS_SECONDS"] >= 31536000
    assert v["X_FRAME_OPTIONS"] == "DENY"
    csp = v["CSP"]
    for directive in (
        "default-src 'self'",
        "img-src 'self' data:",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ):
        assert directive in csp


@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2_and_pbkdf2_hashes_are_upgraded(
    production_password_hashers,
):
    """The rest of the suite hashes with MD5 for speed (tests/conftest.py); not this test."""
    user = UserFactory()
    assert user.password.startswith("argon2$")
    assert user.check_password(PASSWORD) and not user.check_password("wrong")
    User = type(user)
    User.objects.filter(pk=user.pk).update(password=make_password(PASSWORD, hasher="pbkdf2_sha256"))
    user.refresh_from_db()
    assert user.check_password(PASSWORD)  # the older entry of the list still logs in …
    user.refresh_from_db()
    assert user.password.startswith("argon2$")  # … and the hash is upgraded on the way


def test_development_has_no_csp_unless_configured(settings, client, db):
    settings.CSP = ""
    assert "Content-Security-Policy" not in client.get("/")


@pytest.mark.django_db
def test_storefront_response_carries_security_headers(production, client):
    response = client.get("/", secure=True)
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == production.CSP
    assert response["Strict-Transport-Security"] == (
        f"max-age={production.SECURE_HSTS_SECONDS}; includeSubDomains; preload"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https(production, client):
    response = client.get("/products/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/products/"
    # Behind the load balancer the forwarded protocol counts as HTTPS.
    assert client.get("/", headers={"x-forwarded-proto": "https"}).status_code == 200


@pytest.mark.django_db
def test_backoffice_login_page_has_csp_and_secure_csrf_cookie(production, client):
    response = client.get(reverse("admin:login"), secure=True)
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == production.CSP
    cookie = response.cookies["csrftoken"]
    assert cookie["secure"] is True
    assert cookie["samesite"] == "Lax"


@pytest.mark.django_db
def test_session_cookie_after_login_is_secure_and_httponly(production, client):
    user = UserFactory()
    response = client.post(
        reverse("customers:login"),
        {"username": user.email, "password": PASSWORD},
        secure=True,
    )
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie.value
    assert cookie["secure"] is True
    assert cookie["httponly"] is True


@pytest.mark.django_db
def test_site_wide_policy_never_allows_the_partner_network(production, client):
    """The partner's script origin is allowed only on its sandboxed frame page
    (tests/vouchers/test_offers.py), never on the shop's own pages."""
    shop = ShopSettings.load()
    shop.partner_network_enabled = True
    shop.partner_network_script_url = "https://network.example.com/track.js?shop=7"
    shop.save()
    policy = client.get("/", secure=True)["Content-Security-Policy"]
    assert policy == production.CSP
    assert "network.example.com" not in policy


@pytest.mark.django_db
def test_csp_env_var_overrides_the_policy(production, settings, client):
    settings.CSP = "default-src 'none'"
    assert client.get("/", secure=True)["Content-Security-Policy"] == "default-src 'none'"


@pytest.mark.django_db
def test_backoffice_login_locks_after_failure_limit(settings, client):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    staff = StaffFactory(is_superuser=True)
    url = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"username": staff.email, "password": "wrong-password"})
        assert response.status_code == 200  # the form again, with an error
    # The failure that reaches the limit locks the account (username + IP).
    response = client.post(url, {"username": staff.email, "password": "wrong-password"})
    assert response.status_code == 429
    # Locked out: even the right password no longer logs in.
    response = client.post(url, {"username": staff.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get("/backoffice/").status_code == 302


@pytest.mark.django_db
def test_storefront_login_locks_after_failure_limit(settings, client):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    user = UserFactory()
    url = reverse("customers:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": user.email, "password": "wrong-password"})
    response = client.post(url, {"username": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_secret_key_rotation_with_fallbacks_keeps_signed_links_until_dropped(settings, client):
    from helpdesk.links import signed_thread_path
    from tests.helpdesk.factories import ThreadFactory

    thread = ThreadFactory()
    settings.SECRET_KEY = "old-" + "k" * 60
    link = signed_thread_path(thread)
    settings.SECRET_KEY = "new-" + "n" * 60
    settings.SECRET_KEY_FALLBACKS = ["old-" + "k" * 60]
    assert client.get(link).status_code == 200  # still valid during the rotation
    settings.SECRET_KEY_FALLBACKS = []
    assert client.get(link).status_code == 404  # old links die with the old key
    assert client.get(signed_thread_path(thread)).status_code == 200
