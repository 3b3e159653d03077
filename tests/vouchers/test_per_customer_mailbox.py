"""A campaign's "uses per customer" cannot be walked around (a money-leak audit):

- a guest typing ``anna+1@example.com``, ``anna+2@example.com`` … (or, at Gmail,
  ``a.n.n.a@gmail.com`` / ``googlemail.com``) is one person: the limit counts per mailbox;
- a single-use campaign ("Welcome 5 EUR", five codes in one hand) takes a per-customer limit
  too, counted over all its codes under the campaign's row lock.
"""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.urls import reverse

from orders.models import Order
from orders.services import place_order
from shop.models import Category
from tests.factories import UserFactory
from tests.race import run_concurrently
from vouchers import services
from vouchers.errors import VoucherError
from vouchers.models import Campaign, CodeMailOptOut, Redemption, mailbox, same_mailbox

from .factories import CampaignFactory, CodeFactory

pytestmark = pytest.mark.django_db

REFUSED = "as often as allowed"


def multi_use(text="ONCE", limit=1):
    return CodeFactory(text=text, campaign=CampaignFactory(kind="multi", per_customer_limit=limit))


def welcome(count=5, limit=1, name="Welcome 5 EUR"):
    """A single-use campaign with a per-customer limit, made as the backoffice makes it."""
    return services.generate_campaign(
        name=name,
        count=count,
        kind="single",
        discount_type="amount",
        discount_value=Decimal("5"),
        mask="WELC<NUM:1>",
        per_customer_limit=limit,
    )


# --- the mailbox of an address ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("anna@example.com", "anna@example.com"),
        ("Anna+2@Example.COM", "anna@example.com"),
        ("anna+shop+extra@example.com", "anna@example.com"),
        ("  anna+1@example.com ", "anna@example.com"),
        ("a.n.n.a@example.com", "a.n.n.a@example.com"),  # dots count outside Gmail
        ("A.n.n.a+x@gmail.com", "anna@gmail.com"),
        ("a.nna@googlemail.com", "anna@gmail.com"),
        ("+tag@example.com", "+tag@example.com"),  # nothing before the "+": kept whole
        ("no address", "no address"),
    ],
)
def test_the_mailbox_of_an_address(typed, expected):
    Category.objects.create(name="any", slug="any")
    computed = Category.objects.annotate(key=mailbox(Value(typed))).values_list("key", flat=True)
    assert list(computed) == [expected]


@pytest.mark.parametrize(
    ("stored", "typed", "same"),
    [
        ("Anna+Shop@Example.com", "anna@example.com", True),
        ("anna@example.com", "anna+2@example.com", True),
        ("a.n.n.a+x@googlemail.com", "ANNA@gmail.com", True),
        ("anna@gmail.com", "a.nna+y@googlemail.com", True),
        ("anna_b@example.com", "anna_b+1@example.com", True),  # "_" is no LIKE wildcard
        ("annaxb@example.com", "anna_b@example.com", False),
        ("anna%b@example.com", "anna%b+1@example.com", True),
        ("annab@example.com", "anna%b@example.com", False),
        ("anna@example.com", "anna@example.org", False),
        ("annabel@example.com", "anna@example.com", False),
        ("a.nna@example.com", "anna@example.com", False),
        ("anna@gmail.com", "anna@example.com", False),
    ],
)
def test_same_mailbox_as_a_filter(stored, typed, same):
    """The quick test in front of the exact comparison never drops a match (LIKE's "%" and
    "_" in an address are plain characters)."""
    CodeMailOptOut.objects.create(email=stored)
    found = CodeMailOptOut.objects.filter(same_mailbox(F("email"), typed)).exists()
    assert found is same


# --- plus-addressing and Gmail dots -----------------------------------------------------------


