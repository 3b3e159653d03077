"""Role boundaries in the backoffice (SPEC S13, issue 13 point 3).

Each role group (shop/roles.py, created by setup_roles) logs in and the test asserts which
sections it reaches (200) and that every other section is closed (403). Derived from SPEC S13:
each role sees only its sections.
"""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from giftcards import services as giftcard_services
from helpdesk.models import Thread
from helpdesk.services import set_status
from shop.admin import backoffice
from shop.models import RetentionPolicy
from shop.roles import ROLES, setup_roles
from tests.factories import RoleUserFactory
from tests.formtokens import fresh
from tests.helpdesk.factories import ThreadFactory

pytestmark = pytest.mark.django_db


def changelist(label):
    app, model = label.split(".")
    return reverse(f"admin:{app}_{model}_changelist")


SHOP_VIEW = {"shop.category", "shop.product", "shop.shippingmethod", "shop.paymentmethod"}
ORDERS = {"orders.order", "orders.invoice", "orders.shipment", "orders.creditnote"}
# Returns and withdrawal statements: every role that works on orders, not the DPO.
AFTERSALES = {"orders.return", "orders.withdrawal"}
GIFTCARDS = {"giftcards.giftcard", "giftcards.creditaccount", "giftcards.ledgerentry"}
HELPDESK = {"helpdesk.thread", "helpdesk.cannedreply", "helpdesk.contacttopic"}
VOUCHERS = {"vouchers.campaign", "vouchers.code", "vouchers.codejob", "vouchers.partneroffer"}
PRIVACY = {
    "privacy.accesslogentry",
    "privacy.disclosure",
    "privacy.subject",
    "privacy.accessreport",
    "privacy.erasurerecord",
}
CUSTOMERS = {"customers.user", "customers.customergroup"}

# Workflow screens beyond the change lists, with the permission that guards them.
WORKFLOWS = {
    "generate codes": lambda card: reverse("admin:vouchers_campaign_generate"),
    "assign codes": lambda card: reverse("admin:vouchers_campaign_assign"),
    "issue gift cards": lambda card: reverse("admin:giftcards_giftcard_issue"),
    "adjust gift card": lambda card: reverse("admin:giftcards_giftcard_adjust", args=[card.pk]),
    # The "gift-card mode" entry's change list only redirects here.
    "gift-card mode": lambda card: reverse("admin:giftcards_giftcard_mode"),
    # So does the retention policy's (one row).
    "retention policy": lambda card: reverse(
        "admin:shop_retentionpolicy_change", args=[RetentionPolicy.load().pk]
    ),
}
REDIRECT_ONLY = {"giftcards.giftcardmodesetting", "shop.retentionpolicy"}
RETENTION = {"retention policy", "shop.retentionrun"}

EVERYTHING = (
    SHOP_VIEW
    | ORDERS
    | AFTERSALES
    | GIFTCARDS
    | HELPDESK
    | VOUCHERS
    | PRIVACY
    | CUSTOMERS
    | {"shop.outboxemail", "shop.shopsettings", "auth.group", "customers.staffuser"}
    | {"otp_totp.totpdevice", "otp_static.staticdevice", "reviews.review"}
    | {"orders.salesreport", "shop.backgroundjob", "shop.stocknotice"}
    | set(WORKFLOWS)
    | RETENTION
)
# Everyone follows the background jobs they started (the list shows only their own).
JOBS = {"shop.backgroundjob"}

