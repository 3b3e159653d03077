"""The shop's own 400/403/404/500 pages, the favicon, one log line per 403, no Celery warning
in seed_demo (issue 19 §3, "Also, from the same run")."""

import logging
import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser
from django.template import engines
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error

from shop.celery import IN_PROCESS_BROKER
from shop.celery import app as celery_app
from shop.views import permission_denied
from tests.factories import ProductFactory, RoleUserFactory, StaffFactory
from tests.processes import BASE_DIR, reset_broker_connections


@pytest.fixture
def support_client(db):
    client = Client()
    client.force_login(RoleUserFactory(role="Support"))
    return client


@pytest.mark.django_db
def test_role_user_following_a_link_outside_the_role_sees_the_backoffice_no_access_page(
    support_client,
):
    start = reverse("admin:index")
    response = support_client.get(
        reverse("admin:vouchers_campaign_changelist"), HTTP_REFERER=f"http://testserver{start}"
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "You don&#x27;t have access to discount-code campaigns" in html
    assert 'id="site-name"' in html  # the backoffice layout, not a bare "403 Forbidden"
    assert f'href="{start}"' in html and "Back to the start page" in html
    assert "Back to the previous page" in html
    assert "Support" in html  # the role the user has


@pytest.mark.django_db
def test_no_access_page_names_custom_backoffice_views_and_is_translated():
    # The backoffice speaks the staff member's own language (issue 22), not the browser's.
    support_client = Client()
    support_client.force_login(RoleUserFactory(role="Support", language="de"))
    response = support_client.get(
        reverse("admin:vouchers_campaign_generate"), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 403
    html = response.content.decode()
    with translation.override("de"):
        assert translation.gettext("Back to the start page") in html
        assert translation.gettext("Your role does not include this part of the backoffice.") in (
            html
        )
    assert "Back to the start page" not in html


@pytest.mark.django_db
def test_storefront_403_uses_the_shop_layout(rf):
    request = rf.get("/account/")
    request.user = AnonymousUser()
    with translation.override("en"):
        response = permission_denied(request)
    assert response.status_code == 403
    html = response.content.decode()
    assert "You don't have access to this page" in html
    assert 'class="site-header"' in html


# --- 404 -----------------------------------------------------------------------------------


@pytest.fixture
def production(settings):
    settings.DEBUG = False  # Django's technical 404/500 pages only show with DEBUG on


def in_language(language, text):
    with translation.override(language):
        return translation.gettext(text)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path, language, search",
    [
        ("/pl/nie-ma/", "pl", "Szukaj produktów"),  # no such URL
        ("/da/products/nope/", "da", "Søg efter varer"),  # no such product
        ("/da/order-status/abc/", "da", "Søg efter varer"),  # a tampered signed link
        ("/de/kategorie-gibt-es-nicht/", "de", "Artikel suchen"),
    ],
)
def test_404_is_the_shops_page_in_the_language_of_the_address(
    client, production, path, language, search
):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Language"] == language
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert 'class="site-header"' in html and 'class="site-footer"' in html  # the layout
    assert "Not Found" not in html  # not Django's bare page
    assert in_language(language, "Page not found") in html
    assert search in html  # the search box, in the page's language
    assert 'id="q-404"' in html
    assert f'href="/{language}/"' in html  # home, in the same language
    assert in_language(language, "Back to the shop") in html
    assert '<meta name="robots" content="noindex">' in html


@pytest.mark.django_db
def test_404_of_an_unprefixed_address_is_in_the_default_language(client, production):
    for path in ("/nie-ma/", "/products/nope/"):
        response = client.get(path)
        assert response.status_code == 404
        html = response.content.decode()
        assert '<html lang="en">' in html
        assert "Page not found" in html and "Search products" in html
        assert 'href="/"' in html


@pytest.mark.django_db
def test_404_of_an_unknown_unprefixed_address_speaks_the_visitors_chosen_language(
    client, production
):
    """The middleware sends a visitor who chose Danish from an unprefixed page to the same
    page under /da/ — an address that names no page has none to send them to."""
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "da"
    response = client.get("/nie-ma/")
    assert response.status_code == 404
    assert response["Content-Language"] == "da"
    html = response.content.decode()
    assert '<html lang="da">' in html and "Søg efter varer" in html
    assert 'href="/da/"' in html
    # An unprefixed address of a page that exists goes to its Danish address first.
    ProductFactory(slug="kit-001")
    response = client.get("/products/nope/")
    assert response.status_code == 302 and response["Location"] == "/da/products/nope/"


@pytest.mark.django_db
def test_backoffice_404_is_the_backoffice_page_in_the_staff_members_language(client, production):
    client.force_login(StaffFactory(is_superuser=True, language="pl"))
    for path in (
        "/backoffice/nie-ma/",
        reverse("admin:shop_backgroundjob_progress", args=[999999]),
    ):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="de")
        assert response.status_code == 404, path
        html = response.content.decode()
        assert 'id="site-name"' in html  # the backoffice layout, not the storefront's
        assert 'class="site-header"' not in html
        assert in_language("pl", "Page not found") in html


