import pytest
from django.contrib.auth.models import Group

from shop.roles import setup_roles
from tests.factories import StaffFactory, UserFactory


@pytest.fixture
def roles(db):
    setup_roles()


@pytest.fixture
def dpo(roles):
    user = StaffFactory(email="dpo-test@example.com")
    user.groups.add(Group.objects.get(name="Data protection officer"))
    return user


@pytest.fixture
def marketing(roles):
    user = StaffFactory(email="marketing-test@example.com")
    user.groups.add(Group.objects.get(name="Marketing"))
    return user


@pytest.fixture
def erika(db):
    return UserFactory(
        email="erika.muster@example.com",
        first_name="Erika",
        last_name="Mustermann",
        phone="+49 30 123456",
    )
