"""The session cart: {product id: quantity}. Django keeps session data on login, so a
guest's cart survives logging in; prices are always read from the catalog, never stored."""

from dataclasses import dataclass

from django.contrib import messages
from django.utils.translation import gettext as _

from .forms import parse_id
from .models import Product
from .money import ZERO

SESSION_KEY = "cart"
MAX_QUANTITY = 99


def available(product):
    """How many pieces of ``product`` one cart line can hold: its stock while it tracks the
    stock and cannot be backordered (the rule of checkout's final check,
    ``orders.services.checkout._priced_lines``), never more than ``MAX_QUANTITY``."""
    if product.stock is not None and not product.allow_backorders:
        return max(0, min(MAX_QUANTITY, product.stock))
    return MAX_QUANTITY


def limited_by_stock(product):
    """Is the stock, rather than ``MAX_QUANTITY``, what keeps a line of ``product`` small?"""
    return available(product) < MAX_QUANTITY


@dataclass
class CartLine:
    product: Product
    quantity: int

    @property
    def unit_price(self):
        """The price that applies now (the sale price while a sale runs)."""
        return self.product.current_price()

    @property
    def total(self):
        return self.unit_price * self.quantity

    @property
    def available(self):
        return available(self.product)

    @property
    def above_stock(self):
        """More in the cart than can be sold now: the stock fell after the line was added
        (checkout refuses the order until the quantity is lowered)."""
        return self.quantity > self.available


class Cart:
    def __init__(self, request):
        self.request = request
        self.session = request.session
        raw = self.session.get(SESSION_KEY) or {}
        self.items = {
            str(k): parse_id(v)
            for k, v in raw.items()
            if parse_id(str(k)) is not None and (parse_id(v) or 0) > 0
        }

    def save(self):
        self.session[SESSION_KEY] = self.items
        self.session.modified = True

    def quantity(self, product_id):
        return self.items.get(str(product_id), 0)

    def add(self, product, quantity=1):
        """Adds up to ``quantity`` pieces, as many as the line can hold (``available``);
        returns the line's quantity now (less than before if the stock fell meanwhile)."""
        wanted = self.quantity(product.pk) + int(quantity)
        return self.set(product.pk, min(available(product), wanted))

    def set(self, product_id, quantity):
        """Sets the line's quantity (0 removes it); returns the quantity it holds now. The
        caller caps it at the stock (``available``): here only at ``MAX_QUANTITY``."""
        quantity = min(MAX_QUANTITY, int(quantity))
        if quantity <= 0:
            self.items.pop(str(product_id), None)
            quantity = 0
        else:
            self.items[str(product_id)] = quantity
        self.save()
        return quantity

    def clear(self):
        self.items = {}
        self.save()

    @property
    def count(self):
        return sum(self.items.values())

    def __len__(self):
        return len(self.items)

    def lines(self):
        products = Product.objects.active().with_main_image().in_bulk([int(k) for k in self.items])
        self.drop([pid for pid in self.items if int(pid) not in products])
        return [CartLine(products[int(pid)], qty) for pid, qty in self.items.items()]

    def drop(self, product_ids):
        """Takes products no longer for sale (deactivated or deleted since they were added)
        out of the cart and says so on the page: the cart listed them nowhere while its badge
        counted them and the checkout refused every order for them, with no way to remove
        them."""
        if not product_ids:
            return
        names = {
            product.pk: str(product.name)
            for product in Product.objects.filter(pk__in=[int(pk) for pk in product_ids])
        }
        for pk in product_ids:
            self.items.pop(str(pk), None)
            name = names.get(int(pk))
            if name:
                message = _(
                    "“%(name)s” is no longer available and has been removed from your cart."
                ) % {"name": name}
            else:
                message = _(
                    "A product in your cart is no longer available and has been removed from it."
                )
            messages.warning(self.request, message)
        self.save()

    def goods_total(self, lines=None):
        return sum((line.total for line in (lines or self.lines())), ZERO)

    def discountable_total(self, lines=None):
        """The goods discounts and free-shipping thresholds apply to: gift cards are a means
        of payment, not goods (``orders.models.discountable_total`` for order lines)."""
        lines = self.lines() if lines is None else lines
        return sum((line.total for line in lines if not line.product.is_giftcard), ZERO)
