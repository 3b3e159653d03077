import pytest

from tests.factories import RoleUserFactory, UserFactory


@pytest.fixture
def dpo(db):
    return RoleUserFactory(role="Data protection officer", email="dpo-test@example.com")


@pytest.fixture
def marketing(db):
    return RoleUserFactory(role="Marketing", email="marketing-test@example.com")


@pytest.fixture
def erika(db):
    return UserFactory(
        email="erika.muster@example.com",
        first_name="Erika",
        last_name="Mustermann",
        phone="+49 30 123456",
    )
