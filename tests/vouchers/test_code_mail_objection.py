"""The right to object to e-mails about discount codes (§ 7 Abs. 3 UWG): every code e-mail
says so and carries a signed unsubscribe link; an objection stops the e-mails (the codes are
still assigned), the backoffice and the command say how many were not e-mailed; the account
page switches it; erasure and the privacy registry know the objections."""

import re
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from customers import services as customer_services
from shop import mail, personal_data
from shop.mail import written
from shop.models import OutboxEmail, ShopSettings
from tests.factories import ProductFactory, UserFactory
from vouchers import jobs, services
from vouchers.admin.jobs import result_text
from vouchers.models import CodeJob, CodeMailOptOut

from .factories import CampaignFactory, CodeFactory

pytestmark = pytest.mark.django_db

OBJECTION = (
    "You can object to these e-mails about discount codes at any time, at no cost other than "
    "the transmission costs at the basic rates."
)
LINK = re.compile(r"/(?:[a-z]{2}/)?codes/unsubscribe/[^\s/\"]+/")


@pytest.fixture
def campaign():
    campaign = CampaignFactory(name="Thank you", kind="assigned")
    for i in range(4):
        CodeFactory(campaign=campaign, text=f"THANKS{i}")
    return campaign


@pytest.fixture
def buyers(make_order):
    """Three customers with one order each (the tests say who objected)."""
    product = ProductFactory(price=Decimal("30.00"))
    people = {
        "anna": UserFactory(email="anna@example.com", language="de"),
        "ben": UserFactory(email="ben@example.com"),
        "cleo": UserFactory(email="cleo@example.com", language="de"),
    }
    for person in people.values():
        make_order({product.pk: 1}, customer=person)
    return people


def code_mails():
    return {m.to[0]: written(m) for m in OutboxEmail.objects.filter(template="voucher_assigned")}


def test_every_code_mail_says_the_customer_can_object_and_links_the_objection(campaign, buyers):
    cleo = buyers["cleo"]
    dan = UserFactory(email="dan@example.com", language="en")
    codes = list(campaign.codes.all())
    with translation.override("pl"):  # the operator's language does not matter
        services.assign_code(codes[0], cleo.email, notify=True)
        services.assign_code(codes[1], dan.email, notify=True)
    mails = code_mails()
    german, english = mails["cleo@example.com"], mails["dan@example.com"]
    link = LINK.search(german.body_text).group(0)
    assert link.startswith("/de/")  # the page opens in the customer's language
    assert "cleo" not in link.lower() and "example" not in link  # no address in the URL
    assert f'href="{settings.SITE_URL}{link}"' in german.body_html
    assert OBJECTION in english.body_text and OBJECTION in english.body_html
    assert LINK.search(english.body_html)
    # the plain text signs off like the other e-mails (the shop's name and address, its link)
    shop = ShopSettings.load()
    lines = english.body_text.rstrip().splitlines()
    assert lines[-2] == f"{shop.shop_name} · {shop.contact_email}"
    assert lines[-1] == settings.SITE_URL + "/"
    # the link is a secret where the backoffice shows the outbox
    assert "vouchers:unsubscribe" in mail.secret_url_names()
    assert link not in mail.without_secret_links(german.body_text)


def test_the_link_confirms_with_a_button_and_a_get_changes_nothing(campaign, buyers, client):
    cleo = buyers["cleo"]
    services.assign_code(campaign.codes.first(), cleo.email, notify=True)
    link = LINK.search(code_mails()["cleo@example.com"].body_text).group(0)
    page = client.get(link)
    assert page.status_code == 200
    assert "cleo@example.com" in page.content.decode() and 'method="post"' in page.content.decode()
    assert not CodeMailOptOut.objects.exists()  # mail scanners follow links
    done = client.post(link)
    # the page in cleo's language (German) confirms it
    assert done.status_code == 200 and 'class="msg success"' in done.content.decode()
    assert list(CodeMailOptOut.objects.values_list("email", flat=True)) == ["cleo@example.com"]
    client.post(link)  # twice: still one objection
    assert CodeMailOptOut.objects.count() == 1
    assert client.get(link[:-3] + "XX/").status_code == 404
    assert client.post(link[:-3] + "XX/").status_code == 404