@pytest.mark.django_db
def test_an_unknown_backoffice_address_sends_a_visitor_to_the_login(client, production):
    response = client.get("/backoffice/nie-ma/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


# --- 500 -----------------------------------------------------------------------------------

FOUR_LANGUAGES = [
    ("en", "Sorry — something went wrong on our side."),
    ("de", "Entschuldigung – bei uns ist ein Fehler aufgetreten."),
    ("pl", "Przepraszamy — po naszej stronie wystąpił błąd."),
    ("da", "Beklager – der er opstået en fejl hos os."),
]


def test_500_page_renders_without_context_database_or_template_errors(rf, monkeypatch):
    """Django renders 500.html with an empty context: no context processors, no request.
    The page must not need them, nor the database (it may be what broke): this test has no
    database access, a query would fail it."""
    engine = engines["django"].engine
    monkeypatch.setattr(engine, "string_if_invalid", "TEMPLATE-ERROR(%s)")
    with translation.override("pl"):
        response = server_error(rf.get("/pl/checkout/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "TEMPLATE-ERROR" not in html
    assert "{%" not in html and "{{" not in html
    assert '<html lang="pl">' in html
    for language, sentence in FOUR_LANGUAGES:
        assert f'<section lang="{language}">' in html
        assert sentence in html
    assert 'href="/"' in html
    assert "/static/" not in html  # self-contained: nothing to load that may fail too


def test_500_page_without_an_active_language_is_still_complete(rf):
    with translation.override(None):
        html = server_error(rf.get("/")).content.decode()
    assert '<html lang="en">' in html
    assert all(sentence in html for _language, sentence in FOUR_LANGUAGES)


@pytest.mark.django_db
def test_an_error_in_a_storefront_view_shows_the_500_page(production, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the catalog is broken")

    monkeypatch.setattr("shop.listing.annotate", broken)
    client = Client(raise_request_exception=False)
    response = client.get("/da/")
    assert response.status_code == 500
    html = response.content.decode()
    assert '<html lang="da">' in html
    assert "Beklager – der er opstået en fejl hos os." in html


@pytest.mark.django_db
def test_favicon_is_served_at_the_root_and_linked_from_every_layout(client, admin_client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    body = b"".join(response.streaming_content)
    assert body[:4] == b"\x00\x00\x01\x00"  # the ICO signature
    assert 'rel="icon" href="/favicon.ico"' in client.get("/").content.decode()
    backoffice = admin_client.get(reverse("admin:index")).content.decode()
    assert 'rel="icon" href="/favicon.ico"' in backoffice


LOG_A_403 = """
import django
django.setup()
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.log import log_response
try:
    raise PermissionDenied
except PermissionDenied as exc:
    log_response("Forbidden (Permission denied): %s", "/backoffice/x/",
                 response=HttpResponse(status=403), request=RequestFactory().get("/backoffice/x/"),
                 exception=exc)
try:
    1 / 0
except ZeroDivisionError as exc:
    log_response("Internal Server Error: %s", "/boom/",
                 response=HttpResponse(status=500), request=RequestFactory().get("/boom/"),
                 exception=exc)
"""


@pytest.mark.parametrize("debug", ["true", "false"])
def test_a_403_is_logged_once_as_one_line_and_a_500_once_with_its_traceback(debug):
    """Django's default logging config gave the "django" logger a console handler of its
    own (active with DEBUG): every django.request record was printed twice."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
        "DJANGO_SETTINGS_MODULE": "shop.settings",
        "DEBUG": debug,
    }
    result = subprocess.run(
        [sys.executable, "-c", LOG_A_403],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert output.count("Forbidden (Permission denied): /backoffice/x/") == 1, output
    assert "PermissionDenied" not in output  # no traceback for a client error
    assert output.count("Internal Server Error: /boom/") == 1, output
    assert output.count("ZeroDivisionError") == 1, output  # the 500 keeps its traceback


@pytest.mark.django_db
def test_without_a_broker_tasks_run_in_process_without_kombus_hostname_warning(
    caplog, make_order, django_capture_on_commit_callbacks
):
    """seed_demo printed "No hostname was supplied. Reverting to default 'localhost'": in
    eager mode Celery still opens a producer connection, and with no broker URL kombu
    fell back to AMQP without a host. "No broker" is now the in-memory transport."""
    assert celery_app.conf.task_always_eager
    assert celery_app.conf.broker_url == IN_PROCESS_BROKER
    reset_broker_connections()  # the first connection is the one that used to warn
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        order = make_order()
    assert "No hostname was supplied" not in caplog.text
    from shop.models import OutboxEmail

    assert OutboxEmail.objects.get(to=[order.email]).status == "sent"
