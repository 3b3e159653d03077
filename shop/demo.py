"""The shop's part of the demo (``manage.py seed_demo``): role users, catalog, shipping and
payment methods. Idempotent: keyed on e-mail, SKU, name and code."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from .models import Category, PaymentMethod, Product, ShippingMethod, ShopSettings
from .roles import ROLES, setup_roles

ADMIN_EMAIL = "admin@example.com"
DEMO_PASSWORD = "demo-backoffice-2026"

STAFF = {
    "manager@example.com": "Shop manager",
    "clerk@example.com": "Order clerk",
    "marketing@example.com": "Marketing",
    "sales@example.com": "Sales",
    "payments@example.com": "Payments",
    "support@example.com": "Support",
    "dpo@example.com": "Data protection officer",
}

CATALOG = {
    ("kitchen", "Kitchen"): [
        ("Enamel coffee pot", "KIT-001", "34.90", "19.00", 40, "#b5523b"),
        ("Oak cutting board", "KIT-002", "29.00", "19.00", 25, "#a67c52"),
        ("Linen tea towels (set of 3)", "KIT-003", "19.50", "19.00", None, "#7c9a92"),
        ("Cast-iron skillet 26 cm", "KIT-004", "59.00", "19.00", 8, "#3d3d3d"),
    ],
    ("pantry", "Pantry"): [
        ("Organic filter coffee 500 g", "PAN-001", "12.90", "7.00", None, "#6b4226"),
        ("Nordic berry jam", "PAN-002", "6.50", "7.00", 120, "#8e2c48"),
        ("Sea-salt liquorice", "PAN-003", "4.90", "7.00", 200, "#222222"),
    ],
    ("living", "Living"): [
        ("Wool throw blanket", "LIV-001", "89.00", "19.00", 15, "#5f7d95"),
        ("Beeswax candles (pair)", "LIV-002", "14.90", "19.00", None, "#e0b34a"),
        ("Stoneware vase", "LIV-003", "39.00", "19.00", 12, "#9bb0a5"),
    ],
    ("digital", "Books & Gift cards"): [
        ("Nordic baking e-book", "DIG-001", "9.99", "7.00", None, "#c9a26b"),
        ("Gift card 25 EUR", "GC-025", "25.00", "0.00", None, "#2e7d6b"),
        ("Gift card 50 EUR", "GC-050", "50.00", "0.00", None, "#1f4e79"),
    ],
}


# Short demo terms per language (sent with every order confirmation as a PDF).
DEMO_TERMS = {
    "en": "1. Scope\nThese terms apply to all orders placed in the Nordlicht Shop.\n\n"
    "2. Contract\nThe contract is concluded when you press “Order with obligation to pay”.",
    "de": "1. Geltungsbereich\nDiese Bedingungen gelten für alle Bestellungen im Nordlicht "
    "Shop.\n\n2. Vertragsschluss\nDer Vertrag kommt zustande, wenn Sie auf "
    "„Zahlungspflichtig bestellen“ klicken.",
    "pl": "1. Zakres\nNiniejszy regulamin dotyczy wszystkich zamówień w sklepie Nordlicht.\n\n"
    "2. Zawarcie umowy\nUmowa zostaje zawarta z chwilą kliknięcia „Zamawiam z obowiązkiem "
    "zapłaty”.",
    "da": "1. Anvendelse\nDisse betingelser gælder for alle ordrer i Nordlicht Shop.\n\n"
    "2. Aftaleindgåelse\nAftalen indgås, når du klikker på „Bestil med "
    "betalingsforpligtelse“.",
}


def seed(cmd):
    setup_roles()
    shop = ShopSettings.load()
    if not shop.terms_en:
        for language, text in DEMO_TERMS.items():
            setattr(shop, f"terms_{language}", text)
        shop.save()
    seed_staff()
    seed_catalog()


def seed_staff():
    admin = get_user_model().objects.filter(email=ADMIN_EMAIL).first()
    if admin is None:
        get_user_model().objects.create_superuser(
            ADMIN_EMAIL, DEMO_PASSWORD, first_name="Ada", last_name="Admin"
        )
    for email, role in STAFF.items():
        assert role in ROLES
        user = get_user_model().objects.filter(email=email).first()
        if user is None:
            user = get_user_model().objects.create_user(
                email,
                DEMO_PASSWORD,
                is_staff=True,
                first_name=role.split()[0],
                last_name="Demo",
            )
        user.groups.add(Group.objects.get(name=role))


def seed_catalog():
    for position, ((slug, name), products) in enumerate(CATALOG.items()):
        category, _ = Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "position": position}
        )
        for pname, sku, price, rate, stock, color in products:
            Product.objects.get_or_create(
                sku=sku,
                defaults={
                    "category": category,
                    "name": pname,
                    "slug": sku.lower(),
                    "price": Decimal(price),
                    "tax_rate": Decimal(rate),
                    "stock": stock,
                    "image_color": color,
                    "is_giftcard": sku.startswith("GC-"),
                    "is_downloadable": sku.startswith("DIG-"),
                    "description": f"{pname} — a demo product of the Nordlicht shop.",
                },
            )
    for pos, (name, price, free_over) in enumerate(
        [("DHL Paket", "4.90", "50.00"), ("DHL Express", "12.90", None)]
    ):
        ShippingMethod.objects.get_or_create(
            name=name,
            defaults={
                "price": Decimal(price),
                "free_over": Decimal(free_over) if free_over else None,
                "position": pos,
            },
        )
    methods = [
        (
            "card",
            "Credit card",
            PaymentMethod.Kind.CARD,
            False,
            "Visa, Mastercard or American Express — charged when your order is invoiced.",
        ),
        (
            "prepayment",
            "Prepayment (bank transfer)",
            PaymentMethod.Kind.PREPAYMENT,
            False,
            "Transfer the amount after ordering; we ship as soon as it arrives.",
        ),
        (
            "invoice",
            "Pay on invoice",
            PaymentMethod.Kind.INVOICE,
            True,
            "Pay within 14 days of receiving the invoice.",
        ),
        (
            "cod",
            "Cash on delivery",
            PaymentMethod.Kind.COD,
            True,
            "Pay the courier in cash when the parcel arrives.",
        ),
    ]
    for pos, (code, name, kind, limited, description) in enumerate(methods):
        PaymentMethod.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "position": pos,
                "limited_by_open_amount": limited,
                "description": description,
            },
        )
