""" "name" of a thing and "name" of a person are two words in Polish: a product, category,
campaign or payment method has a "nazwa"; a customer, buyer or review author an "imię i
nazwisko". The person's fields are translated in the context "person"."""

from django.utils import translation

from customers.models import CustomerGroup
from helpdesk.models import ContactTopic
from orders.aftersales import Withdrawal
from orders.models import Invoice
from reviews.models import Review
from shop.models import Category, PaymentMethod, Product, ShippingMethod
from vouchers.forms import GenerateCodesForm
from vouchers.models import Campaign

THINGS = [
    (Product, "name"),
    (Category, "name"),
    (PaymentMethod, "name"),
    (ShippingMethod, "name"),
    (Campaign, "name"),
    (CustomerGroup, "name"),
    (ContactTopic, "name"),
]
PEOPLE = [(Review, "author_name"), (Invoice, "buyer_name"), (Withdrawal, "name")]


def test_polish_tells_the_name_of_a_thing_from_the_name_of_a_person():
    with translation.override("pl"):
        for model, field in THINGS:
            assert str(model._meta.get_field(field).verbose_name) == "nazwa", model
        for model, field in PEOPLE:
            assert str(model._meta.get_field(field).verbose_name) == "imię i nazwisko", model
        assert str(GenerateCodesForm.base_fields["name"].label) == "Nazwa"
    with translation.override("de"):
        assert str(Product._meta.get_field("name").verbose_name) == "Name"
        assert str(Review._meta.get_field("author_name").verbose_name) == "Name"
