"""Registering on the storefront as a customer does: the form, then the link of the
confirmation e-mail with the password chosen (``customers.confirmation``)."""

from django.conf import settings
from django.urls import reverse

from shop.models import OutboxEmail

PASSWORD = "a-long-Pass-2026"


def register(client, email, password=PASSWORD, **fields):
    """Post the registration form; returns the response (a redirect to the login page)."""
    data = {"first_name": "New", "last_name": "Customer", "company": "", "phone": ""}
    data.update(fields, email=email, password1=password, password2=password)
    return client.post(reverse("customers:register"), data)


def confirmation_path(email):
    """The link of the newest confirmation e-mail to ``email``, as a path."""
    mail = OutboxEmail.objects.filter(template="customer_confirm", to=[email]).latest("pk")
    url = next(line for line in mail.body_text.splitlines() if "/account/confirm/" in line)
    return url.strip().removeprefix(settings.SITE_URL)


def register_and_confirm(client, email, password=PASSWORD, **fields):
    """Register and open the link with the password: ``client`` is logged in afterwards."""
    register(client, email, password, **fields)
    return client.post(confirmation_path(email.strip().lower()), {"password": password})
