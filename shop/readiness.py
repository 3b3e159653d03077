"""What stops a new shop from taking real orders ("Before you go live").

A shop set up from the README starts with the demo company's seller data (the field defaults
of ``ShopSettings``, which the demo and the tests rely on) and without terms or a privacy
notice. Printed on an invoice, the demo IBAN makes a customer pay a stranger; a checkout
without terms asks the customer to accept nothing. ``problems()`` lists what is missing, the
start page shows it to whoever may change the shop settings, and a production shop
(``SHOP_ENV=production``) takes no orders while the list is not empty.

Cheap enough for every checkout: the settings row and the active payment and shipping methods
are kept per process (``ShopSettings.load``, ``KeptRows.active_rows``).
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .exceptions import DomainError
from .models import PaymentMethod, ShippingMethod, ShopSettings

# The seller details whose built-in default is the demo company's (Nordlicht Handels GmbH):
# still at their default, they are not the operator's. Bank name, BIC, postcode and city are
# left out: a real seller may well bank at the demo's (real) bank in the demo's city.
DEMO_FIELDS = (
    "legal_name",
    "street",
    "vat_id",
    "commercial_register",
    "managing_director",
    "iban",
    "contact_email",
    "phone",
)

# Payment methods whose customers are asked to transfer the money to the shop's account.
TRANSFER_KINDS = (PaymentMethod.Kind.PREPAYMENT, PaymentMethod.Kind.INVOICE)

CLOSED = gettext_lazy("This shop is not open for orders yet.")


class ShopNotReady(DomainError):
    """An order placed while the shop is not ready to go live (production only)."""


def _settings_url():
    return reverse("admin:shop_shopsettings_change", args=[1])


def _demo_fields(shop):
    fields = []
    for name in DEMO_FIELDS:
        field = ShopSettings._meta.get_field(name)
        default = field.get_default()
        if default and getattr(shop, name) == default:
            fields.append(str(field.verbose_name))
    return fields


def _empty_in_every_language(shop, field):
    """No text in any language (modeltranslation keeps one column per language)."""
    codes = getattr(settings, "MODELTRANSLATION_LANGUAGES", ())
    return not any((getattr(shop, f"{field}_{code}", "") or "").strip() for code in codes)


def problems(shop=None):
    """``[(key, message, admin URL)]``: what stops this shop from taking real orders, in the
    order an operator would fix it; empty when it is ready."""
    shop = shop or ShopSettings.load()
    found = []
    demo = _demo_fields(shop)
    if demo:
        found.append(
            (
                "demo_seller",
                _("The seller details are still the demo company's: %(fields)s.")
                % {"fields": ", ".join(demo)},
                _settings_url(),
            )
        )
    if not shop.vat_id and not shop.tax_number:
        found.append(
            (
                "tax_registration",
                _("Neither a VAT ID nor a tax number is set: invoices must carry one."),
                _settings_url(),
            )
        )
    payments = PaymentMethod.active_rows()
    if not shop.iban and any(method.kind in TRANSFER_KINDS for method in payments):
        found.append(
            (
                "iban",
                _("No IBAN is set, but customers are asked to pay by bank transfer."),
                _settings_url(),
            )
        )
    if _empty_in_every_language(shop, "terms"):
        found.append(("terms", _("The terms and conditions are empty."), _settings_url()))
    if _empty_in_every_language(shop, "privacy_notice"):
        found.append(("privacy", _("The privacy notice is empty."), _settings_url()))
    if not payments:
        found.append(
            (
                "payment",
                _("No payment method is enabled."),
                reverse("admin:shop_paymentmethod_changelist"),
            )
        )
    if not ShippingMethod.active_rows():
        found.append(
            (
                "shipping",
                _("No shipping method is enabled."),
                reverse("admin:shop_shippingmethod_changelist"),
            )
        )
    return found


# Set by ``seed_demo --allow-production``: the demo's order history is placed through the
# checkout service on a trial stack that runs the production settings.
_demo_orders = ContextVar("demo_orders", default=False)


@contextmanager
def demo_orders_allowed():
    token = _demo_orders.set(True)
    try:
        yield
    finally:
        _demo_orders.reset(token)


def enforced():
    """Only a production shop refuses orders: the demo, development and the tests run with
    the demo company's data. So does ``manage.py bench --http`` (production settings, the
    demo data, and a checkout journey): its stack is the one with ``BENCH_BARE_VIEW`` on,
    which no real shop sets."""
    return (
        settings.SHOP_ENV == "production"
        and not settings.BENCH_BARE_VIEW
        and not _demo_orders.get()
    )


def open_for_orders():
    return not enforced() or not problems()


def refuse_unless_open():
    """``place_order``'s guard (the checkout page says so first): raises ``ShopNotReady``."""
    if not open_for_orders():
        raise ShopNotReady(CLOSED)


def closed_checkout(request):
    """The checkout page of a shop that is not open for orders (instead of its form), or
    None."""
    if open_for_orders():
        return None
    return render(request, "shop/checkout_closed.html", {"message": CLOSED})


def start_page_box():
    """The start page's "Before you go live" box (``shop.dashboard``): None while there is
    nothing to fix."""
    found = problems()
    if not found:
        return None
    return {
        "problems": [{"key": k, "message": m, "url": u} for k, m, u in found],
        "enforced": enforced(),
    }
