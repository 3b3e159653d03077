"""The shop's part of the demo (``manage.py seed_demo``): role users, catalog, shipping and
payment methods. Idempotent: keyed on e-mail, SKU, name and code."""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone

from . import demo_pictures, demo_texts
from .models import (
    Category,
    PaymentMethod,
    PriceHistory,
    Product,
    ProductImage,
    ShippingMethod,
    ShopSettings,
)
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


# Legal details of the demo goods: content (unit price), safety information (GPSR),
# stock rules. Applied once per product (while it has no pictures yet).
DETAILS = {
    "PAN-001": {"content_quantity": Decimal("500"), "content_unit": "g", "low_stock_threshold": 20},
    "PAN-002": {"content_quantity": Decimal("250"), "content_unit": "g", "low_stock_threshold": 30},
    "PAN-003": {"content_quantity": Decimal("150"), "content_unit": "g"},
    "KIT-004": {"low_stock_threshold": 10},
    "LIV-003": {"stock": 0, "allow_backorders": True, "backorder_delivery_days": 10},
}
MANUFACTURERS = {
    "KIT": (
        "Nordlicht Emaille ApS",
        "Havnegade 4\n5000 Odense C\nDanmark",
        "kontakt@nordlicht-emaille.example",
    ),
    "PAN": (
        "Nordlicht Feinkost GmbH",
        "Hafenstraße 12\n20457 Hamburg\nDeutschland",
        "feinkost@nordlicht.example",
    ),
    "LIV": (
        "Fjord Home Ltd.",
        "12 Harbour Road\nBergen 5003\nNorway",
        "care@fjordhome.example",
    ),
}
SAFETY = {
    "KIT-001": "Handle gets hot: use a pot holder. Not for induction hobs. Do not heat empty.",
    "KIT-004": "Handle gets very hot. Keep children away from the stove.",
    "LIV-002": "Never leave a burning candle unattended. Keep away from children, pets "
    "and anything that can catch fire.",
    "LIV-003": "Fragile. Not watertight when cracked.",
    "PAN-002": "After opening keep in the refrigerator and eat within 4 weeks.",
}
ALT_TEXTS = {0: "%(name)s", 1: "%(name)s on its colour"}
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
    translate_catalog()
    if not shop.privacy_notice_en:
        for language, text in demo_texts.PRIVACY.items():
            setattr(shop, f"privacy_notice_{language}", text)
        shop.save()


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
    # The demo's own texts are English: into the _en columns whatever the shop's language
    # (SHOP_LANGUAGE); translate_catalog() fills the other languages, the default one too.
    for position, ((slug, name), products) in enumerate(CATALOG.items()):
        category, _ = Category.objects.get_or_create(
            slug=slug, defaults={"name_en": name, "position": position}
        )
        for pname, sku, price, rate, stock, color in products:
            Product.objects.get_or_create(
                sku=sku,
                defaults={
                    "category": category,
                    "name_en": pname,
                    "slug": sku.lower(),
                    "price": Decimal(price),
                    "tax_rate": Decimal(rate),
                    "stock": stock,
                    "image_color": color,
                    "is_giftcard": sku.startswith("GC-"),
                    "is_downloadable": sku.startswith("DIG-"),
                    "description_en": demo_texts.PRODUCTS.get(sku, {}).get("en", ("", ""))[1],
                },
            )
    for product in Product.objects.filter(sku__in=demo_pictures.DRAWINGS, images__isnull=True):
        _enrich(product)
    # Express is next-day delivery within Germany only (ShippingMethod.countries).
    for pos, (name, price, free_over, countries) in enumerate(
        [("DHL Paket", "4.90", "50.00", []), ("DHL Express", "12.90", None, ["DE"])]
    ):
        ShippingMethod.objects.get_or_create(
            name_en=name,
            defaults={
                "price": Decimal(price),
                "free_over": Decimal(free_over) if free_over else None,
                "position": pos,
                "countries": countries,
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
                "name_en": name,
                "kind": kind,
                "position": pos,
                "limited_by_open_amount": limited,
                "description_en": description,
            },
        )


def _enrich(product):
    """Pictures, unit price, safety information and (for the coffee) a sale with a price
    history that shows the 30-day rule: 12.90 → 11.90 for a week → 12.90 → sale 9.90; the
    lowest price of the 30 days before the sale is 11.90."""
    for key, value in DETAILS.get(product.sku, {}).items():
        setattr(product, key, value)
    maker = MANUFACTURERS.get(product.sku.split("-")[0])
    if maker and not product.manufacturer:
        product.manufacturer, product.manufacturer_address, product.manufacturer_contact = maker
        product.product_identifier = f"EAN 40{abs(hash(product.sku)) % 10**11:011d}"
        if product.sku.startswith("LIV"):  # made outside the EU: an EU responsible person
            product.responsible_person = "Nordlicht Handels GmbH"
            product.responsible_person_address = "Hafenstraße 12\n20457 Hamburg\nDeutschland"
            product.responsible_person_contact = "produktsicherheit@nordlicht.example"
    product.safety_information_en = product.safety_information_en or SAFETY.get(product.sku, "")
    product.save()
    for variant in (0, 1):
        image = ProductImage(
            product=product,
            position=variant,
            alt_text_en=ALT_TEXTS[variant] % {"name": product.name_en},
        )
        image.image.save(
            f"{product.sku.lower()}-{variant + 1}.png",
            ContentFile(demo_pictures.draw(product.sku, product.image_color, variant)),
            save=True,
        )
    if product.sku == "PAN-001" and product.sale_price is None:
        now = timezone.now()
        PriceHistory.objects.filter(product=product).update(recorded_at=now - timedelta(days=60))
        for days, price in ((24, "11.90"), (17, "12.90")):
            PriceHistory.objects.create(
                product=product, recorded_at=now - timedelta(days=days), price=Decimal(price)
            )
        product.sale_price = Decimal("9.90")
        product.sale_start = now - timedelta(days=2)
        product.sale_end = now + timedelta(days=12)
        product.save()


def _fill(obj, texts, fields=("name", "description")):
    """Set the language columns of ``obj`` from ``{language: (name, description)}`` where
    they are empty (never overwriting an operator's text). True if anything changed."""
    changed = False
    for language, values in texts.items():
        for field, value in zip(fields, values, strict=True):
            column = f"{field}_{language}"
            if not getattr(obj, column):
                setattr(obj, column, value)
                changed = True
    return changed


def translate_catalog():
    """The demo catalog in German, Polish and Danish (shop/demo_texts.py)."""
    for category in Category.objects.filter(slug__in=demo_texts.CATEGORIES):
        if _fill(category, demo_texts.CATEGORIES[category.slug]):
            category.save()
    for product in Product.objects.filter(sku__in=demo_texts.PRODUCTS):
        texts = demo_texts.PRODUCTS[product.sku]
        # The English description of shop/demo.py's first version was a placeholder.
        if product.description_en == f"{texts['en'][0]} — a demo product of the Nordlicht shop.":
            product.description_en = ""
        changed = _fill(product, texts)
        for language, text in demo_texts.SAFETY.get(product.sku, {}).items():
            if product.safety_information_en and not getattr(
                product, f"safety_information_{language}"
            ):
                setattr(product, f"safety_information_{language}", text)
                changed = True
        if changed:
            product.save()
    for method in ShippingMethod.objects.all():
        texts = demo_texts.SHIPPING.get(method.name_en)
        if texts and _fill(method, texts):
            method.save()
    for method in PaymentMethod.objects.filter(code__in=demo_texts.PAYMENT):
        if _fill(method, demo_texts.PAYMENT[method.code]):
            method.save()
