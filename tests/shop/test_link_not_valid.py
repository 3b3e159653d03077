"""A link the shop e-mailed that is tampered with or expired answers 404 with a page that
says so — in the visitor's language — not the generic "Page not found"."""

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

LINKS = [
    "/de/reviews/confirm/nonsense:1a2b/",
    "/de/reviews/r/nonsense:1a2b/",
    "/de/reviews/unsubscribe/nonsense:1a2b/",
    "/de/helpdesk/t/nonsense:1a2b/",
]


@override_settings(DEBUG=False)
@pytest.mark.parametrize("path", LINKS)
def test_a_broken_emailed_link_says_so(client, path):
    response = client.get(path)
    page = response.content.decode()
    assert response.status_code == 404
    assert "Dieser Link ist nicht mehr gültig." in page
    assert "Seite nicht gefunden" not in page
    assert "/de/contact/" in page  # the way to help


@override_settings(DEBUG=False)
def test_a_mistyped_address_is_still_page_not_found(client):
    response = client.get("/de/products/no-such-product-xyz/")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.content.decode()


def test_the_error_summary_does_not_put_a_colon_after_a_full_stop():
    from django import forms
    from django.template.loader import render_to_string

    class Consent(forms.Form):
        sure = forms.BooleanField(label="I understand that my account is deleted.")

    html = render_to_string("_error_summary.html", {"form": Consent({})})
    assert "I understand that my account is deleted: This field is required." in html