def test_a_guest_cannot_use_a_limited_code_again_under_a_tagged_address(make_order):
    multi_use("ONCE")
    make_order(voucher_code="ONCE", email="x+1@example.com")
    for again in ("x+2@example.com", "X@Example.com", "x@example.com"):
        with pytest.raises(VoucherError, match=REFUSED):
            make_order(voucher_code="ONCE", email=again)
    assert Redemption.objects.count() == 1
    assert Order.objects.count() == 1  # nothing placed for the refused tries
    # Another mailbox is another person (a tag alone does not make one).
    make_order(voucher_code="ONCE", email="y+1@example.com")
    assert Redemption.objects.count() == 2


def test_a_limit_of_two_counts_the_tags_together(make_order):
    multi_use("TWICE", limit=2)
    make_order(voucher_code="TWICE", email="x+a@example.com")
    make_order(voucher_code="TWICE", email="x+b@example.com")
    with pytest.raises(VoucherError, match=REFUSED):
        make_order(voucher_code="TWICE", email="x+c@example.com")


@pytest.mark.parametrize(
    "again", ["a.n.n.a@gmail.com", "ANNA@googlemail.com", "an.na+promo@googlemail.com"]
)
def test_gmail_dots_and_googlemail_are_the_same_mailbox(make_order, again):
    multi_use("GMAIL")
    make_order(voucher_code="GMAIL", email="anna@gmail.com")
    with pytest.raises(VoucherError, match=REFUSED):
        make_order(voucher_code="GMAIL", email=again)
    assert Order.objects.count() == 1


@pytest.mark.parametrize(
    "first, again",
    [
        ("anna.x@example.com", '"anna.x"@example.com'),  # quotes around the local part
        ("anna.x@example.com", '"anna.x+2"@example.com'),
        ("anna.x@exämple.com", "anna.x@xn--exmple-cua.com"),  # one domain, two spellings
        ("anna.x@xn--exmple-cua.com", "anna.x@exämple.com"),
    ],
)
def test_quoted_local_parts_and_international_domains_are_the_same_mailbox(
    make_order, first, again
):
    """An audit used one mailbox five times with quoted and punycode spellings."""
    multi_use("SPELL")
    make_order(voucher_code="SPELL", email=first)
    with pytest.raises(VoucherError, match=REFUSED):
        make_order(voucher_code="SPELL", email=again)
    assert Order.objects.count() == 1


def test_dots_are_part_of_the_mailbox_outside_gmail(make_order):
    multi_use("DOTS")
    make_order(voucher_code="DOTS", email="anna@example.com")
    make_order(voucher_code="DOTS", email="a.nna@example.com")
    assert Redemption.objects.count() == 2


def test_a_customer_then_a_guest_order_under_a_tag_of_the_accounts_address(make_order):
    multi_use("ACCOUNT")
    customer = UserFactory(email="x@example.com")
    make_order(voucher_code="ACCOUNT", email=customer.email, customer=customer)
    with pytest.raises(VoucherError, match=REFUSED):
        make_order(voucher_code="ACCOUNT", email="x+shop@example.com")
    assert Order.objects.count() == 1


def test_a_guest_order_under_a_tag_then_the_customer_logged_in(make_order):
    multi_use("GUESTFIRST")
    customer = UserFactory(email="x@example.com")
    make_order(voucher_code="GUESTFIRST", email="X+Shop@example.com")
    with pytest.raises(VoucherError, match=REFUSED):
        make_order(voucher_code="GUESTFIRST", email=customer.email, customer=customer)
    assert Order.objects.count() == 1


def test_the_cart_says_so_before_the_checkout(make_order, product):
    from types import SimpleNamespace

    multi_use("CART")
    make_order(voucher_code="CART", email="x+1@example.com")
    cart = SimpleNamespace(
        lines=lambda: [SimpleNamespace(product=product, total=Decimal("20.00"))],
        goods_total=lambda lines: Decimal("20.00"),
        discountable_total=lambda lines: Decimal("20.00"),
    )
    with pytest.raises(VoucherError, match=REFUSED):
        services.cart_preview("CART", customer=None, cart=cart, email="x+2@example.com")


