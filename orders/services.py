"""Checkout placement and the order lifecycle. The only place that changes an order's state."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from customers import services as customer_services
from giftcards import services as giftcard_services
from shop.exceptions import DomainError
from shop.mail import queue_email
from shop.models import PaymentMethod, Product, ShippingMethod
from vouchers import services as voucher_services

from . import signals
from .models import ZERO, Order, OrderLine, money


class CheckoutError(DomainError):
    pass


class OrderError(DomainError):
    pass


ADDRESS_FIELDS = ("first_name", "last_name", "company", "street", "postcode", "city", "country")


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
    customer_note: str = ""
    language: str = "en"
    extra: dict = field(default_factory=dict)


def place_order(items, data: CheckoutData, customer=None):
    """Create an order from ``items`` ({product id: quantity}) in one transaction.

    Prices come from the catalog, never from the request. Every limited resource the order
    consumes (stock, a single-use code, a gift-card balance, customer credit, the customer's
    open-amount headroom) is locked here, so concurrent checkouts cannot over-consume it.
    """
    if not items:
        raise CheckoutError(_("Your cart is empty."))
    for key in ("first_name", "last_name", "street", "postcode", "city"):
        if not (data.billing.get(key) or "").strip():
            raise CheckoutError(_("The billing address is incomplete."), field=f"billing_{key}")

    with transaction.atomic():
        if customer is not None:
            customer = customer_services.lock_for_order(customer)

        products = {
            p.pk: p
            for p in Product.objects.filter(pk__in=[int(pk) for pk in items], is_active=True)
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

        shipping_method = ShippingMethod.objects.filter(
            pk=data.shipping_method_id, is_active=True
        ).first()
        if shipping_method is None:
            raise CheckoutError(_("Please choose a shipping method."), field="shipping_method")
        payment_method = PaymentMethod.objects.filter(
            pk=data.payment_method_id, is_active=True
        ).first()
        if payment_method is None:
            raise CheckoutError(_("Please choose a payment method."), field="payment_method")

        goods_total = sum((line.line_total for line in lines), ZERO)
        needs_shipping = any(line.needs_shipping for line in lines)
        shipping_total = shipping_method.cost_for(goods_total) if needs_shipping else ZERO
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
            shipping_total=shipping_total,
            voucher_code="",
            partner_consent=data.partner_consent,
            customer_note=data.customer_note,
            **{f"billing_{k}": (data.billing.get(k) or "").strip() for k in ADDRESS_FIELDS},
            **{f"shipping_{k}": (ship_to.get(k) or "").strip() for k in ADDRESS_FIELDS},
        )
        order.billing_country = order.billing_country or "DE"
        order.shipping_country = order.shipping_country or "DE"

        quote = None
        if data.voucher_code.strip():
            quote = voucher_services.quote_for_checkout(
                data.voucher_code, customer=customer, order=order, lock=True
            )
            order.voucher_code = quote.code_text
            order.discount_total = quote.discount
            order.shipping_discount = quote.shipping_discount
        order.grand_total = max(ZERO, goods_total + shipping_total - order.discount_total)

        customer_services.assert_payment_method_allowed(payment_method, customer, order.grand_total)

        order.save()
        order.number = str(100000 + order.pk)
        Order.objects.filter(pk=order.pk).update(number=order.number)
        for line in lines:
            line.order = order
        OrderLine.objects.bulk_create(lines)
        # Conditional decrement instead of a row lock: buyers of one product don't queue.
        for line in sorted(lines, key=lambda li: li.product.pk):
            if line.product.stock is not None:
                updated = Product.objects.filter(
                    pk=line.product.pk, stock__gte=line.quantity
                ).update(stock=F("stock") - line.quantity)
                if not updated:
                    raise CheckoutError(
                        _("%(name)s has just sold out.") % {"name": line.product.name}
                    )
        if quote is not None:
            voucher_services.record_redemption(quote, order)
        if data.giftcard_number.strip() or data.use_credit:
            giftcard_services.pay_order(
                order,
                card_number=data.giftcard_number,
                use_credit=data.use_credit,
                customer=customer,
                lines=lines,
            )
        signals.order_placed.send(sender=Order, order=order, lines=lines)
        queue_email(
            "order_confirmation",
            order.email,
            {"order": order, "lines": lines, "taxes": order.tax_breakdown(lines)},
            language=order.language,
        )
    return order
