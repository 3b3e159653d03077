"""Every integer input of the shop reads a whole number as people type one (shop.fields).

Django's ``forms.IntegerField`` goes through Python's ``int()``: "1_0" was read as 10 (and
"٣" as 3, "1.000" as 1) in every backoffice form of an integer column — stock, positions,
days, limits — in the custom forms (points, codes, cards) and in the quantities the order
pages post to the services (ship, credit note, return). The checks below walk every
registered ModelAdmin and every form class of the shop's apps, so a new one is covered —
their decimal inputs too (shop.money.LocalDecimalField refuses "1_0" already)."""

import importlib
import pkgutil
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.test import RequestFactory
from django.urls import reverse

from orders import services
from orders.aftersales import Return, Withdrawal
from orders.models import CreditNote, Shipment
from shop.admin import backoffice
from shop.fields import WholeNumberField, parse_whole_number
from tests.factories import ProductFactory
from tests.formtokens import fresh

from ..orders.factories import ship_all

pytestmark = pytest.mark.django_db

APPS = ["shop", "customers", "orders", "vouchers", "giftcards", "helpdesk", "reviews", "privacy"]
ROOT = Path(__file__).resolve().parents[2]
ODD = ["1_0", "1.000", "1,5", "1e1", "10.0", "\u0663", "\uff13", "²", "0x1", "١٠"]


@pytest.mark.parametrize(
    "typed, number", [("10", 10), (" 7 ", 7), ("+3", 3), ("-40", -40), ("0", 0), (5, 5)]
)
def test_a_whole_number_is_read(typed, number):
    assert parse_whole_number(typed) == number
    assert WholeNumberField(required=False).clean(typed) == number


@pytest.mark.parametrize("typed", [*ODD, "", "-", "1 0", True, 1.5, Decimal("NaN")])
def test_what_int_reads_besides_is_no_whole_number(typed):
    with pytest.raises(ValueError):
        parse_whole_number(typed)


@pytest.mark.parametrize("typed", ODD)
def test_the_field_refuses_it_with_djangos_message(typed):
    with pytest.raises(ValidationError) as excinfo:
        WholeNumberField(required=False).clean(typed)
    assert excinfo.value.messages == ["Enter a whole number."]


def _refuses(field):
    """``field`` refuses "1_0": an integer field with Django's "Enter a whole number.", a
    decimal one (Django's DecimalField is an IntegerField) with its own message."""
    try:
        field.clean("1_0")
    except ValidationError as error:
        return isinstance(field, forms.DecimalField) or error.messages == ["Enter a whole number."]
    return False


def _request(user):
    request = RequestFactory().get("/backoffice/")
    request.user = user
    return request


def test_every_backoffice_integer_column_refuses_1_0(staff):
    """Each registered ModelAdmin (and its inlines) builds the form field of each editable
    integer column of its model, as its add and change pages and list do."""
    request = _request(staff)
    checked, accepted = set(), []
    for model_admin in backoffice._registry.values():
        admins = [model_admin] + [
            inline(inline.model, backoffice) for inline in model_admin.inlines
        ]
        for each in admins:
            for db_field in each.model._meta.get_fields():
                if not isinstance(db_field, models.IntegerField) or db_field.auto_created:
                    continue
                field = each.formfield_for_dbfield(db_field, request)
                if field is None or not isinstance(field, forms.IntegerField):
                    continue  # not editable, a choice, a primary key
                checked.add(f"{each.model._meta.label}.{db_field.name}")
                if not _refuses(field):
                    accepted.append(f"{each.model._meta.label}.{db_field.name}")
    assert not accepted, accepted
    assert {
        "shop.Product.stock",
        "shop.Category.position",
        "shop.ShopSettings.download_max_count",
        "shop.ProductImage.position",  # an inline
        "vouchers.Campaign.per_customer_limit",
        "helpdesk.ContactTopic.sla_hours",
    } <= checked, sorted(checked)


def test_every_backoffice_add_form_refuses_1_0(staff):
    """The forms as the admin builds them, with their declared fields (a ModelAdmin's own
    ``form`` may declare an integer field the column walk above does not see)."""
    request = _request(staff)
    accepted, seen = [], 0
    for model, model_admin in backoffice._registry.items():
        if not model._meta.managed or not model_admin.has_add_permission(request):
            continue
        form = model_admin.get_form(request)
        for name, field in form.base_fields.items():
            if isinstance(field, forms.IntegerField):
                seen += 1
                if not _refuses(field):
                    accepted.append(f"{model._meta.label}.{name}")
    assert not accepted, accepted
    assert seen > 10


