"""Checkout placement: one transaction that turns a cart into an order (SPEC S2)."""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from customers import services as customer_services
from customers.vat import normalize_vat_id, validate_vat_id
from shop.mail import queue_email
from shop.models import PaymentMethod, Product, ShippingMethod, ShopSettings

from .. import extensions, limits, signals, vat
from ..errors import CheckoutError
from ..models import ZERO, Order, OrderLine, money
from .lifecycle import mark_paid

ADDRESS_FIELDS = ("first_name", "last_name", "company", "street", "postcode", "city", "country")
REQUIRED_ADDRESS_FIELDS = ("first_name", "last_name", "street", "postcode", "city")


@dataclass
class CheckoutData:
    email: str
    billing: dict
    shipping: dict | None = None  # None = same as billing
    shipping_method_id: int | None = None
    payment_method_id: int | None = None
    phone: str = ""
    voucher_code: str = ""
    giftcard_number: str = ""
    use_credit: bool = False
    partner_consent: bool = False
    review_request_consent: bool = False
    customer_note: str = ""
    # "Buying for a company": the company is billing_company; these go on the invoice.
    vat_id: str = ""
    buyer_reference: str = ""
    purchase_order_reference: str = ""
    language: str = "en"
    extra: dict = field(default_factory=dict)


def place_order(items, data: CheckoutData, customer=None):
    """Create an order from ``items`` ({product id: quantity}) in one transaction.

    Prices come from the catalog, never from the request. Every limited resource the order
    consumes (stock, a single-use code, a gift-card balance, customer credit, the customer's
    open-amount headroom) is locked here, so concurrent checkouts cannot over-consume it.
    The apps above ``orders`` take part through checkout steps (``orders.extensions``).
    """
    _check_request(items, data)
    with transaction.atomic():
        if customer is not None:
            customer = customer_services.lock_for_order(customer)
        lines = _priced_lines(items)
        shipping_method, payment_method = _chosen_methods(data)
        order = _new_order(data, customer, lines, shipping_method, payment_method)
        vat.apply_reverse_charge(order, lines, ShopSettings.load().country)
        priced = _apply_price_steps(order, lines, data, customer)
        order.grand_total = max(
            ZERO, order.goods_total + order.shipping_total - order.discount_total
        )
        limits.assert_payment_method_allowed(payment_method, customer, order.grand_total)
        _save(order, lines)
        _reserve_stock(lines)
        for step, value in priced:
            step.record(value, order)
        _take_stored_value_payments(order, lines, data, customer)
        signals.order_placed.send(sender=Order, order=order, lines=lines)
        queue_email(
            "order_confirmation",
            order.email,
            {"order": order, "lines": lines, "taxes": order.tax_breakdown(lines)},
            language=order.language,
        )
    return order


def _check_request(items, data):
    if not items:
        raise CheckoutError(_("Your cart is empty."))
    for key in REQUIRED_ADDRESS_FIELDS:
        if not (data.billing.get(key) or "").strip():
            raise CheckoutError(_("The billing address is incomplete."), field=f"billing_{key}")
    if data.vat_id:
        try:
            validate_vat_id(data.vat_id)
        except ValidationError as exc:
            raise CheckoutError(exc.messages[0], field="vat_id") from None
        if not (data.billing.get("company") or "").strip():
            raise CheckoutError(
                _("Enter the company the VAT ID belongs to."), field="billing_company"
            )


def _priced_lines(items):
    """Unsaved order lines at today's catalog prices; refuses what cannot be sold."""
    products = {
        p.pk: p for p in Product.objects.filter(pk__in=[int(pk) for pk in items], is_active=True)
    }
    if len(products) != len(items):
        raise CheckoutError(_("A product in your cart is no longer available."))
    lines = []
    for pk, quantity in items.items():
        product, quantity = products[int(pk)], int(quantity)
        if quantity < 1:
            raise CheckoutError(_("Invalid quantity."))
        if product.stock is not None and product.stock < quantity:
            raise CheckoutError(
                _("Only %(stock)s × %(name)s left in stock.")
                % {"stock": product.stock, "name": product.name}
            )
        lines.append(
            OrderLine(
                product=product,
                name=product.name,
                sku=product.sku,
                quantity=quantity,
                unit_price=product.price,
                tax_rate=product.tax_rate,
                line_total=money(product.price * quantity),
                is_downloadable=product.is_downloadable,
                is_giftcard=product.is_giftcard,
            )
        )
    return lines


