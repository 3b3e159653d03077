"""Hostile input that reached a 500 (issue 19 §3), each reproduced over HTTP, and the two
classes behind them: characters PostgreSQL refuses, and e-mail addresses longer than the
columns (or the login throttle's record) that hold them."""

import inspect
from decimal import Decimal

import pytest
from django import forms
from django.apps import apps
from django.db import models
from django.test import Client, RequestFactory
from django.urls import reverse

from customers.models import User
from helpdesk.models import Thread
from orders.models import Order
from shop.fields import EMAIL_MAX_LENGTH, EmailField, EmailFormField
from shop.middleware import unstorable
from tests.checkout import add_to_cart, checkout_post
from tests.factories import PaymentMethodFactory, ProductFactory, ShippingMethodFactory
from tests.helpdesk.factories import ContactTopicFactory

LONG_EMAIL = "a" * 248 + "@example.com"  # 260 characters: more than 254, fewer than 320
assert len(LONG_EMAIL) == 260


@pytest.fixture
def client500():
    return Client(raise_request_exception=False)


@pytest.mark.django_db
def test_nul_in_the_product_search_is_a_400_page_not_a_500(client500):
    ProductFactory(name="Tea")
    response = client500.get("/products/?q=%00")
    assert response.status_code == 400
    assert "could not process your request" in response.content.decode()
    assert client500.get("/products/?q=Tea").status_code == 200


@pytest.mark.django_db
def test_nul_in_the_cart_code_box_is_dropped_not_a_500(client500):
    response = client500.post("/cart/code/", {"code": "abc\x00def"})
    assert response.status_code == 302  # "abcdef": an unknown code, said on the cart page


@pytest.mark.django_db
def test_nul_in_a_form_name_is_a_400_page_in_the_shops_layout(client500):
    response = client500.post("/cart/code/", {"code\x00": "abc"})
    assert response.status_code == 400
    assert 'class="site-header"' in response.content.decode()  # the shop's own layout


@pytest.mark.django_db
@pytest.mark.parametrize(
    "where",
    [
        lambda c: c.get("/products/%00/"),
        lambda c: c.get("/products/", {"q\x00": "x"}),
        lambda c: c.post("/contact/", {"name\x00": "x"}),
    ],
    ids=["path", "query-name", "form-name"],
)
def test_nul_anywhere_in_the_request_is_refused_before_any_view(client500, where):
    assert where(client500).status_code == 400


def test_unstorable_finds_nul_and_lone_surrogates_only():
    assert unstorable("a\x00b") and unstorable("\ud800") and unstorable("x\udfffy")
    assert not unstorable("Grüße 🚀 \u200b\ufeff\U0010ffff")


@pytest.mark.django_db
def test_login_with_a_260_character_email_is_a_form_error_not_a_500(client500, settings):
    settings.AXES_ENABLED = True  # the throttle records failed logins (username ≤ 255)
    response = client500.post("/account/login/", {"username": LONG_EMAIL, "password": "x"})
    assert response.status_code == 200
    assert "254" in response.content.decode()  # "at most 254 characters"


@pytest.mark.django_db
def test_register_with_a_260_character_email_is_a_form_error_not_a_500(client500):
    response = client500.post(
        "/account/register/",
        {
            "email": LONG_EMAIL,
            "first_name": "Erika",
            "last_name": "Mustermann",
            "password1": "Xyzzy-12345-abc",
            "password2": "Xyzzy-12345-abc",
        },
    )
    assert response.status_code == 200
    assert not User.objects.exists()