REACHES = {
    "Shop manager": EVERYTHING - {"customers.staffuser"},
    "Order clerk": ORDERS
    | AFTERSALES
    | CUSTOMERS
    | SHOP_VIEW
    | GIFTCARDS
    | HELPDESK
    | JOBS
    | RETENTION
    | {"shop.outboxemail", "shop.shopsettings", "gift-card mode", "shop.stocknotice"},
    "Marketing": VOUCHERS
    | JOBS
    | {"reviews.review", "generate codes", "assign codes"}
    | CUSTOMERS
    | {"shop.category", "shop.product", "shop.stocknotice"},
    "Sales": ORDERS
    | AFTERSALES
    | CUSTOMERS
    | VOUCHERS
    | SHOP_VIEW
    | JOBS
    | RETENTION
    | {"shop.outboxemail", "shop.shopsettings", "shop.stocknotice"},
    # Payments also has the accountant's sales reports and DATEV bookings.
    "Payments": ORDERS
    | AFTERSALES
    | GIFTCARDS
    | JOBS
    | {"orders.salesreport"}
    | {"issue gift cards", "adjust gift card", "gift-card mode"}
    | {"customers.user", "shop.paymentmethod"},
    "Support": HELPDESK | ORDERS | AFTERSALES | JOBS | {"customers.user", "reviews.review"},
    "Data protection officer": PRIVACY | ORDERS | JOBS | RETENTION | {"customers.user"},
}


@pytest.fixture
def roles():
    setup_roles()
    return {name: Group.objects.get(name=name) for name in ROLES}


@pytest.fixture
def card():
    return giftcard_services.issue_cards(Decimal("25.00"))[0]


def url_for(section, card):
    return WORKFLOWS[section](card) if section in WORKFLOWS else changelist(section)


def test_every_registered_backoffice_model_is_in_the_matrix():
    registered = {m._meta.label_lower for m in backoffice._registry} - REDIRECT_ONLY
    assert registered <= EVERYTHING, f"add to the role matrix: {registered - EVERYTHING}"
    assert set(REACHES) == set(ROLES)


@pytest.mark.parametrize("role", list(ROLES))
def test_role_reaches_its_sections_and_no_others(client, roles, card, role):
    client.force_login(RoleUserFactory(role=role))
    assert client.get(reverse("admin:index")).status_code == 200
    reached, refused = set(), {}
    for section in sorted(EVERYTHING):
        status = client.get(url_for(section, card)).status_code
        if status == 200:
            reached.add(section)
        else:
            refused[section] = status
    assert reached == REACHES[role], (
        f"{role}: unexpected {sorted(reached - REACHES[role])}, "
        f"missing {sorted(REACHES[role] - reached)}"
    )
    assert set(refused.values()) <= {403}, refused


@pytest.mark.parametrize(
    "role, allowed",
    [
        ("Payments", True),
        ("Shop manager", True),
        ("Marketing", False),
        ("Order clerk", False),
        ("Sales", False),
        ("Support", False),
        ("Data protection officer", False),
    ],
)
def test_only_payments_and_manager_can_adjust_a_gift_card_balance(
    client, roles, card, role, allowed
):
    client.force_login(RoleUserFactory(role=role))
    response = client.post(
        reverse("admin:giftcards_giftcard_adjust", args=[card.pk]),
        fresh({"amount": "-5.00", "reason": "goodwill"}),
    )
    card.refresh_from_db()
    if allowed:
        assert response.status_code == 302
        assert card.balance == Decimal("20.00")
    else:
        assert response.status_code == 403
        assert card.balance == Decimal("25.00")


def test_sales_cannot_generate_codes_through_a_forged_post(client, roles):
    client.force_login(RoleUserFactory(role="Sales"))  # Sales may view campaigns, not create them
    response = client.post(
        reverse("admin:vouchers_campaign_generate"),
        {
            "name": "Forged",
            "kind": "single",
            "count": "5",
            "discount_type": "percent",
            "discount_value": "10",
            "mask": "",
        },
    )
    assert response.status_code == 403
    from vouchers.models import Campaign

    assert not Campaign.objects.filter(name="Forged").exists()


def test_no_role_can_edit_groups_and_so_grant_itself_permissions(client, roles):
    manager = RoleUserFactory(role="Shop manager")
    client.force_login(manager)
    group = roles["Shop manager"]
    before = set(group.permissions.values_list("pk", flat=True))
    # The manager can look at the roles, but not change them.
    assert client.get(reverse("admin:auth_group_change", args=[group.pk])).status_code == 200
    response = client.post(
        reverse("admin:auth_group_change", args=[group.pk]),
        {"name": group.name, "permissions": []},
    )
    assert response.status_code == 403
    assert set(group.permissions.values_list("pk", flat=True)) == before
    assert client.get(reverse("admin:auth_group_add")).status_code == 403
    for role in ROLES:
        perms = RoleUserFactory(role=role).get_all_permissions()
        assert not {p for p in perms if p.startswith("auth.") and not p.startswith("auth.view_")}
        assert not {p for p in perms if "staffuser" in p}