def test_bulk_assignment_skips_those_who_objected_and_says_how_many(campaign, buyers):
    services.object_to_code_mails("ANNA@example.com")
    services.object_to_code_mails("ben@example.com")
    err = StringIO()
    out = StringIO()
    call_command(
        "assign_codes", "Thank you", "--min-orders", "1", "--notify", stdout=out, stderr=err
    )
    assert out.getvalue().strip() == "3"  # everyone got a code …
    assert campaign.codes.filter(assigned_to__isnull=False).count() == 3
    assert set(code_mails()) == {"cleo@example.com"}  # … only cleo an e-mail
    assert "2 not e-mailed" in err.getvalue()


def test_the_backoffice_job_reports_the_customers_not_e_mailed(campaign, buyers):
    services.object_to_code_mails("anna@example.com")
    job = CodeJob.objects.create(
        kind=CodeJob.Kind.ASSIGN,
        campaign=campaign,
        params={"criteria": services.Criteria(min_orders=1).as_dict(), "notify": True},
    )
    assert jobs.run_job(job.pk) == CodeJob.Status.DONE
    job.refresh_from_db()
    assert job.result == 3 and job.not_emailed == 1
    assert result_text(job) == (
        "3 codes assigned. 1 customer was not e-mailed: they objected to e-mails about "
        "discount codes (the code is in their account)."
    )
    assert set(code_mails()) == {"ben@example.com", "cleo@example.com"}


def test_giving_one_code_does_not_mail_a_customer_who_objected(campaign, buyers, admin_client):
    services.object_to_code_mails("anna@example.com")
    code = campaign.codes.first()
    response = admin_client.post(
        reverse("admin:vouchers_code_assign", args=[code.pk]),
        {"email": "anna@example.com", "notify": "on"},
        follow=True,
    )
    code.refresh_from_db()
    assert code.assigned_to == buyers["anna"]
    assert not OutboxEmail.objects.filter(template="voucher_assigned").exists()
    page = response.content.decode()
    assert "No e-mail was sent: the customer objected" in page
    assert "The e-mail is on its way." not in page


def test_the_account_page_switches_code_mails_off_and_on(client, buyers, campaign):
    ben = buyers["ben"]
    client.force_login(ben)
    page = client.get(reverse("vouchers:account_codes")).content.decode()
    assert "Stop these e-mails" in page and reverse("vouchers:code_mails") in page
    client.post(reverse("vouchers:code_mails"))
    assert CodeMailOptOut.objects.filter(email="ben@example.com").exists()
    page = client.get(reverse("vouchers:account_codes")).content.decode()
    assert "You receive no e-mails about discount codes." in page and "Allow them again" in page
    services.assign_code(campaign.codes.first(), ben.email, notify=True)
    assert not code_mails()
    client.post(reverse("vouchers:code_mails"), {"allow": "1"})
    assert not CodeMailOptOut.objects.exists()
    assert client.get(reverse("vouchers:code_mails")).status_code == 405


def test_erasure_deletes_the_objection_and_the_registry_lists_it(buyers):
    declared = personal_data.source("vouchers.codemailoptout")
    assert declared is not None and declared.email_fields == ("email",)
    assert declared.purpose == personal_data.MARKETING
    services.object_to_code_mails("anna@example.com")
    services.object_to_code_mails("anna.old@example.com")
    customer_services.delete_customer(buyers["anna"])
    assert not CodeMailOptOut.objects.filter(email="anna@example.com").exists()
    # a guest erased by e-mail (an address no account has any more)
    customer_services.delete_guest("Anna.Old@example.com")
    assert not CodeMailOptOut.objects.exists()


def test_an_objection_outlives_a_change_of_the_account_address(campaign, buyers):
    anna = buyers["anna"]
    services.object_to_code_mails(anna.email)
    anna.previous_emails = [anna.email]
    anna.email = "anna.new@example.com"
    anna.save(update_fields=["email", "previous_emails"])
    call_command(
        "assign_codes",
        "Thank you",
        "--min-orders",
        "1",
        "--notify",
        stdout=StringIO(),
        stderr=StringIO(),
    )
    assert "anna.new@example.com" not in code_mails()
    assert services.objects_to_code_mails(anna)
    services.allow_code_mails(anna)  # lifted under every address of the account
    assert not services.objects_to_code_mails(anna)
