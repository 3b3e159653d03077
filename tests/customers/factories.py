import factory

from customers.models import Address
from tests.factories import CustomerGroupFactory, UserFactory  # noqa: F401 (re-exported)


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    customer = factory.SubFactory(UserFactory)
    first_name = "Erika"
    last_name = "Mustermann"
    street = "Musterstraße 1"
    postcode = "10115"
    city = "Berlin"
    country = "DE"
