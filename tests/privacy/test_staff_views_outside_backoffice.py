"""Every staff-facing view of personal data is logged, wherever its URL lives (issue 23, 3).

Every URL pattern outside the backoffice must be in ``STAFF_FACING`` (with a test here that it
writes an access-log entry) or ``NOT_STAFF_FACING``: a new pattern fails until classified.
"""

import pytest
from django.urls import reverse

from orders import services as order_services
from privacy.models import AccessLogEntry
from tests.security.test_ownership import storefront_patterns

pytestmark = pytest.mark.django_db

STAFF_FACING = {"orders:feed"}  # read with a per-staff token instead of a login
NOT_STAFF_FACING = {
    # the customers' own pages, public pages and token links meant for customers
    "customers:email_confirm",
    "customers:email_change_cancel",
    "customers:password_change",
    "shop:home",
    "shop:products",
    "shop:product",
    "shop:category",
    "shop:cart",
    "shop:cart_add",
    "shop:cart_update",
    # back-in-stock notices: a visitor's request and its signed e-mail links
    "shop:stock_notice_request",
    "shop:stock_notice_confirm",
    "shop:stock_notice_cancel",
    "shop:accessibility",
    "healthz",
    "bench_bare",  # the bare view of `manage.py bench` (404 unless BENCH_BARE_VIEW)
    "orders:checkout",
    "orders:success",
    "orders:account_orders",
    "orders:account_order",
    "orders:account_invoice",
    "orders:account_invoice_pdf",
    "orders:account_credit_note_pdf",
    "orders:account_packing_slip",
    "orders:download",
    "orders:account_invoice_xrechnung",
    # issues 20 and 25: a guest's signed order-status link and its documents, the withdrawal
    # function, the shipping costs page
    "orders:guest_status",
    "orders:guest_invoice_pdf",
    "orders:guest_credit_note_pdf",
    "orders:guest_withdraw",
    "orders:withdraw",
    "orders:withdraw_done",
    "shop:shipping_costs",
    "helpdesk:account_attachment",
    "helpdesk:guest_attachment",
    "reviews:request",
    "reviews:unsubscribe",
    "reviews:confirm",
    "vouchers:partner_frame",
    "vouchers:unsubscribe",  # the signed objection link of the code e-mails
    "customers:account",
    "customers:login",
    "customers:logout",
    "customers:register",
    "customers:profile",
    "customers:addresses",
    "customers:address_add",
    "customers:address_edit",
    "customers:address_delete",
    "customers:address_default",
    "customers:delete_account",
    "customers:consents",
    "customers:consent_withdraw",
    "customers:confirm_request",
    "customers:confirm",
    "customers:confirm_resend",
    "customers:password_reset",
    "customers:password_reset_done",
    "customers:password_reset_confirm",
    "customers:password_reset_complete",
    "vouchers:cart_code",
    "vouchers:account_codes",
    "vouchers:buy_code",
    "vouchers:code_mails",
    "vouchers:offer_go",
    "giftcards:balance",
    "giftcards:account",
    "giftcards:redeem",
    "helpdesk:contact",
    "helpdesk:order_thread_start",
    "helpdesk:account_thread",
    "helpdesk:account_threads",
    "helpdesk:guest_thread",
    "reviews:submit",
    # the customer's own data, downloaded in their own name (logged as a report)
    "privacy:own_data",
    # issue 22: the legal pages
    "shop:terms",
    "shop:privacy",
    "shop:imprint",
    "orders:withdrawal_instructions",
}


def test_every_url_outside_the_backoffice_is_classified():
    names = {name for _route, name, _args in storefront_patterns() if name}
    unknown = names - STAFF_FACING - NOT_STAFF_FACING
    assert not unknown, f"staff-facing (log it, test it here) or not? {sorted(unknown)}"


def test_reading_the_new_orders_feed_writes_an_access_log_entry(client, staff, make_order):
    own = make_order(customer=staff, email=staff.email)
    guest = make_order(email="Gast@Example.com")
    token = order_services.regenerate_feed_token(staff)
    before = AccessLogEntry.objects.count()

    response = client.get(reverse("orders:feed", args=[token]), REMOTE_ADDR="192.0.2.4")

    assert response.status_code == 200
    assert AccessLogEntry.objects.count() == before + 1
    entry = AccessLogEntry.objects.order_by("-id").first()
    assert entry.user == staff and entry.username == staff.email
    assert entry.action == "list" and entry.ip == "192.0.2.4"
    assert {f"order:{own.pk}", f"customer:{staff.pk}", f"order:{guest.pk}"} <= set(entry.subjects)
    assert "email:gast@example.com" in entry.subjects
    assert token not in entry.path and entry.path.endswith("/[token]/")
    assert entry.note == "new-orders feed"


def test_a_refused_feed_token_logs_nothing(client, staff):
    before = AccessLogEntry.objects.count()
    assert client.get(reverse("orders:feed", args=["guessed"])).status_code == 404
    assert AccessLogEntry.objects.count() == before
