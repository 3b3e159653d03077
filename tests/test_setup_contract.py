"""The set-up contract (SPEC S1): embedded SQLite default, /healthz, production settings
pass `check --deploy`, seed_demo is idempotent."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command

BASE_DIR = Path(__file__).resolve().parent.parent


def manage(*args, env_overrides, timeout=300):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "EMAIL_URL", "SHOP_ENV"}
        and not k.startswith("PYTEST")
    }
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_embedded_sqlite_default_migrates_and_serves_home(tmp_path):
    env = {"VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    migrated = manage("migrate", "--noinput", env_overrides=env)
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    assert (tmp_path / "x.sqlite3").exists()
    script = (
        "from django.test import Client;"
        "r = Client().get('/');"
        "h = Client().get('/healthz');"
        "print('STATUS', r.status_code, h.status_code, h.json()['database'])"
    )
    served = manage("shell", "-c", script, env_overrides=env)
    assert served.returncode == 0, served.stderr[-3000:]
    assert "STATUS 200 200 ok" in served.stdout


def test_production_settings_pass_check_deploy(tmp_path):
    env = {
        "SHOP_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50)[:50],
        "ALLOWED_HOSTS": "shop.example.com",
        "VAR_DIR": str(tmp_path),
    }
    result = manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key(tmp_path):
    env = {"SHOP_ENV": "production", "ALLOWED_HOSTS": "shop.example.com", "VAR_DIR": str(tmp_path)}
    result = manage("check", env_overrides=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client, settings):
    settings.CELERY_BROKER_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert body["database"] == "ok"
    assert body["broker"].startswith("in-process")


@pytest.mark.django_db
def test_healthz_reports_broken_broker(client, settings):
    from shop.celery import app

    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    old = app.conf.broker_url
    app.conf.broker_url = settings.CELERY_BROKER_URL
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = old
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"].startswith("error")


@pytest.mark.django_db
def test_seed_demo_is_idempotent(capsys, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("seed_demo")
    models = [m for m in apps.get_models() if m._meta.managed and not m._meta.proxy]
    first = {m._meta.label: m._default_manager.count() for m in models}
    out = capsys.readouterr().out
    assert "admin@example.com" in out and "demo-backoffice-2026" in out
    call_command("seed_demo")
    second = {m._meta.label: m._default_manager.count() for m in models}
    assert second == first
    assert first["shop.Product"] >= 13
    assert first["shop.ShippingMethod"] == 2
    assert first["shop.PaymentMethod"] == 4
    assert first["shop.OutboxEmail"] > 0  # the demo history's confirmations, invoices …
    _demo_speaks_four_languages_and_spreads_its_orders()
    # the printed backoffice login works, and every role has its demo user
    from customers.models import User
    from shop.management.commands.seed_demo import ADMIN_EMAIL, DEMO_PASSWORD, STAFF

    admin = User.objects.get(email=ADMIN_EMAIL)
    assert admin.is_superuser and admin.is_staff and admin.check_password(DEMO_PASSWORD)
    for email, role in STAFF.items():
        user = User.objects.get(email=email)
        assert user.is_staff and user.groups.filter(name=role).exists()


@pytest.mark.django_db
def test_setup_roles_creates_every_role(capsys):
    from django.contrib.auth.models import Group

    from shop.roles import ROLES

    call_command("setup_roles")
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLES)
    assert Group.objects.get(name="Shop manager").permissions.exists()


def _demo_speaks_four_languages_and_spreads_its_orders():
    """Issue 22: the demo catalog in German, Polish and Danish; orders over the last 90 days
    at many different times (lists, filters and the start page look like a real shop)."""
    from datetime import timedelta

    from django.utils import timezone

    from orders.models import Order
    from shop.models import Category, PaymentMethod, Product, ShippingMethod
    from vouchers.models import PartnerOffer

    for model in (Category, Product, ShippingMethod, PaymentMethod):
        for obj in model.objects.all():
            names = [getattr(obj, f"name_{language}") for language in ("en", "de", "pl", "da")]
            assert all(names), (model.__name__, names)
            assert all(getattr(obj, f"description_{lang}") for lang in ("de", "pl", "da"))
    assert (
        len(
            set(
                Product.objects.get(sku="KIT-001").__dict__[f"name_{lang}"]
                for lang in ("en", "de", "pl", "da")
            )
        )
        == 4
    )
    assert all(offer.headline_de and offer.headline_pl for offer in PartnerOffer.objects.all())
    created = sorted(Order.objects.values_list("created", flat=True))
    now = timezone.now()
    assert now - created[0] >= timedelta(days=85) and now - created[-1] < timedelta(days=3)
    assert len({c.replace(second=0, microsecond=0) for c in created}) > 0.9 * len(created)
    assert len({c.date() for c in created}) > 45  # days with orders
