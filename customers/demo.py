"""Demo customers and groups for ``manage.py seed_demo``. Idempotent: keyed on e-mail / name."""

from decimal import Decimal

from . import confirmation, loyalty
from .models import Address, CustomerGroup, LoyaltyEntry, User

DEMO_CUSTOMER_PASSWORD = "demo-customer-2026"

GROUPS = {
    "Retail": None,  # shop default limit
    "Wholesale": Decimal("5000.00"),
    "Staff discount": Decimal("1000.00"),
}

# email: (first, last, company, language, group, flags, address (street, postcode, city, country))
CUSTOMERS = {
    "erika@example.com": (
        "Erika",
        "Mustermann",
        "",
        "de",
        "Retail",
        {},
        ("Musterstraße 1", "10115", "Berlin", "DE"),
    ),
    "anna.schmidt@example.com": (
        "Anna",
        "Schmidt",
        "",
        "de",
        "Retail",
        {},
        ("Lindenallee 7", "20259", "Hamburg", "DE"),
    ),
    "jan.kowalski@example.com": (
        "Jan",
        "Kowalski",
        "Kowalski Sp. z o.o.",
        "pl",
        "Wholesale",
        {},
        ("ul. Długa 15", "00-238", "Warszawa", "PL"),
    ),
    "mette.jensen@example.com": (
        "Mette",
        "Jensen",
        "",
        "da",
        "Retail",
        {},
        ("Nørregade 22", "1165", "København", "DK"),
    ),
    "lukas.weber@example.com": (
        "Lukas",
        "Weber",
        "",
        "de",
        "Retail",
        {"is_rejected": True},
        ("Bahnhofstraße 3", "80335", "München", "DE"),
    ),
    "sofia.rossi@example.com": (
        "Sofia",
        "Rossi",
        "",
        "en",
        "Staff discount",
        {"open_amount_limit": Decimal("150.00")},
        ("Via Roma 10", "39100", "Bolzano", "IT"),
    ),
    "test.kunde@example.com": (
        "Test",
        "Kunde",
        "",
        "de",
        None,
        {"is_test": True},
        ("Teststraße 99", "12345", "Teststadt", "DE"),
    ),
    "ole.nielsen@example.com": (
        "Ole",
        "Nielsen",
        "Nielsen Design ApS",
        "da",
        "Wholesale",
        {"invited": True},
        ("Vestergade 5", "8000", "Aarhus", "DK"),
    ),
}


def seed(cmd):
    groups = {}
    for name, limit in GROUPS.items():
        group, created = CustomerGroup.objects.get_or_create(
            name=name, defaults={"open_amount_limit": limit}
        )
        groups[name] = group
        if created:
            cmd.stdout.write(f"  customer group {name}")

    created_count = 0
    for email, (first, last, company, language, group, flags, address) in CUSTOMERS.items():
        flags = dict(flags)
        invited = flags.pop("invited", False)
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User(
                email=email,
                first_name=first,
                last_name=last,
                company=company,
                language=language,
                group=groups.get(group),
                **flags,
            )
            if invited:
                # Created "by the operator": waits for the customer to confirm via e-mail.
                confirmation.invite_customer(user)
            else:
                user.set_password(DEMO_CUSTOMER_PASSWORD)
                user.save()
            created_count += 1
        if not user.addresses.exists():
            street, postcode, city, country = address
            Address.objects.create(
                customer=user,
                first_name=first,
                last_name=last,
                company=company,
                street=street,
                postcode=postcode,
                city=city,
                country=country,
                is_default=True,
            )

    anna = User.objects.get(email="anna.schmidt@example.com")
    if not LoyaltyEntry.objects.filter(customer=anna, reason=LoyaltyEntry.Reason.ADJUST).exists():
        loyalty.adjust_points(anna, 250, "Welcome bonus (demo)")

    cmd.stdout.write(
        f"Customers: {created_count} created, {len(CUSTOMERS)} in the demo set "
        f"(password {DEMO_CUSTOMER_PASSWORD})."
    )