@pytest.mark.django_db
def test_checkout_with_a_260_character_email_is_a_form_error_not_a_500(client500):
    product = ProductFactory(price=Decimal("10.00"))
    shipping, payment = ShippingMethodFactory(), PaymentMethodFactory(code="card", kind="card")
    add_to_cart(client500, product)
    response = client500.post(
        reverse("orders:checkout"), checkout_post(shipping, payment, email=LONG_EMAIL)
    )
    assert response.status_code == 200
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_contact_with_a_260_character_email_is_a_form_error_not_a_500(client500):
    topic = ContactTopicFactory()
    response = client500.post(
        "/contact/",
        {
            "name": "Erika",
            "email": LONG_EMAIL,
            "topic": str(topic.pk),
            "subject": "Hello",
            "message": "Hi",
        },
    )
    assert response.status_code == 200
    assert not Thread.objects.exists()


@pytest.mark.django_db
def test_an_email_of_exactly_254_characters_is_accepted_and_stored(client500):
    email = "b" * 242 + "@example.com"
    assert len(email) == EMAIL_MAX_LENGTH
    response = client500.post(
        "/account/register/",
        {
            "email": email,
            "first_name": "Erika",
            "last_name": "Mustermann",
            "password1": "Xyzzy-12345-abc",
            "password2": "Xyzzy-12345-abc",
        },
    )
    assert response.status_code == 302
    assert User.objects.get().email == email


def _our_modules():
    for config in apps.get_app_configs():
        if config.name in {"shop", "customers", "orders", "vouchers", "giftcards", "helpdesk"} | {
            "reviews",
            "privacy",
        }:
            yield config


def test_every_column_holding_an_email_address_is_the_shared_email_field():
    for config in _our_modules():
        for model in config.get_models():
            for field in model._meta.get_fields():
                if isinstance(field, models.EmailField):
                    assert isinstance(field, EmailField), f"{model.__name__}.{field.name}"
                    assert field.max_length == EMAIL_MAX_LENGTH
    from privacy.models import AccessLogEntry  # the staff member's e-mail as user name

    assert AccessLogEntry._meta.get_field("username").max_length == EMAIL_MAX_LENGTH


def _form_classes():
    import importlib
    import pkgutil

    seen = set()
    for config in _our_modules():
        package = importlib.import_module(config.name)
        for info in pkgutil.walk_packages(package.__path__, f"{config.name}."):
            if ".migrations" in info.name or ".management" in info.name:
                continue
            module = importlib.import_module(info.name)
            for _name, obj in inspect.getmembers(module, inspect.isclass):
                if issubclass(obj, forms.BaseForm) and obj.__module__.startswith(config.name):
                    if obj not in seen:
                        seen.add(obj)
                        yield obj


def test_no_form_accepts_an_email_longer_than_the_columns_hold():
    checked = 0
    for form_class in _form_classes():
        for name, field in form_class.base_fields.items():
            if isinstance(field, forms.EmailField):
                checked += 1
                assert isinstance(field, EmailFormField), f"{form_class.__name__}.{name}"
                assert field.max_length <= EMAIL_MAX_LENGTH, f"{form_class.__name__}.{name}"
    assert checked >= 5  # login, registration, checkout, contact, confirmation request …


def _lists_with_actions():
    from shop.admin import backoffice

    for model, model_admin in backoffice._registry.items():
        if model_admin.actions:
            yield pytest.param(model, id=model._meta.label_lower)


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(_lists_with_actions()))
def test_an_action_on_rows_that_are_no_rows_is_refused_not_a_500(staff, model):
    """A crafted selection (``_selected_action=abc``) on every backoffice list with actions:
    Django filtered on it and answered with a 500 page (an audit, the orders list)."""
    from django.contrib.admin import helpers

    from shop.admin import backoffice

    model_admin = backoffice._registry[model]
    client = Client(raise_request_exception=False)
    client.force_login(staff)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    request = RequestFactory().get(url)
    request.user = staff
    actions = [name for name in model_admin.get_actions(request) if name != "delete_selected"]
    action = actions[0] if actions else "delete_selected"
    response = client.post(
        url, {"action": action, helpers.ACTION_CHECKBOX_NAME: ["abc"], "index": "0"}
    )
    assert response.status_code < 500, (model, action, response.status_code)
