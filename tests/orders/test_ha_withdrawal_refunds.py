"""A withdrawal in the backoffice and on the storefront (issue HA): the delivery costs of a
withdrawal from the whole order are refunded (Art. 13 CRD, § 357 BGB) on every path, a
statement naming its items only in words preselects nothing and is shown to the operator,
a logged-in customer can choose the order and its items from the footer's link, and one
client's traffic never blocks another customer's correct declaration."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from orders import services
from orders.aftersales import Return, Withdrawal
from orders.models import CreditNote, Order
from orders.pdf import credit_note_context
from orders.services import OrderError
from orders.services.returns import withdrawal_shipping_due
from shop.models import OutboxEmail
from tests.factories import ProductFactory
from tests.formtokens import fresh

from .factories import downloadable_product, ship_all

pytestmark = pytest.mark.django_db
D = Decimal
SHIPPING = D("4.90")  # the checkout_data fixture's shipping method


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def vase(db):
    return ProductFactory(name="Blue vase", price=D("20.00"), stock=10)


@pytest.fixture
def mug(db):
    return ProductFactory(name="Mug", price=D("8.00"), stock=10)


def delivered(make_order, items, **kwargs):
    order = make_order(items, **kwargs)
    services.create_invoice(order)
    services.create_shipment(order, ship_all(order))
    return Order.objects.get(pk=order.pk)


def statement(order, items=None, items_text=""):
    return services.record_withdrawal(
        name="Erika Mustermann",
        email=order.email,
        order_number=order.number,
        items=items,
        items_text=items_text,
    )


def withdrawal_return(order, withdrawal):
    return services.create_return(
        order, services.withdrawal_lines(withdrawal), "withdrawal", withdrawal=withdrawal
    )


# --- 1. the delivery costs of a withdrawal from the whole order ----------------------------


def test_a_withdrawal_from_the_whole_order_cannot_be_refunded_without_the_delivery_costs(
    make_order, vase, mug
):
    order = delivered(make_order, {vase.pk: 1, mug.pk: 2})
    assert order.shipping_total == SHIPPING
    ret = withdrawal_return(order, statement(order))
    assert withdrawal_shipping_due(ret) == SHIPPING
    for shipping in ("", "0", "4.89"):
        with pytest.raises(OrderError, match="delivery costs of €4.90"):
            services.preview_return_refund(ret, shipping=shipping)
        with pytest.raises(OrderError, match="delivery costs of €4.90"):
            services.refund_return(ret, shipping=shipping)
    assert not CreditNote.objects.exists()
    assert Return.objects.get().status == Return.Status.REQUESTED

    services.refund_return(ret, shipping="4.90")
    note = CreditNote.objects.get()
    assert note.shipping_total == SHIPPING
    assert note.grand_total == D("20.00") + D("16.00") + SHIPPING
    order.refresh_from_db()
    assert order.status == Order.Status.CLOSED


def test_a_withdrawal_return_completing_the_order_after_a_partial_refund_owes_shipping(
    make_order, vase
):
    """A withdrawal naming the units left after a partial refund, or a return of reason
    "withdrawal" bringing back the rest: together with the earlier credit note they cover
    every unit of the order."""
    order = delivered(make_order, {vase.pk: 2})
    vase_line = order.lines.get()
    services.create_credit_note(order, {vase_line.pk: 1}, reason="Scratched: keep it.")
    withdrawal = statement(order, items={vase_line.pk: 1})
    assert withdrawal.items  # one unit named, not "the whole order"
    ret = withdrawal_return(order, withdrawal)
    assert withdrawal_shipping_due(ret) == SHIPPING
    with pytest.raises(OrderError, match="delivery costs"):
        services.refund_return(ret)
    services.refund_return(ret, shipping="4.90")
    assert Order.objects.get(pk=order.pk).status == Order.Status.CLOSED

    # The same without a statement: the operator entered the return as a withdrawal.
    other = delivered(make_order, {vase.pk: 1})
    plain = services.create_return(other, {other.lines.get().pk: 1}, "withdrawal")
    with pytest.raises(OrderError, match="delivery costs"):
        services.refund_return(plain, shipping="0.00")


def test_shipping_credited_before_is_not_owed_twice(make_order, vase, mug):
    order = delivered(make_order, {vase.pk: 1, mug.pk: 1})
    services.create_credit_note(
        order, {order.lines.get(product=mug).pk: 1}, shipping="2.00", reason="Broken mug"
    )
    ret = withdrawal_return(order, statement(order))
    assert withdrawal_shipping_due(ret) == D("2.90")
    with pytest.raises(OrderError, match="delivery costs of €2.90"):
        services.refund_return(ret, shipping="2.00")
    services.refund_return(ret, shipping="2.90")
    assert sum(n.shipping_total for n in CreditNote.objects.all()) == SHIPPING


def test_a_partial_withdrawal_leaves_the_shipping_to_the_operator(make_order, vase, mug):
    order = delivered(make_order, {vase.pk: 1, mug.pk: 1})
    withdrawal = statement(order, items={order.lines.get(product=vase).pk: 1})
    ret = withdrawal_return(order, withdrawal)
    assert withdrawal_shipping_due(ret) == 0
    services.refund_return(ret)  # no shipping: allowed
    assert CreditNote.objects.get().shipping_total == 0
    # Other reasons than a withdrawal owe nothing by this rule either.
    other = delivered(make_order, {vase.pk: 1})
    defect = services.create_return(other, {other.lines.get().pk: 1}, "defective")
    assert withdrawal_shipping_due(defect) == 0


def test_a_late_statement_owes_no_delivery_costs(make_order, vase):
    order = delivered(make_order, {vase.pk: 1})
    withdrawal = statement(order)
    Withdrawal.objects.filter(pk=withdrawal.pk).update(
        is_late=True, period_ends=timezone.localdate() - timedelta(days=1)
    )
    withdrawal.refresh_from_db()
    ret = withdrawal_return(order, withdrawal)
    assert withdrawal_shipping_due(ret) == 0


def test_a_withdrawal_from_the_whole_order_with_a_download_owes_shipping_on_the_goods_return(
    make_order, vase
):
    book = downloadable_product(name="Baking book")
    order = delivered(make_order, {vase.pk: 1, book.pk: 1})
    ret = withdrawal_return(order, statement(order))
    assert [line.order_line.name for line in ret.lines.all()] == ["Blue vase"]
    assert withdrawal_shipping_due(ret) == SHIPPING


def test_the_backoffice_return_fills_in_the_delivery_costs_and_refuses_less(
    admin_client, staff, make_order, vase
):
    order = delivered(make_order, {vase.pk: 1})
    withdrawal = statement(order)
    create_url = (
        reverse("admin:orders_return_new", args=[order.pk]) + f"?withdrawal={withdrawal.pk}"
    )
    page = admin_client.get(create_url)
    assert page.context["rows"][0][2] == "1"  # the whole order is preselected
    admin_client.post(
        create_url,
        fresh(
            {
                f"qty_{order.lines.get().pk}": "1",
                "reason": "withdrawal",
                "withdrawal": withdrawal.pk,
            }
        ),
    )
    ret = Return.objects.get()
    detail = reverse("admin:orders_return_change", args=[ret.pk])
    page = admin_client.get(detail)
    content = page.content.decode()
    assert page.context["inputs"]["shipping"] == "4.90"
    assert 'name="shipping" value="4.90"' in content
    assert "the delivery costs of" in content and "must be refunded as well" in content
    # written as a German reader types it, like the other money inputs
    staff.language = "de"
    staff.save(update_fields=["language"])
    assert 'name="shipping" value="4,90"' in admin_client.get(detail).content.decode()
    staff.language = "en"
    staff.save(update_fields=["language"])

    # An operator who empties the field is told why, and nothing is credited.
    refused = admin_client.post(detail, {"action": "preview", "shipping": "", "adjustment": ""})
    assert refused.context["plan"] is None
    messages = [str(m) for m in refused.context["messages"]]
    assert any("delivery costs of" in m for m in messages)
    assert not CreditNote.objects.exists()

    preview = admin_client.post(detail, {"action": "preview", "shipping": "4.90", "adjustment": ""})
    assert preview.context["plan"].grand_total == D("24.90")
    admin_client.post(
        detail,
        {
            "action": "refund",
            "shipping": "4.90",
            "adjustment": "",
            "previewed": preview.context["previewed"],
        },
    )
    note = CreditNote.objects.get()
    assert note.shipping_total == SHIPPING and note.grand_total == D("24.90")
    # The credit note's PDF and e-mail show the shipping line.
    with translation.override(order.language):
        html = render_to_string("pdf/credit_note.html", credit_note_context(note))
    assert re.search(
        r"Shipping: [^<]*</td>[^<]*(<td[^>]*>[^<]*</td>\s*)*<td class=\"num\">−€4\.90</td>",
        html,
        re.S,
    )
    mail = OutboxEmail.objects.get(template="order_refunded")  # it completes the order
    assert re.search(r"Shipping: −€4\.90", mail.body_text)
    assert re.search(r"<td>Shipping</td><td align=\"right\">−€4\.90</td>", mail.body_html)


# --- 2. items named only in words -----------------------------------------------------------


def test_a_statement_naming_items_only_in_words_preselects_nothing_and_is_shown(
    admin_client, make_order, vase, mug
):
    order = delivered(make_order, {vase.pk: 1, mug.pk: 1})
    withdrawal = statement(order, items_text="the blue vase")
    Withdrawal.objects.filter(pk=withdrawal.pk).update(reason="Colour does not fit")
    withdrawal.refresh_from_db()
    assert not withdrawal.whole_order
    assert services.withdrawal_lines(withdrawal) == {}

    create_url = (
        reverse("admin:orders_return_new", args=[order.pk]) + f"?withdrawal={withdrawal.pk}"
    )
    page = admin_client.get(create_url)
    content = page.content.decode()
    assert [value for _line, _units, value in page.context["rows"]] == ["0", "0"]
    assert "the blue vase" in content and "Colour does not fit" in content
    assert "named the items only in words" in content
    detail = admin_client.get(reverse("admin:orders_withdrawal_change", args=[withdrawal.pk]))
    assert "the blue vase" in detail.content.decode()
    assert "named the items only in words" in detail.content.decode()

    # The operator chooses the vase; the partial withdrawal owes no delivery costs.
    admin_client.post(
        create_url,
        fresh(
            {
                f"qty_{order.lines.get(product=vase).pk}": "1",
                f"qty_{order.lines.get(product=mug).pk}": "0",
                "reason": "withdrawal",
                "withdrawal": withdrawal.pk,
            }
        ),
    )
    ret = Return.objects.get()
    assert [(line.order_line.name, line.quantity) for line in ret.lines.all()] == [("Blue vase", 1)]
    assert withdrawal_shipping_due(ret) == 0


def test_a_logged_in_customer_chooses_the_order_and_its_items_from_the_footer_link(
    client, make_order, customer, vase, mug
):
    mine = delivered(make_order, {vase.pk: 1, mug.pk: 1}, customer=customer, email=customer.email)
    old = delivered(make_order, {vase.pk: 1}, customer=customer, email=customer.email)
    services.refund_order(old)  # closed: not offered
    delivered(make_order, {vase.pk: 1}, email="someone@example.com")
    client.force_login(customer)
    page = client.get(reverse("orders:withdraw"))
    assert [o.number for o in page.context["own_orders"]] == [mine.number]
    content = page.content.decode()
    link = f"{reverse('orders:withdraw')}?order={mine.number}"
    assert link in content and "Blue vase" in content
    # The link leads to the items of the order, as from the order's page.
    form = client.get(link).context["form"]
    assert [line.name for line, _name in form.line_fields] == ["Blue vase", "Mug"]

    # A guest sees the form as before.
    client.logout()
    guest = client.get(reverse("orders:withdraw"))
    assert "own_orders" not in guest.context and b'name="items_text"' in guest.content


# --- 3. the rate limit never blocks a correct declaration -----------------------------------


def confirm(client, order, **overrides):
    data = {
        "name": "Erika Mustermann",
        "email": order.email,
        "order_number": order.number,
        "items_text": "",
        "reason": "",
        "confirm": "",
        **overrides,
    }
    return client.post(reverse("orders:withdraw"), data)


def test_failed_lookups_from_one_address_do_not_block_a_correct_declaration(
    client, make_order, settings, vase
):
    settings.WITHDRAWAL_LIMIT = 2
    order = delivered(make_order, {vase.pk: 1})
    for number in ("999901", "999902"):
        assert confirm(client, order, order_number=number).status_code == 302
    refused = confirm(client, order, order_number="999903")
    assert refused.status_code == 200
    assert "several statements in a short time" in refused.content.decode()
    assert Withdrawal.objects.filter(order__isnull=True).count() == 2
    # Someone else behind the same address, naming their order correctly, is not refused.
    assert confirm(client, order).status_code == 302
    assert Withdrawal.objects.filter(order=order).count() == 1


def test_a_repeated_declaration_is_idempotent_and_counts_once(client, make_order, settings, vase):
    settings.WITHDRAWAL_LIMIT = 1
    settings.WITHDRAWAL_ORDER_LIMIT = 2
    order = delivered(make_order, {vase.pk: 1})
    for _ in range(5):
        assert confirm(client, order).status_code == 302
    assert Withdrawal.objects.count() == 1
    assert OutboxEmail.objects.filter(template="order_withdrawal_received").count() == 1
    # Many other customers from the same address withdraw all the same.
    for _ in range(4):
        other = delivered(make_order, {vase.pk: 1})
        assert confirm(client, other).status_code == 302
    assert Withdrawal.objects.count() == 5


def test_past_the_limit_per_order_the_latest_statement_is_confirmed_again(
    client, make_order, settings, vase
):
    settings.WITHDRAWAL_ORDER_LIMIT = 2
    order = delivered(make_order, {vase.pk: 1})
    for name in ("Erika Mustermann", "Erika M."):
        assert confirm(client, order, name=name).status_code == 302
    latest = Withdrawal.objects.order_by("-received_at", "-pk").first()
    again = confirm(client, order, name="Erika Mustermann-Gabler")
    assert again.status_code == 302 and again["Location"] == reverse("orders:withdraw_done")
    assert Withdrawal.objects.count() == 2
    done = client.get(reverse("orders:withdraw_done"))
    assert done.context["withdrawal"] == latest


def test_the_customers_open_orders_are_listed_in_a_fixed_number_of_queries(
    client, make_order, customer, vase, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    delivered(make_order, {vase.pk: 1}, customer=customer, email=customer.email)
    client.force_login(customer)
    url = reverse("orders:withdraw")
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(url).context["own_orders"]) == 1
    for _ in range(3):
        delivered(make_order, {vase.pk: 2}, customer=customer, email=customer.email)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(client.get(url).context["own_orders"]) == 4