def _chosen_methods(data):
    shipping_method = ShippingMethod.objects.filter(
        pk=data.shipping_method_id, is_active=True
    ).first()
    if shipping_method is None:
        raise CheckoutError(_("Please choose a shipping method."), field="shipping_method")
    payment_method = PaymentMethod.objects.filter(pk=data.payment_method_id, is_active=True).first()
    if payment_method is None:
        raise CheckoutError(_("Please choose a payment method."), field="payment_method")
    return shipping_method, payment_method


def _new_order(data, customer, lines, shipping_method, payment_method):
    """The unsaved order with goods and shipping totals (no discount yet)."""
    goods_total = sum((line.line_total for line in lines), ZERO)
    needs_shipping = any(line.needs_shipping for line in lines)
    ship_to = data.shipping or data.billing
    order = Order(
        customer=customer,
        email=data.email.strip().lower(),
        phone=data.phone,
        language=data.language,
        shipping_method=shipping_method,
        payment_method=payment_method,
        currency=settings.SHOP_CURRENCY,
        goods_total=goods_total,
        shipping_total=shipping_method.cost_for(goods_total) if needs_shipping else ZERO,
        shipping_tax_rate=shipping_method.tax_rate,
        billing_vat_id=normalize_vat_id(data.vat_id),
        buyer_reference=(data.buyer_reference or "").strip(),
        purchase_order_reference=(data.purchase_order_reference or "").strip(),
        voucher_code="",
        partner_consent=data.partner_consent,
        review_request_consent=data.review_request_consent,
        customer_note=data.customer_note,
        **{f"billing_{k}": (data.billing.get(k) or "").strip() for k in ADDRESS_FIELDS},
        **{f"shipping_{k}": (ship_to.get(k) or "").strip() for k in ADDRESS_FIELDS},
    )
    order.billing_country = order.billing_country or "DE"
    order.shipping_country = order.shipping_country or "DE"
    return order


def _apply_price_steps(order, lines, data, customer):
    """Discounts of the checkout steps; returns [(step, value for its ``record``)]."""
    priced = []
    for step in extensions.checkout_steps():
        if step.price is None:
            continue
        value = step.price(order, lines, data, customer)
        if value is not None and step.record is not None:
            priced.append((step, value))
    return priced


def _save(order, lines):
    order.save()
    order.number = str(100000 + order.pk)
    Order.objects.filter(pk=order.pk).update(number=order.number)
    for line in lines:
        line.order = order
    OrderLine.objects.bulk_create(lines)


def _reserve_stock(lines):
    # Conditional decrement instead of a row lock: buyers of one product don't queue.
    for line in sorted(lines, key=lambda li: li.product.pk):
        if line.product.stock is not None:
            updated = Product.objects.filter(pk=line.product.pk, stock__gte=line.quantity).update(
                stock=F("stock") - line.quantity
            )
            if not updated:
                raise CheckoutError(_("%(name)s has just sold out.") % {"name": line.product.name})


def _take_stored_value_payments(order, lines, data, customer):
    """Gift card and account credit (checkout steps with ``pay``); an order they cover in
    full is paid at once."""
    changed = set()
    for step in extensions.checkout_steps():
        if step.pay is None:
            continue
        taken = step.pay(order, lines, data, customer) or {}
        for name, amount in taken.items():
            if name not in extensions.PAYMENT_FIELDS:
                raise ValueError(f"checkout step {step.name} cannot pay into {name}")
            if amount:
                setattr(order, name, getattr(order, name) + amount)
                changed.add(name)
    if changed:
        order.save(update_fields=sorted(changed))
        if order.amount_due <= 0:
            mark_paid(order)
