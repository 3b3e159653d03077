"""The session cart: {product id: quantity}. Django keeps session data on login, so a
guest's cart survives logging in; prices are always read from the catalog, never stored."""

from dataclasses import dataclass

from .forms import parse_id
from .models import Product
from .money import ZERO

SESSION_KEY = "cart"
MAX_QUANTITY = 99


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


class Cart:
    def __init__(self, request):
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

    def add(self, product, quantity=1):
        current = self.items.get(str(product.pk), 0)
        self.items[str(product.pk)] = max(1, min(MAX_QUANTITY, current + int(quantity)))
        self.save()

    def set(self, product_id, quantity):
        quantity = int(quantity)
        if quantity <= 0:
            self.items.pop(str(product_id), None)
        else:
            self.items[str(product_id)] = min(MAX_QUANTITY, quantity)
        self.save()

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
        return [
            CartLine(products[int(pid)], qty)
            for pid, qty in self.items.items()
            if int(pid) in products
        ]

    def goods_total(self, lines=None):
        return sum((line.total for line in (lines or self.lines())), ZERO)

    def discountable_total(self, lines=None):
        """The goods discounts and free-shipping thresholds apply to: gift cards are a means
        of payment, not goods (``orders.models.discountable_total`` for order lines)."""
        lines = self.lines() if lines is None else lines
        return sum((line.total for line in lines if not line.product.is_giftcard), ZERO)
