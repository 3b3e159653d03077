"""Demo reviews in every moderation state. Idempotent: keyed by product and e-mail address
(one review per product and person)."""

from datetime import timedelta

from django.utils import timezone

from customers.models import User
from shop.models import Product

from . import services
from .models import Review

# (sku, rating, name, e-mail, text, moderated, active, days ago)
REVIEWS = [
    (
        "KIT-001",
        5,
        "Anna Berg",
        "anna.berg@example.com",
        "Keeps the coffee hot for ages and looks lovely on the stove.",
        True,
        True,
        40,
    ),
    (
        "KIT-001",
        4,
        "Jonas Weber",
        "jonas.weber@example.com",
        "Great pot. The handle gets a bit warm, so use a towel.",
        True,
        True,
        25,
    ),
    (
        "KIT-001",
        1,
        "Spam Bot",
        "cheap-pills@example.net",
        "Buy cheap watches at our site!!!",
        True,
        False,
        20,
    ),
    (
        "KIT-001",
        3,
        "Mia Hansen",
        "mia.hansen@example.com",
        "Nice enamel, but mine arrived with a small chip on the lid.",
        False,
        False,
        2,
    ),
    (
        "KIT-002",
        5,
        "Lukas Nowak",
        "lukas.nowak@example.com",
        "Solid oak, heavy and stable. Oil it once a month.",
        True,
        True,
        30,
    ),
    (
        "KIT-002",
        2,
        "<b>Eve</b>",
        "eve@example.com",
        '<script>alert("xss")</script> <b>Bold claim:</b> this text must appear escaped.',
        True,
        True,
        12,
    ),
    (
        "KIT-002",
        4,
        "Piotr Zielinski",
        "piotr.z@example.com",
        "Good board, still waiting to see how it ages.",
        False,
        False,
        1,
    ),
    (
        "PAN-001",
        5,
        "Sofie Larsen",
        "sofie.larsen@example.com",
        "Smooth, chocolatey filter coffee. My new favourite.",
        True,
        True,
        18,
    ),
    (
        "PAN-001",
        4,
        "Tom Richter",
        "tom.richter@example.com",
        "Fresh roast, fine for the French press too.",
        True,
        True,
        9,
    ),
    (
        "PAN-001",
        2,
        "Karl Meyer",
        "karl.meyer@example.com",
        "Too mild for my taste.",
        False,
        False,
        0,
    ),
    (
        "LIV-001",
        5,
        "Ida Nielsen",
        "ida.nielsen@example.com",
        "Warm, soft and not itchy at all.",
        True,
        True,
        50,
    ),
    (
        "LIV-001",
        3,
        "Ben Schulz",
        "ben.schulz@example.com",
        "Colour is darker than in the photo. Moderated, then hidden on request.",
        True,
        False,
        33,
    ),
    (
        "DIG-001",
        4,
        "Ola Kowalska",
        "ola.kowalska@example.com",
        "Lovely recipes; the cardamom buns are a hit.",
        True,
        True,
        7,
    ),
    # Demo customers who bought the product (orders' demo runs first): verified purchases,
    # decided by the same rule as on the storefront.
    (
        "PAN-001",
        5,
        "Erika M.",
        "erika@example.com",
        "Two bags, and both fine for the espresso pot as well.",
        True,
        True,
        4,
    ),
    (
        "KIT-002",
        4,
        "Anna S.",
        "anna.schmidt@example.com",
        "One for the kitchen, one for the office: both still look new.",
        True,
        True,
        3,
    ),
    (
        "DIG-001",
        5,
        "Hacker",
        "hacker@example.com",
        "<img src=x onerror=alert(1)> waiting for moderation",
        False,
        False,
        0,
    ),
]


# (e-mail of the reviewer, the shop's public reply)
REPLIES = [
    (
        "jonas.weber@example.com",
        "Thank you, Jonas! Since March every pot comes with a silicone handle cover — write "
        "to us and we will send you one for free.",
    ),
]


def seed(cmd):
    products = Product.objects.in_bulk([r[0] for r in REVIEWS], field_name="sku")
    moderator = User.objects.filter(is_superuser=True).order_by("pk").first()
    now = timezone.now()
    created_count = 0
    for sku, rating, name, email, text, moderated, active, days in REVIEWS:
        product = products.get(sku)
        if product is None:
            continue
        if services.reviews_by(email=email).filter(product=product).exists():
            continue
        created = now - timedelta(days=days, hours=3)
        customer = User.objects.filter(email=email, is_staff=False).first()
        Review.objects.create(
            product=product,
            email=email,
            text=text,
            rating=rating,
            author_name=name,
            created=created,
            moderated=moderated,
            active=active,
            moderated_by=moderator if moderated else None,
            moderated_at=created + timedelta(hours=5) if moderated else None,
            # public since then: the author was told (reviews.emails), not again later
            published_at=created + timedelta(hours=5) if moderated and active else None,
            customer=customer,
            verified_purchase=services.has_bought(product, customer=customer),
        )
        created_count += 1
    for email, text in REPLIES:
        review = Review.objects.filter(email=email, reply_text="").first()
        if review is not None:
            services.reply(review, moderator, text)
    cmd.stdout.write(f"Reviews: {created_count} created, {Review.objects.count()} in total.")