# --- single-use campaigns with uses per customer ------------------------------------------------


def test_a_single_use_campaign_takes_a_per_customer_limit():
    campaign = welcome()
    assert campaign.kind == "single" and campaign.per_customer_limit == 1
    assert campaign.codes.count() == 5


def test_a_guest_gets_one_code_of_a_limited_single_use_campaign(make_order):
    welcome()
    make_order(voucher_code="WELC1", email="anna@example.com")
    for other in ("WELC2", "WELC3"):
        with pytest.raises(VoucherError, match=REFUSED):
            make_order(voucher_code=other, email="anna+again@example.com")
    assert Redemption.objects.count() == 1 and Order.objects.count() == 1
    # Another person uses one of the codes left.
    make_order(voucher_code="WELC2", email="ben@example.com")
    assert Redemption.objects.count() == 2


def test_a_customer_gets_one_code_of_a_limited_single_use_campaign(make_order):
    welcome()
    customer = UserFactory(email="erika@example.com")
    make_order(voucher_code="WELC1", email=customer.email, customer=customer)
    with pytest.raises(VoucherError, match=REFUSED):
        # under another address, logged in: the account is the person
        make_order(voucher_code="WELC2", email="other@example.com", customer=customer)
    with pytest.raises(VoucherError, match=REFUSED):
        make_order(voucher_code="WELC3", email="erika+2@example.com")  # as a guest
    assert Redemption.objects.count() == 1
    make_order(voucher_code="WELC2", email="ben@example.com", customer=UserFactory())


def test_a_limit_of_two_on_a_single_use_campaign(make_order):
    welcome(limit=2)
    make_order(voucher_code="WELC1", email="anna@example.com")
    make_order(voucher_code="WELC2", email="anna@example.com")
    with pytest.raises(VoucherError, match=REFUSED):
        make_order(voucher_code="WELC3", email="anna@example.com")


def test_each_single_use_code_is_still_used_once(make_order):
    welcome(limit=3)
    make_order(voucher_code="WELC1", email="anna@example.com")
    with pytest.raises(VoucherError, match="already been used"):
        make_order(voucher_code="WELC1", email="ben@example.com")


@pytest.mark.django_db(transaction=True)
def test_one_person_with_two_codes_of_a_single_use_campaign_at_once_gets_one_use(
    checkout_data, product
):
    welcome(count=6)
    product.stock = None
    product.save()
    emails = ["anna@example.com", "anna+1@example.com", "Anna+2@example.com"] * 2

    def attempt(n):
        try:
            place_order(
                {product.pk: 1}, checkout_data(voucher_code=f"WELC{n + 1}", email=emails[n])
            )
            return "ok"
        except VoucherError:
            return "refused"

    results = run_concurrently(attempt, 6)
    assert results.count("ok") == 1, results
    assert Redemption.objects.count() == 1
    assert Order.objects.exclude(voucher_code="").count() == 1


# --- what a per-customer limit refuses ------------------------------------------------------------


@pytest.mark.parametrize("limit", [0, -1])
def test_a_limit_below_one_is_refused(limit):
    with pytest.raises(VoucherError, match="between 1 and"):
        welcome(limit=limit)
    assert not Campaign.objects.exists()


def test_assigned_codes_take_no_per_customer_limit():
    with pytest.raises(VoucherError, match="personal already") as error:
        services.generate_campaign(
            name="Personal", count=2, kind="assigned", discount_value=5, per_customer_limit=1
        )
    assert error.value.field == "per_customer_limit"


