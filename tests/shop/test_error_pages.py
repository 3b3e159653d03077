"""The shop's own 400/403 pages, the favicon, one log line per 403, no Celery warning in
seed_demo (issue 19 §3, "Also, from the same run")."""

import logging
import os
import subprocess
import sys

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse
from django.utils import translation

from shop.celery import IN_PROCESS_BROKER
from shop.celery import app as celery_app
from shop.views import permission_denied
from tests.factories import RoleUserFactory
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
