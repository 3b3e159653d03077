"""Helpers for the order lifecycle tests: real orders through the checkout service."""

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import ProductFactory

# A delivery outside the EU (orders.vat.apply_export): the tests' Swiss address.
ZURICH = {
    "first_name": "Heidi",
    "last_name": "Muster",
    "street": "Bahnhofstrasse 1",
    "postcode": "8001",
    "city": "Zürich",
    "country": "CH",
}


def downloadable_product(**kwargs):
    return ProductFactory(
        price=Decimal("9.99"),
        tax_rate=Decimal("7.00"),
        is_downloadable=True,
        download_file=SimpleUploadedFile("baking-book.pdf", b"%PDF-1.4 demo e-book"),
        **kwargs,
    )


def ship_all(order):
    """{line id: quantity} for every line that is shipped physically."""
    return {line.pk: line.quantity for line in order.lines.all() if line.needs_shipping}
