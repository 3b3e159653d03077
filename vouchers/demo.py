"""Demo campaigns of every kind (some codes used through real orders) and partner offers."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from shop.models import Category, PaymentMethod, Product, ShippingMethod

from . import services
from .models import Campaign, PartnerOffer

BILLING = {
    "first_name": "Jonas",
    "last_name": "Demo",
    "street": "Lindenallee 5",
    "postcode": "20249",
    "city": "Hamburg",
    "country": "DE",
}

# name, kind, discount type, value, count, mask, min order, points, days valid (from, to), uses
CAMPAIGNS = [
    ("Spring sale 10 %", "multi", "percent", "10", 1, "SPRING10", None, None, (-10, 60), 3),
    ("Welcome 5 EUR", "single", "amount", "5", 200, "", "25.00", None, (None, None), 2),
    ("Free shipping weekend", "multi", "free_shipping", "0", 1, "SHIPFREE", None, None, (-3, 4), 1),
    (
        "Loyal customers 15 %",
        "assigned",
        "percent",
        "15",
        50,
        "LOYAL<NUM:1000>",
        None,
        None,
        (None, 90),
        0,
    ),
    (
        "Points reward 10 EUR",
        "single",
        "amount",
        "10",
        100,
        "PTS<NUM:0001><RAND:100:999>",
        "30.00",
        500,
        (None, None),
        0,
    ),
    (
        "Christmas 2025",
        "single",
        "percent",
        "20",
        100,
        "XMAS<NUM:100><RAND:1000:9999>",
        None,
        None,
        (-400, -330),
        2,
    ),
    (
        "Summer 2025 shipping",
        "assigned",
        "free_shipping",
        "0",
        20,
        "SUMMER<NUM:01>",
        None,
        None,
        (-500, -420),
        0,
    ),
    ("Autumn 7 EUR", "multi", "amount", "7", 1, "AUTUMN7", "40.00", None, (-200, -150), 1),
]

# The partner offers' headline and text in German, Polish and Danish (English above).
OFFER_TRANSLATIONS = {
    "20 % off freshly roasted beans": {
        "de": (
            "20 % auf frisch geröstete Bohnen",
            "Die Kaffeerösterei Elbe dankt für Ihren Einkauf.",
        ),
        "pl": ("20 % zniżki na świeżo palone ziarna", "Kaffeerösterei Elbe dziękuje za zakupy."),
        "da": ("20 % på friskristede bønner", "Kaffeerösterei Elbe takker for dit køb."),
    },
    "Free knife sharpening with your first order": {
        "de": (
            "Kostenloser Messerschliff zur ersten Bestellung",
            "Die Messerschmiede Nord dankt für Ihren Einkauf.",
        ),
        "pl": (
            "Darmowe ostrzenie noży przy pierwszym zamówieniu",
            "Messerschmiede Nord dziękuje za zakupy.",
        ),
        "da": ("Gratis knivslibning ved første ordre", "Messerschmiede Nord takker for dit køb."),
    },
    "Seasonal vegetable box: 5 EUR off": {
        "de": (
            "Saisonale Gemüsekiste: 5 EUR Rabatt",
            "Der Hofladen Lüneburg dankt für Ihren Einkauf.",
        ),
        "pl": ("Sezonowa skrzynka warzyw: 5 EUR taniej", "Hofladen Lüneburg dziękuje za zakupy."),
        "da": ("Sæsonens grøntsagskasse: 5 EUR rabat", "Hofladen Lüneburg takker for dit køb."),
    },
    "Bed linen: 15 % off": {
        "de": ("Bettwäsche: 15 % Rabatt", "Das Leinenwerk dankt für Ihren Einkauf."),
        "pl": ("Pościel: 15 % zniżki", "Leinenwerk dziękuje za zakupy."),
        "da": ("Sengetøj: 15 % rabat", "Leinenwerk takker for dit køb."),
    },
    "First audiobook free": {
        "de": ("Erstes Hörbuch gratis", "Der Hörbuch-Club dankt für Ihren Einkauf."),
        "pl": ("Pierwszy audiobook za darmo", "Hörbuch-Club dziękuje za zakupy."),
        "da": ("Første lydbog gratis", "Hörbuch-Club takker for dit køb."),
    },
    "Flowers delivered: 10 EUR voucher": {
        "de": ("Blumen nach Hause: 10-EUR-Gutschein", "Blumen Express dankt für Ihren Einkauf."),
        "pl": ("Kwiaty z dostawą: bon 10 EUR", "Blumen Express dziękuje za zakupy."),
        "da": ("Blomster leveret: gavekort på 10 EUR", "Blumen Express takker for dit køb."),
    },
    "Weekend trips: 25 EUR off": {
        "de": ("Wochenendreisen: 25 EUR Rabatt", "Reisewelt dankt für Ihren Einkauf."),
        "pl": ("Wycieczki weekendowe: 25 EUR taniej", "Reisewelt dziękuje za zakupy."),
        "da": ("Weekendture: 25 EUR rabat", "Reisewelt takker for dit køb."),
    },
}

OFFERS = [
    (
        "kitchen",
        "Kaffeerösterei Elbe",
        "20 % off freshly roasted beans",
        "ELBE20",
        "https://kaffee.example.com/",
        "15.00",
    ),
    (
        "kitchen",
        "Messerschmiede Nord",
        "Free knife sharpening with your first order",
        "",
        "https://messer.example.com/nordlicht",
        None,
    ),
    (
        "pantry",
        "Hofladen Lüneburg",
        "Seasonal vegetable box: 5 EUR off",
        "HOF5",
        "https://hofladen.example.com/",
        None,
    ),
    (
        "living",
        "Leinenwerk",
        "Bed linen: 15 % off",
        "LEINEN15",
        "https://leinen.example.com/",
        "50.00",
    ),
    (
        "digital",
        "Hörbuch-Club",
        "First audiobook free",
        "",
        "https://hoerbuch.example.com/probe",
        None,
    ),
    (
        None,
        "Blumen Express",
        "Flowers delivered: 10 EUR voucher",
        "BLUME10",
        "https://blumen.example.com/",
        None,
    ),
    (
        None,
        "Reisewelt",
        "Weekend trips: 25 EUR off",
        "",
        "https://reise.example.com/nordlicht",
        "80.00",
    ),
]


def _day(offset):
    return None if offset is None else timezone.localdate() + timedelta(days=offset)


def _place_demo_orders(cmd, code_text, uses, quantity=2):
    from orders.services import CheckoutData, place_order

    shipping = ShippingMethod.objects.filter(is_active=True).order_by("position").first()
    payment = PaymentMethod.objects.filter(code="card").first()
    # In this order whatever the shop's language (Product is ordered by its translated name):
    # a code with a minimum order value is first used on the board, not the coffee on sale.
    skus = ["KIT-002", "PAN-001", "LIV-003"]
    products = sorted(Product.objects.filter(sku__in=skus), key=lambda p: skus.index(p.sku))
    if not (shipping and payment and products):
        return 0
    for i in range(uses):
        product = products[i % len(products)]
        place_order(
            {product.pk: quantity},
            CheckoutData(
                email=f"voucher-demo-{i}@example.com",
                billing=BILLING,
                shipping_method_id=shipping.pk,
                payment_method_id=payment.pk,
                voucher_code=code_text,
                digital_consent=True,
            ),
        )
    return uses


def seed(cmd):
    created = 0
    for name, kind, dtype, value, count, mask, min_order, points, days, uses in CAMPAIGNS:
        if Campaign.objects.filter(name__iexact=name).exists():
            continue
        valid_from, valid_to = _day(days[0]), _day(days[1])
        historical = valid_to is not None and valid_to < timezone.localdate()
        # Historical campaigns are created valid, used, then moved into the past.
        campaign = services.generate_campaign(
            name=name,
            kind=kind,
            discount_type=dtype,
            discount_value=Decimal(value),
            count=count,
            mask=mask,
            min_order_value=Decimal(min_order) if min_order else None,
            points_price=points,
            valid_from=None if historical else valid_from,
            valid_to=None if historical else valid_to,
        )
        codes = list(campaign.codes.order_by("id").values_list("text", flat=True)[: max(uses, 1)])
        if kind == "multi":
            # A free-shipping code is refused on an order that ships free anyway: one item
            # stays under the free-shipping threshold.
            _place_demo_orders(cmd, codes[0], uses, 1 if dtype == "free_shipping" else 2)
        else:
            for text in codes[:uses]:
                _place_demo_orders(cmd, text, 1)
        if kind == "assigned":
            customers_with_orders = services.Criteria(min_orders=1)
            try:
                services.assign_codes(campaign, customers_with_orders)
            except services.VoucherError as exc:
                cmd.stdout.write(f"  vouchers: {name}: {exc.message}")
        if historical:
            Campaign.objects.filter(pk=campaign.pk).update(valid_from=valid_from, valid_to=valid_to)
        created += 1
    if not Campaign.objects.filter(name__iexact="Pantry week 15 %").exists() and (
        Category.objects.filter(slug="pantry").exists()
    ):
        # Campaign scope: pantry goods only, not those on sale, with a budget and a total
        # number of uses across its codes.
        services.generate_campaign(
            name="Pantry week 15 %",
            kind="multi",
            discount_type="percent",
            discount_value=Decimal("15"),
            count=1,
            mask="PANTRY15",
            budget=Decimal("150.00"),
            max_uses=500,
            scope=services.scope_from_names(categories=["pantry"], exclude_sale_items=True),
            valid_from=_day(-1),
            valid_to=_day(30),
        )
        created += 1
    offers = 0
    for slug, partner, headline, code, url, minimum in OFFERS:
        offer, new = PartnerOffer.objects.get_or_create(
            partner=partner,
            headline_en=headline,
            defaults={
                "voucher_code": code,
                "link_url": url,
                "min_order_value": Decimal(minimum) if minimum else None,
                "text_en": f"{partner} thanks you for shopping at Nordlicht.",
            },
        )
        translations = OFFER_TRANSLATIONS.get(headline, {})
        if any(not getattr(offer, f"headline_{lang}") for lang in translations):
            for language, (head, text) in translations.items():
                setattr(
                    offer, f"headline_{language}", getattr(offer, f"headline_{language}") or head
                )
                setattr(offer, f"text_{language}", getattr(offer, f"text_{language}") or text)
            offer.save()
        if new:
            offers += 1
            if slug:
                offer.categories.set(Category.objects.filter(Q(slug=slug)))
    cmd.stdout.write(f"vouchers: {created} campaigns and {offers} partner offers added")