def test_access_log_cannot_be_changed_by_any_role(client, roles):
    for role in ROLES:
        perms = RoleUserFactory(role=role).get_all_permissions()
        assert not perms & {
            "privacy.add_accesslogentry",
            "privacy.change_accesslogentry",
            "privacy.delete_accesslogentry",
        }


def test_forwarded_thread_opens_for_that_department_only(client, roles):
    forwarded = ThreadFactory()
    other = ThreadFactory()
    set_status(forwarded, Thread.Status.FORWARDED_MARKETING)
    marketing = RoleUserFactory(role="Marketing")
    client.force_login(marketing)
    assert (
        client.get(reverse("admin:helpdesk_thread_change", args=[forwarded.pk])).status_code == 200
    )
    assert client.get(reverse("admin:helpdesk_thread_change", args=[other.pk])).status_code in (
        302,
        403,
        404,
    )
    listing = client.get(reverse("admin:helpdesk_thread_changelist"))
    assert listing.status_code == 200
    assert forwarded.subject in listing.content.decode()
    assert other.subject not in listing.content.decode()
    # Sales got nothing forwarded: the helpdesk stays closed.
    client.force_login(RoleUserFactory(role="Sales"))
    assert client.get(reverse("admin:helpdesk_thread_changelist")).status_code == 403
    assert client.get(reverse("admin:helpdesk_thread_change", args=[forwarded.pk])).status_code in (
        302,
        403,
        404,
    )


@pytest.mark.parametrize(
    "role, allowed",
    [
        ("Shop manager", True),
        ("Data protection officer", True),
        ("Sales", False),
        ("Order clerk", False),
        ("Marketing", False),
        ("Payments", False),
        ("Support", False),
    ],
)
def test_only_manager_and_data_protection_officer_can_erase_a_customer(
    client, roles, role, allowed
):
    from customers.models import User
    from tests.factories import UserFactory

    customer = UserFactory()
    client.force_login(RoleUserFactory(role=role))
    response = client.post(
        reverse("admin:customers_user_delete", args=[customer.pk]), {"post": "yes"}
    )
    if allowed:
        assert response.status_code == 302
        assert not User.objects.filter(pk=customer.pk).exists()
    else:
        assert response.status_code == 403
        assert User.objects.filter(pk=customer.pk).exists()


def test_every_admin_action_names_the_permission_it_needs():
    """An action without ``permissions`` is offered to — and run for — everyone who may view
    the list (view-only roles marked withdrawals as processed)."""
    from shop.admin import backoffice

    missing = []
    for model, model_admin in backoffice._registry.items():
        for action in model_admin.actions or []:
            func = action if callable(action) else getattr(model_admin, action, None)
            if func is not None and not getattr(func, "allowed_permissions", None):
                missing.append(f"{model._meta.label}.{func.__name__}")
    assert missing == []


@pytest.mark.parametrize("role", ["Support", "Sales"])
def test_view_only_roles_cannot_mark_withdrawals_processed(client, role, make_order):
    from django.urls import reverse

    from orders.aftersales import Withdrawal
    from orders.services import record_withdrawal

    order = make_order(email="w@example.org")
    withdrawal = record_withdrawal(name="W", email="w@example.org", order_number=order.number)
    client.force_login(RoleUserFactory(role=role))
    url = reverse("admin:orders_withdrawal_changelist")
    page = client.get(url)
    assert page.status_code == 200 and b"mark_processed" not in page.content
    client.post(url, {"action": "mark_processed", "_selected_action": [withdrawal.pk]})
    assert Withdrawal.objects.get(pk=withdrawal.pk).status == Withdrawal.Status.NEW
