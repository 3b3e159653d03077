"""A new shop cannot go live with the demo company's data or without its legal texts: the
"Before you go live" checklist (shop.readiness), the production checkout that refuses orders
while it is not empty, a sole trader's seller details, the start page's honest promises and a
seed_demo that keeps its public password away from production."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from pypdf import PdfReader

from orders import einvoice, pdf, services
from shop import readiness
from shop.exceptions import DomainError
from shop.models import PaymentMethod, ShippingMethod, ShopSettings
from tests.factories import PaymentMethodFactory, RoleUserFactory
from tests.shop.test_settings_admin import settings_page_post

pytestmark = pytest.mark.django_db

START = reverse("admin:index")


def a_real_shop():
    """The settings as a real seller fills them in: own company, own bank, legal texts."""
    shop = ShopSettings.load()
    shop.legal_name = "Fjordkram e.K."
    shop.street = "Am Deich 3"
    shop.vat_id = "DE136695976"
    shop.commercial_register = "Amtsgericht Kiel HRA 4711"
    shop.managing_director = "Jens Petersen"
    shop.iban = "DE02120300000000202051"
    shop.contact_email = "hallo@fjordkram.example"
    shop.phone = "+49 431 998877"
    shop.terms_en = "Terms\nWe sell to you."
    shop.privacy_notice_de = "Datenschutz\nWir speichern nur, was nötig ist."
    shop.save()
    return ShopSettings.load()


def keys(shop=None):
    return [key for key, _message, _url in readiness.problems(shop)]


# ------------------------------------------------------------------------------ 1. problems


def test_an_empty_database_lists_every_problem_of_a_demo_shop():
    assert keys() == ["demo_seller", "terms", "privacy", "payment", "shipping"]
    message = readiness.problems()[0][1]
    for name in ("legal name", "VAT ID", "IBAN", "contact e-mail", "managing director"):
        assert name in message


def test_a_shop_with_its_own_data_texts_and_methods_is_ready(shipping, card_payment):
    assert readiness.problems(a_real_shop()) == []


def test_one_demo_value_left_is_named(shipping, card_payment):
    shop = a_real_shop()
    shop.iban = ShopSettings._meta.get_field("iban").get_default()
    shop.save()
    [(key, message, url)] = readiness.problems()
    assert key == "demo_seller" and "IBAN" in message and "legal name" not in message
    assert url == reverse("admin:shop_shopsettings_change", args=[1])


def test_a_legal_text_in_any_one_language_is_enough(shipping, card_payment):
    shop = a_real_shop()
    shop.terms_en = ""
    shop.save()
    assert keys() == ["terms"]
    shop.terms_da = "Vilkår"
    shop.save()
    assert keys() == []


def test_neither_vat_id_nor_tax_number_is_a_problem(shipping, card_payment):
    # The database refuses such a row (shopsettings_vat_id_or_tax_number): asked of settings
    # being edited, before they are saved.
    shop = a_real_shop()
    shop.vat_id = shop.tax_number = ""
    assert keys(shop) == ["tax_registration"]
    shop.tax_number = "19/123/45678"
    assert keys(shop) == []


@pytest.mark.parametrize("kind", ["prepayment", "invoice"])
def test_no_iban_is_a_problem_only_while_customers_pay_by_transfer(shipping, card_payment, kind):
    a_real_shop()
    ShopSettings.objects.update(iban="")
    assert keys() == []
    transfer = PaymentMethodFactory(code=kind, name=kind, kind=kind)
    assert keys() == ["iban"]
    PaymentMethod.objects.filter(pk=transfer.pk).update(is_active=False)
    assert keys() == []


def test_no_enabled_payment_or_shipping_method_is_a_problem(shipping, card_payment):
    a_real_shop()
    PaymentMethod.objects.update(is_active=False)
    ShippingMethod.objects.update(is_active=False)
    found = readiness.problems()
    assert [key for key, _m, _u in found] == ["payment", "shipping"]
    assert found[0][2] == reverse("admin:shop_paymentmethod_changelist")
    assert found[1][2] == reverse("admin:shop_shippingmethod_changelist")


def test_the_check_costs_a_fixed_number_of_small_queries(
    shipping, card_payment, django_assert_max_num_queries
):
    # Within a test's transaction nothing is kept per process (shop.pagecache.kept): the
    # storefront version and one read each of the settings row, the payment and the shipping
    # methods, however many there are (a storefront request reads the version once).
    ShopSettings.load()
    for code in ("a", "b", "c"):
        PaymentMethodFactory(code=code, name=code, kind="prepayment")
    with django_assert_max_num_queries(6):
        readiness.problems()


# ---------------------------------------------------------------------------- 2. start page


def box(response):
    return next((f for f in response.context["figures"] if f["widget"].key == "shop.go_live"), None)


def test_the_start_page_lists_the_problems_with_links_for_the_manager(admin_client):
    response = admin_client.get(START)
    shown = box(response)
    assert shown is not None
    page = response.content.decode()
    assert "Before you go live" in page
    assert "The terms and conditions are empty." in page
    assert f'href="{reverse("admin:shop_paymentmethod_changelist")}"' in page
    for problem in shown["data"]["problems"]:
        assert admin_client.get(problem["url"]).status_code == 200


def test_the_box_is_gone_as_soon_as_everything_is_fixed(admin_client, shipping, card_payment):
    assert box(admin_client.get(START)) is not None
    a_real_shop()
    response = admin_client.get(START)  # within the figures' minute: the box is not cached
    assert box(response) is None
    assert "Before you go live" not in response.content.decode()


def test_only_who_may_change_the_settings_sees_the_box(client):
    client.force_login(RoleUserFactory(role="Order clerk"))
    response = client.get(START)
    assert response.status_code == 200
    assert box(response) is None
    assert "Before you go live" not in response.content.decode()


# ------------------------------------------------------------------- 3. production checkout


def test_production_checkout_shows_that_the_shop_is_not_open(client, settings, product):
    settings.SHOP_ENV = "production"
    client.post(reverse("shop:cart_add"), {"product": product.pk, "quantity": 1})
    response = client.get(reverse("orders:checkout"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "This shop is not open for orders yet." in page
    assert 'name="email"' not in page


def test_production_place_order_refuses_while_problems_exist(settings, make_order):
    settings.SHOP_ENV = "production"
    with pytest.raises(DomainError, match="not open for orders"):
        make_order()
    from orders.models import Order

    assert not Order.objects.exists()


def test_production_takes_orders_once_the_shop_is_ready(settings, make_order):
    a_real_shop()
    settings.SHOP_ENV = "production"
    assert make_order().pk
    assert readiness.closed_checkout(RequestFactory().get("/checkout/")) is None


def test_development_takes_orders_with_the_demo_data(client, make_order, product):
    assert readiness.problems()
    assert make_order().pk
    client.post(reverse("shop:cart_add"), {"product": product.pk, "quantity": 1})
    page = client.get(reverse("orders:checkout")).content.decode()
    assert "This shop is not open for orders yet." not in page


# ------------------------------------------------------------------------ 4. a sole trader


def test_a_sole_trader_saves_the_settings_with_a_tax_number_only(admin_client):
    response = settings_page_post(
        admin_client,
        vat_id="",
        commercial_register="",
        managing_director="",
        tax_number="19/123/45678",
    )
    assert response.status_code == 302
    shop = ShopSettings.objects.get()
    assert (shop.vat_id, shop.commercial_register, shop.managing_director) == ("", "", "")


def test_the_settings_form_wants_a_vat_id_or_a_tax_number(admin_client):
    response = settings_page_post(admin_client, vat_id="", tax_number="")
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "VAT ID or the tax number" in str(errors["vat_id"])
    assert ShopSettings.objects.get().vat_id == "DE123456788"


@pytest.fixture
def sole_trader():
    shop = ShopSettings.load()
    shop.vat_id = ""
    shop.commercial_register = ""
    shop.managing_director = ""
    shop.tax_number = "19/123/45678"
    shop.save()


def pdf_text(data):
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


def test_the_invoice_of_a_sole_trader_prints_only_what_is_filled(
    sole_trader, make_order, invoice_payment
):
    invoice = services.create_invoice(make_order(payment_method_id=invoice_payment.pk))
    text = pdf_text(pdf.invoice_pdf_bytes(invoice.pk))
    assert "Managing director" not in text
    assert "HRB" not in text and " ·  · " not in text
    assert "19/123/45678" in text


def test_the_imprint_of_a_sole_trader_prints_only_what_is_filled(sole_trader, client):
    page = client.get(reverse("shop:imprint")).content.decode()
    assert "Managing director" not in page and "Commercial register" not in page
    assert "VAT ID" not in page


def test_the_e_invoice_of_a_sole_trader_names_the_tax_number(
    sole_trader, make_order, invoice_payment
):
    invoice = services.create_invoice(make_order(payment_method_id=invoice_payment.pk))
    xml = einvoice.invoice_xml(invoice).decode()
    assert 'schemeID="FC">19/123/45678<' in xml


# ------------------------------------------------------------------------------ 5. home page


def home(**context):
    return render_to_string(
        "shop/home.html",
        {"products": [], "categories": [], "free_shipping": None, **context},
        request=RequestFactory().get("/"),
    )


def test_the_home_page_names_the_enabled_payment_methods(card_payment, invoice_payment):
    page = home(payment_methods=PaymentMethod.active_rows())
    assert "Ways to pay: Credit card, Pay on invoice" in page
    assert "Pay by card, bank transfer or invoice" not in page
    assert "two working days" not in page


def test_the_home_page_promises_no_payment_method_while_none_is_known(client):
    page = client.get(reverse("shop:home")).content.decode()
    assert "Pay by card, bank transfer or invoice" not in page
    assert "two working days" not in page


# ------------------------------------------------------------------------------ 6. seed_demo


def test_seed_demo_refuses_a_production_stack(settings):
    settings.SHOP_ENV = "production"
    with pytest.raises(CommandError, match="--allow-production"):
        call_command("seed_demo", "--no-mail")
    from customers.models import User

    assert not User.objects.exists()


def test_seed_demo_places_its_orders_on_an_allowed_production_stack(settings, make_order):
    settings.SHOP_ENV = "production"
    with readiness.demo_orders_allowed():
        assert make_order().pk  # what seed_demo --allow-production does with its history
    with pytest.raises(DomainError):
        make_order()


def test_the_e_invoice_of_a_sole_trader_is_valid(sole_trader, make_order, invoice_payment):
    from tests.einvoice import validate as validator

    invoice = services.create_invoice(make_order(payment_method_id=invoice_payment.pk))
    ok, problems = validator.validate(pdf.render_invoice(invoice))
    assert ok, problems


def test_the_database_refuses_settings_without_vat_id_and_tax_number(db):
    from django.db import IntegrityError, transaction

    from shop.models import ShopSettings

    ShopSettings.load()
    with pytest.raises(IntegrityError), transaction.atomic():
        ShopSettings.objects.filter(pk=1).update(vat_id="", tax_number="")