def _form_classes():
    for app in APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if any(part in module.name for part in (".migrations", ".management", "demo")):
                continue
            importlib.import_module(module.name)
    stack, found = [forms.BaseForm], set()
    while stack:
        for cls in stack.pop().__subclasses__():
            stack.append(cls)
            if cls.__module__.split(".")[0] in APPS:
                found.add(cls)
    return found


def test_every_form_class_of_the_shop_refuses_1_0():
    # A ModelAdmin's form is rebuilt by the admin (the walks above): its own fields count.
    admin_forms = {
        getattr(each, attribute, None)
        for model_admin in backoffice._registry.values()
        for each in [model_admin, *model_admin.inlines]
        for attribute in ("form", "add_form")
    }
    accepted, seen = [], set()
    for cls in _form_classes():
        fields = cls.declared_fields if cls in admin_forms else cls.base_fields
        for name, field in fields.items():
            if isinstance(field, forms.IntegerField):
                seen.add(f"{cls.__module__}.{cls.__name__}.{name}")
                if not _refuses(field):
                    accepted.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert not accepted, accepted
    assert {
        "customers.forms.PointsAdjustmentForm.points",
        "vouchers.forms.GenerateCodesForm.count",
        "giftcards.forms.IssueCardsForm.count",
    } <= seen, sorted(seen)


def test_no_form_builds_a_plain_integer_field():
    """Fields added in ``__init__`` (the withdrawal form's quantity per line) are in no class:
    the code may not name Django's field except through shop.fields."""
    plain = re.compile(r"\bforms\.IntegerField\(|from django\.forms import [^\n]*\bIntegerField\b")
    found = [
        str(path.relative_to(ROOT))
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts and plain.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


# --- the storefront ------------------------------------------------------------------------


def test_the_withdrawal_form_refuses_a_quantity_of_1_0(client, make_order, customer):
    lamp = ProductFactory(name="Lamp", price=Decimal("30.00"))
    order = make_order(items={lamp.pk: 2}, customer=customer, email=customer.email)
    services.create_invoice(order)
    services.create_shipment(order, ship_all(order))
    line = order.lines.get()
    client.force_login(customer)
    url = reverse("orders:withdraw") + f"?order={order.number}"
    data = {"name": "Erika Mustermann", "email": customer.email, "reason": "", "confirm": ""}
    response = client.post(url, {**data, f"qty_{line.pk}": "1_0"})
    assert response.context["form"].errors[f"qty_{line.pk}"] == ["Enter a whole number."]
    assert not Withdrawal.objects.exists()


def test_the_cart_refuses_a_quantity_of_1_0(client):
    product = ProductFactory(price=Decimal("5.00"))
    client.post(reverse("shop:cart_add"), {"product": product.pk, "quantity": "1_0"})
    assert not client.session.get("cart")


# --- quantities the backoffice's order pages post to the services --------------------------


@pytest.mark.parametrize("typed", ["1_0", "1.000", "\u0663"])
def test_the_order_services_refuse_a_typed_quantity_that_is_no_whole_number(make_order, typed):
    product = ProductFactory(price=Decimal("5.00"))
    order = make_order(items={product.pk: 12})
    services.create_invoice(order)
    line = order.lines.get()
    with pytest.raises(services.OrderError, match="Quantities must be whole numbers"):
        services.create_shipment(order, {line.pk: typed})
    assert not Shipment.objects.exists()
    services.create_shipment(order, {line.pk: "12"})
    with pytest.raises(services.OrderError, match="Quantities must be whole numbers"):
        services.create_return(order, {line.pk: typed}, reason=Return.Reason.values[0])
    with pytest.raises(services.OrderError, match="Quantities must be whole numbers"):
        services.create_credit_note(order, {line.pk: typed})
    assert not Return.objects.exists() and not CreditNote.objects.exists()


def test_the_ship_page_refuses_1_0_and_ships_nothing(admin_client, make_order):
    product = ProductFactory(price=Decimal("5.00"))
    order = make_order(items={product.pk: 12})
    line = order.lines.get()
    url = reverse("admin:orders_order_ship", args=[order.pk])
    response = admin_client.post(url, fresh({f"qty_{line.pk}": "1_0"}), follow=True)
    assert "Quantities must be whole numbers." in response.content.decode()
    assert not Shipment.objects.exists()
