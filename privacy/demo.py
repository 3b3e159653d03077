"""Demo data: disclosures for one customer and one guest (idempotent)."""

from datetime import date

from django.apps import apps

from .models import Disclosure
from .subjects import Person, resolve


def seed(cmd):
    User = apps.get_model("customers", "User")
    Order = apps.get_model("orders", "Order")
    people = []
    customer = User.objects.filter(is_staff=False, orders__isnull=False).order_by("pk").first()
    if customer:
        people.append(resolve(f"customer:{customer.pk}"))
    guest = Order.objects.filter(customer__isnull=True).order_by("pk").first()
    if guest:
        people.append(Person(f"email:{guest.email.lower()}", None, guest.email, guest.billing_name))
    created = 0
    for person in people:
        for when, recipient, scope in [
            (date(2026, 3, 2), "DHL Paket GmbH", "Name and shipping address for parcel delivery."),
            (
                date(2026, 4, 15),
                "Inkasso Nord GmbH",
                "Name, billing address, order number and open amount for debt collection.",
            ),
        ]:
            _obj, new = Disclosure.objects.get_or_create(
                subject=person.ref,
                date=when,
                recipient=recipient,
                defaults={"scope": scope, "subject_name": person.name},
            )
            created += new
    cmd.stdout.write(f"privacy: {created} disclosures created ({len(people)} data subjects)")