def test_codes_sold_for_points_take_no_per_customer_limit():
    with pytest.raises(VoucherError, match="loyalty points"):
        services.generate_campaign(
            name="Points",
            count=2,
            kind="single",
            discount_value=5,
            points_price=100,
            per_customer_limit=1,
        )


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "assigned", "per_customer_limit": 1},
        {"kind": "single", "points_price": 50, "per_customer_limit": 1},
        {"kind": "multi", "per_customer_limit": 0},
    ],
)
def test_the_database_refuses_a_limit_where_it_does_not_apply(fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignFactory(**fields)


# --- backoffice -------------------------------------------------------------------------------


def generate_post(**overrides):
    return {
        "name": "Welcome 5 EUR",
        "kind": "single",
        "count": "5",
        "discount_type": "amount",
        "discount_value": "5",
        "mask": "WELC<NUM:1>",
        "per_customer_limit": "1",
        **overrides,
    }


def test_the_generate_form_creates_a_limited_single_use_campaign(admin_client):
    url = reverse("admin:vouchers_campaign_generate")
    html = admin_client.get(url).content.decode()
    assert 'name="per_customer_limit"' in html and "multi-use and single-use codes" in html
    response = admin_client.post(url, generate_post())
    assert response.status_code == 302
    campaign = Campaign.objects.get(name="Welcome 5 EUR")
    assert campaign.kind == "single" and campaign.per_customer_limit == 1
    details = admin_client.get(reverse("admin:vouchers_campaign_details", args=[campaign.pk]))
    assert "Uses per customer" in details.content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"per_customer_limit": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"per_customer_limit": "-1"}, "Ensure this value is greater than or equal to 1."),
        ({"kind": "assigned"}, "personal already"),
        ({"points_price": "100"}, "loyalty points"),
    ],
)
def test_the_generate_form_says_what_is_wrong_with_a_limit(admin_client, overrides, message):
    response = admin_client.post(
        reverse("admin:vouchers_campaign_generate"), generate_post(**overrides)
    )
    assert response.status_code == 200
    assert any(message in e for e in response.context["form"].errors["per_customer_limit"])
    assert not Campaign.objects.exists()


def change_url(campaign):
    return reverse("admin:vouchers_campaign_change", args=[campaign.pk])


def test_the_edit_form_sets_and_changes_the_limit_of_a_single_use_campaign(admin_client):
    campaign = welcome(limit=None)
    html = admin_client.get(change_url(campaign)).content.decode()
    assert 'name="per_customer_limit"' in html
    response = admin_client.post(
        change_url(campaign), {"name": campaign.name, "per_customer_limit": "2"}
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.per_customer_limit == 2
    details = admin_client.get(reverse("admin:vouchers_campaign_details", args=[campaign.pk]))
    html = details.content.decode()
    assert "Uses per customer" in html and "all codes of the campaign together" in html
    # Emptied: unlimited again.
    admin_client.post(change_url(campaign), {"name": campaign.name, "per_customer_limit": ""})
    campaign.refresh_from_db()
    assert campaign.per_customer_limit is None


@pytest.mark.parametrize("typed", ["0", "-1"])
def test_the_edit_form_refuses_a_limit_below_one(admin_client, typed):
    campaign = welcome()
    response = admin_client.post(
        change_url(campaign), {"name": campaign.name, "per_customer_limit": typed}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["per_customer_limit"] == [
        "Ensure this value is greater than or equal to 1."
    ]
    campaign.refresh_from_db()
    assert campaign.per_customer_limit == 1


def test_personal_codes_have_no_limit_on_the_edit_form(admin_client):
    assigned = CampaignFactory(kind="assigned")
    html = admin_client.get(change_url(assigned)).content.decode()
    assert 'name="per_customer_limit"' not in html
    response = admin_client.post(
        change_url(assigned), {"name": "Renamed", "per_customer_limit": "1"}
    )
    assert response.status_code == 302
    assigned.refresh_from_db()
    assert assigned.name == "Renamed" and assigned.per_customer_limit is None
    points = CampaignFactory(kind="single", points_price=100)
    assert 'name="per_customer_limit"' not in admin_client.get(change_url(points)).content.decode()
