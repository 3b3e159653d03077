"""The set-up contract (SPEC S1): embedded SQLite default, /healthz, production settings
pass `check --deploy`, seed_demo is idempotent."""

import json
import os
import secrets
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.db.models import F

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


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory):
    """A SQLite file ``migrate`` made (half a minute): the tests here start from copies."""
    path = tmp_path_factory.mktemp("sqlite")
    env = {"VAR_DIR": str(path), "DATABASE_URL": f"sqlite:///{path / 'x.sqlite3'}"}
    migrated = manage("migrate", "--noinput", env_overrides=env)
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    assert (path / "x.sqlite3").exists()
    return path / "x.sqlite3"


def sqlite_env(tmp_path, migrated_sqlite, **extra):
    shutil.copy(migrated_sqlite, tmp_path / "x.sqlite3")
    return {
        "VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
        **extra,
    }


def test_embedded_sqlite_default_migrates_and_serves_home(tmp_path, migrated_sqlite):
    env = sqlite_env(tmp_path, migrated_sqlite)
    script = (
        "from django.test import Client;"
        "r = Client().get('/');"
        "h = Client().get('/healthz');"
        "print('STATUS', r.status_code, h.status_code, h.json()['database'])"
    )
    served = manage("shell", "-c", script, env_overrides=env)
    assert served.returncode == 0, served.stderr[-3000:]
    assert "STATUS 200 200 ok" in served.stdout


# What `make run` shows on its SQLite file, through the test client of a process on that file
# (seed_demo ran before): the storefront, a guest order paid by bank transfer, and the
# backoffice invoicing it.
DEMO_WALK = """
import re
from decimal import Decimal
from django.test import Client
from django.urls import reverse
from customers.models import User
from orders.models import Invoice, Order
from orders.services import create_credit_note, refund_order
from shop.models import PaymentMethod, Product, ShippingMethod
from tests.checkout import add_to_cart, checkout_post

def ok(client, path):
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response

shop = Client()
ok(shop, "/")
product = Product.objects.filter(
    is_active=True, is_downloadable=False, is_giftcard=False, stock__gte=2
).order_by("sku").first()
ok(shop, product.get_absolute_url())
add_to_cart(shop, product, 2)
assert product.name in ok(shop, reverse("shop:cart")).content.decode()
transfer = PaymentMethod.objects.get(kind="prepayment", is_active=True)
shipping = ShippingMethod.objects.filter(is_active=True).order_by("pk").first()
placed = shop.post(
    reverse("orders:checkout"),
    checkout_post(shipping, transfer, email="sqlite-guest@example.com"),
)
assert placed.status_code == 302 and placed["Location"] == reverse("orders:success"), (
    placed.status_code, re.findall(r'class="errorlist[^>]*>(.*?)</ul>', placed.content.decode(), re.S))
order = Order.objects.get(email="sqlite-guest@example.com")
assert order.number in ok(shop, reverse("orders:success")).content.decode()

staff = Client()
staff.force_login(User.objects.get(email="admin@example.com"))
assert order.number in ok(staff, reverse("admin:orders_order_changelist")).content.decode()
ok(staff, reverse("admin:orders_order_change", args=[order.pk]))
invoiced = staff.post(reverse("admin:orders_order_invoice", args=[order.pk]), {"comment": ""})
invoice = Invoice.objects.get(order=order)
assert invoiced.status_code == 302, invoiced.status_code
pdf = ok(staff, reverse("admin:orders_invoice_pdf", args=[invoice.pk]))
assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")

# A partial credit and then the rest: SQLite adds them up as floats, which may come out a
# hair above the total (0.02 + 39.28 > 39.30), and the order's constraint on the sum of its
# credits allows for that.
total = order.grand_total
first = next((
    Decimal(cents) / 100
    for cents in range(1, int(total * 100))
    if float(Decimal(cents) / 100) + float(total - Decimal(cents) / 100) > float(total)
), Decimal("0.01"))
create_credit_note(order, adjustment=first, adjustment_text="goodwill", reason="test")
refund_order(order, reason="test")
order.refresh_from_db()
assert order.status == Order.Status.CLOSED and order.credited_total == total
print("WALKED", order.number, invoice.number, total, first)
"""


def test_embedded_sqlite_runs_the_demo_shop(tmp_path, migrated_sqlite):
    """SPEC S1: ``make run`` loads the demo into the SQLite file and the shop works on it.
    SQLite computes decimals as floats (the constraints on sums allow for that) and lacks
    PostgreSQL's SQL (JSON paths, casts): each ran into an error here once."""
    env = sqlite_env(tmp_path, migrated_sqlite, BACKOFFICE_REQUIRE_2FA="false")
    seeded = manage("seed_demo", "--no-mail", env_overrides=env)
    assert seeded.returncode == 0, seeded.stderr[-3000:]
    assert "Demo shop ready." in seeded.stdout
    walked = manage("shell", "-c", DEMO_WALK, env_overrides=env)
    assert walked.returncode == 0, walked.stderr[-3000:]
    assert "WALKED" in walked.stdout, walked.stdout


@pytest.mark.django_db
def test_constraints_on_sums_stay_exact_on_postgresql(make_order):
    """The constraints on sums allow a tenth of a cent for SQLite's floats; PostgreSQL's
    columns hold whole cents, so there a cent off is refused as before, and exact passes."""
    from orders.models import CreditNote, Invoice, Order
    from orders.services import create_credit_note, create_invoice

    cent = Decimal("0.01")
    order = make_order()
    invoice = create_invoice(order)
    note = create_credit_note(order, adjustment=Decimal("1.00"), adjustment_text="goodwill")
    credits = CreditNote.objects.filter(pk=note.pk)
    cases = [
        (Order.objects.filter(pk=order.pk), {"credited_total": F("grand_total")}),
        (
            Invoice.objects.filter(pk=invoice.pk),
            {"paid_total": F("grand_total") - F("giftcard_total") - F("credit_total")},
        ),
        (credits, {"adjustment": F("grand_total") - F("goods_total") + F("discount_total")}),
        (credits, {"paid_total": F("grand_total") - F("giftcard_total") - F("credit_total")}),
    ]
    for rows, exact in cases:
        for off in (cent, -cent) if "adjustment" in exact else (cent,):
            field, value = next(iter(exact.items()))
            with pytest.raises(IntegrityError), transaction.atomic():
                rows.update(**{field: value + off})
        rows.update(**exact)  # to the cent: allowed
    note.refresh_from_db()
    assert note.grand_total == Decimal("1.00")


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
