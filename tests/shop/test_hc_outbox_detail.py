"""One outbox e-mail in the backoffice: a read-only page for every role that may see the
outbox — titled as what it is, without Save buttons (nothing on it can be changed), the
recipients and attachments as names instead of JSON, the HTML e-mail shown as the customer
sees it in a sandboxed frame, links that work as keys still hidden."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from shop.models import OutboxEmail
from tests.factories import RoleUserFactory

pytestmark = pytest.mark.django_db


def visible(html):
    html = html[html.index('<div id="content"') : html.index("<footer")]
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.parametrize("role", ["Order clerk", "Shop manager"])
def test_an_outbox_email_is_a_clean_read_only_page(client, make_order, role):
    order = make_order()
    email = OutboxEmail.objects.get(template="order_confirmation")
    client.force_login(RoleUserFactory(role=role))
    url = reverse("admin:shop_outboxemail_change", args=[email.pk])
    html = client.get(url).content.decode()
    text = visible(html)
    assert re.search(r"<h1>Outgoing e-mail</h1>", html)
    assert "Change outgoing e-mail" not in html and "View outgoing e-mail" not in html
    assert 'name="_save"' not in html and 'name="_continue"' not in html
    assert "To: erika@example.com" in text and "[&quot;" not in html and '["' not in text
    assert f"withdrawal-information-{order.number}.pdf" in text
    assert "generator" not in text and "mimetype" not in text
    assert f"Your order {order.number}" in text
    # the HTML e-mail in a frame that runs nothing; the guest link still hidden in it
    frame = re.search(r'<iframe sandbox="" srcdoc="([^"]*)"', html)
    assert frame and "&lt;table" in frame.group(1)
    assert "[hidden]" in frame.group(1) and "/order-status/" in frame.group(1)
    assert order.number in frame.group(1)
    # nothing can be saved from it, by any role
    assert client.post(url, {"subject": "changed"}).status_code == 403
    email.refresh_from_db()
    assert email.subject != "changed"


def test_the_outbox_email_page_is_titled_in_the_staff_language(client, make_order):
    make_order()
    email = OutboxEmail.objects.get(template="order_confirmation")
    client.force_login(RoleUserFactory(role="Order clerk", language="de"))
    with translation.override("de"):
        html = client.get(
            reverse("admin:shop_outboxemail_change", args=[email.pk]),
            HTTP_ACCEPT_LANGUAGE="de",
        ).content.decode()
    title = re.search(r"<h1>(.*?)</h1>", html).group(1)
    assert title[0].isupper() and "outgoing" not in title.lower()
