"""The storefront checkout form as a browser posts it: the one helper for tests that order
through the page (tests that need no page use the ``checkout_data``/``make_order`` fixtures)."""

import uuid

from django.urls import reverse


def checkout_post(shipping_method, payment_method, /, **overrides):
    """A complete checkout POST: guest, goods go to the billing address, terms accepted (and
    the consent to the early delivery of downloads given),
    with the one-time token of a page of its own (each call: another page view).

    The methods are model instances or ids (an override may replace them, e.g. with an
    invalid id); an override of ``None`` leaves that field out.
    """
    data = {
        "email": "erika@example.com",
        "phone": "",
        "billing_first_name": "Erika",
        "billing_last_name": "Mustermann",
        "billing_company": "",
        "billing_street": "Musterstraße 1",
        "billing_postcode": "10115",
        "billing_city": "Berlin",
        "billing_country": "DE",
        "ship_to_billing": "on",
        "shipping_country": "DE",
        "shipping_method": getattr(shipping_method, "pk", shipping_method),
        "payment_method": getattr(payment_method, "pk", payment_method),
        "voucher_code": "",
        "giftcard_number": "",
        "customer_note": "",
        "accept_terms": "on",
        # the downloads' consent (the page asks only a cart with downloads: else ignored)
        "digital_consent": "on",
        "checkout_token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def add_to_cart(client, product, quantity=1):
    response = client.post(reverse("shop:cart_add"), {"product": product.pk, "quantity": quantity})
    assert response.status_code == 302
    return response


def checkout_through_page(client, product, shipping_method, payment_method, /, **overrides):
    """Put one ``product`` in the cart and post the checkout form; returns the response."""
    add_to_cart(client, product)
    return client.post(
        reverse("orders:checkout"), checkout_post(shipping_method, payment_method, **overrides)
    )
