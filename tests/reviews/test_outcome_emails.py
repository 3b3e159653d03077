"""The author hears how moderation decided: "your review is online" once, at the first
publication; "not published" when rejected (with staff's reason, if given), also shown next to
the review's status on the product page. Through the outbox, after commit, in the author's
language; nobody is e-mailed about an anonymised review or one without an address."""

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone, translation

from reviews import services
from reviews.models import Review, ReviewRequest
from shop.models import OutboxEmail
from tests.factories import ProductFactory, UserFactory
from tests.pages import ok_page

from .factories import ReviewFactory

pytestmark = pytest.mark.django_db


def mails(template):
    return list(OutboxEmail.objects.filter(template=template).order_by("pk"))


def customer_review(language="en", **fields):
    customer = UserFactory(email="ida@example.com", first_name="Ida", language=language)
    product = fields.pop("product", None) or ProductFactory(name="Teapot")
    return ReviewFactory(product=product, customer=customer, email=customer.email, **fields)


def test_first_publication_emails_the_author_once_with_the_product_link(staff):
    review = customer_review(language="pl")
    services.activate(review, staff)
    (mail,) = mails("review_published")
    assert mail.to == ["ida@example.com"]
    assert "Teapot" in mail.subject
    with translation.override("pl"):
        link = review.product.get_absolute_url()
    assert link.startswith("/pl/") and f"{link}#reviews" in mail.body_text  # her language
    assert "Cześć Ida," in mail.body_text
    review.refresh_from_db()
    assert review.published_at is not None
    # Switching it off and on again tells nobody anything new.
    services.deactivate(review, staff)
    services.activate(review, staff)
    services.activate_many(Review.objects.all(), staff)
    assert len(mails("review_published")) == 1
    assert not mails("review_rejected")


def test_rejection_emails_the_reason_stores_it_and_the_author_sees_it(client, staff):
    review = customer_review(text="Meh.")
    services.deactivate(review, staff, reason="  Please describe the product, not the parcel.  ")
    review.refresh_from_db()
    assert review.moderated and not review.active
    assert review.rejection_reason == "Please describe the product, not the parcel."
    (mail,) = mails("review_rejected")
    assert mail.to == ["ida@example.com"]
    assert "not published" in mail.subject and "Teapot" in mail.subject
    assert "We have decided not to publish it." in mail.body_text
    assert "Please describe the product, not the parcel." in mail.body_text
    assert "Meh." in mail.body_text
    client.force_login(review.customer)
    page = ok_page(client, review.product.get_absolute_url())
    assert "Not published" in page
    assert "Please describe the product, not the parcel." in page
    # Published later after all: the first publication, and the reason is gone.
    services.activate(review, staff)
    review.refresh_from_db()
    assert review.rejection_reason == "" and len(mails("review_published")) == 1


def test_rejection_without_reason_still_tells_the_author(staff):
    review = customer_review()
    services.deactivate(review, staff)
    (mail,) = mails("review_rejected")
    assert "Reason" not in mail.body_text


def test_hiding_a_published_review_emails_only_with_a_reason(staff):
    review = customer_review()
    services.activate(review, staff)
    services.deactivate(review, staff)  # a toggle: nothing to tell
    assert not mails("review_rejected")
    services.activate(review, staff)
    services.deactivate(review, staff, reason="It names a staff member.")
    (mail,) = mails("review_rejected")
    assert "taken your review of Teapot off the product page" in mail.body_text
    assert "It names a staff member." in mail.body_text


def test_guest_author_is_told_at_the_confirmed_address_in_the_review_language(staff):
    review = ReviewFactory(email="gast@example.org", language="de", author_name="Gustav")
    services.activate(review, staff)
    (mail,) = mails("review_published")
    assert mail.to == ["gast@example.org"] and "Hallo Gustav," in mail.body_text


def test_review_request_author_is_told_in_the_request_language(staff, make_order):
    product = ProductFactory()
    order = make_order({product.pk: 1}, email="rr@example.org")
    link = ReviewRequest.objects.create(order=order, email="rr@example.org", language="de")
    review = ReviewFactory(product=product, request=link, email="rr@example.org")
    services.deactivate(review, staff)
    (mail,) = mails("review_rejected")
    assert mail.to == ["rr@example.org"] and "Hallo" in mail.body_text


def test_the_account_address_of_now_is_used(staff):
    review = customer_review()
    review.customer.email = "ida.new@example.com"
    review.customer.save()
    services.activate(review, staff)
    assert mails("review_published")[0].to == ["ida.new@example.com"]


@pytest.mark.parametrize(
    "fields",
    [
        {"anonymised": Review.Anonymised.ERASED, "email": "deleted-r1@invalid"},
        {"anonymised": Review.Anonymised.EXPIRED, "email": "deleted-r2@invalid"},
        {"email": ""},
        {"confirmed_at": None},
    ],
)
def test_nobody_is_emailed_about_an_anonymised_or_addressless_review(staff, fields):
    review = ReviewFactory(**fields)
    services.activate(review, staff)
    other = ReviewFactory(**fields)
    services.deactivate(other, staff, reason="No.")
    assert not OutboxEmail.objects.exists()


def test_nothing_is_sent_when_the_moderation_rolls_back(staff):
    review = customer_review()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.activate(review, staff)
        raise RuntimeError
    assert not OutboxEmail.objects.exists()
    review.refresh_from_db()
    assert review.published_at is None


def test_bulk_actions_tell_the_authors_once(staff):
    a, b = ReviewFactory(), ReviewFactory()
    public = ReviewFactory(moderated=True, active=True, published_at=timezone.now())
    services.activate_many(Review.objects.all(), staff)
    assert sorted(m.to[0] for m in mails("review_published")) == sorted([a.email, b.email])
    waiting = ReviewFactory()
    services.deactivate_many(Review.objects.all(), staff)
    assert [m.to for m in mails("review_rejected")] == [[waiting.email]]
    assert public.email not in {m.to[0] for m in mails("review_published")}


def test_a_saved_edit_that_publishes_tells_the_author(staff):
    review = customer_review()
    services.save_edit(review, {"text": "Fixed typo", "active": False}, staff)
    assert not OutboxEmail.objects.exists()  # an edit is no rejection
    services.save_edit(review, {"active": True}, staff)
    assert len(mails("review_published")) == 1


def test_reason_length_is_limited(staff):
    review = customer_review()
    with pytest.raises(services.ReviewError):
        services.deactivate(review, staff, reason="x" * 1001)
    review.refresh_from_db()
    assert not review.moderated and not OutboxEmail.objects.exists()


# --- the backoffice's reject form ------------------------------------------------------------


def test_reject_asks_for_an_optional_reason_and_emails_it(admin_client, staff):
    review = customer_review()
    url = reverse("admin:reviews_review_deactivate", args=[review.pk])
    back = reverse("admin:reviews_review_changelist") + "?moderated__exact=0"
    changelist = admin_client.get(back).content.decode()
    assert f'href="{url}">Reject</a>' in changelist
    form = admin_client.get(url, HTTP_REFERER="http://testserver" + back).content.decode()
    assert 'name="reason"' in form
    assert f'name="next" value="http://testserver{back}"' in form  # back to the filtered list
    assert not Review.objects.get(pk=review.pk).moderated  # a GET changes nothing
    response = admin_client.post(url, {"reason": "Off topic.", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    review.refresh_from_db()
    assert review.moderated and not review.active and review.rejection_reason == "Off topic."
    assert "Off topic." in mails("review_rejected")[0].body_text


def test_reject_form_refuses_a_foreign_next_and_a_too_long_reason(admin_client):
    review = customer_review()
    url = reverse("admin:reviews_review_deactivate", args=[review.pk])
    response = admin_client.post(url, {"reason": "x" * 1001})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not Review.objects.get(pk=review.pk).moderated
    response = admin_client.post(url, {"reason": "", "next": "https://evil.example/"})
    assert response["Location"] == reverse("admin:reviews_review_changelist")


def test_change_form_links_the_reject_form(admin_client):
    review = customer_review()
    page = admin_client.get(reverse("admin:reviews_review_change", args=[review.pk]))
    assert reverse("admin:reviews_review_deactivate", args=[review.pk]) in page.content.decode()


# --- the migration ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_reviews_public_before_the_migration_count_as_published():
    before = [("reviews", "0009_moderated_help_mentions_rejection")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("reviews", "Review")
    product = ProductFactory()
    then = timezone.now()
    values = {"product_id": product.pk, "rating": 4, "text": "t", "author_name": "A"}
    public = old.objects.create(
        **values, email="a@example.com", moderated=True, active=True, moderated_at=then
    ).pk
    hidden = old.objects.create(
        **values, email="b@example.com", moderated=True, active=False, moderated_at=then
    ).pk
    waiting = old.objects.create(**values, email="c@example.com").pk
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    published = dict(Review.objects.values_list("pk", "published_at"))
    assert published[public] == then
    assert published[hidden] is None and published[waiting] is None
    Review.objects.all().delete()


# --- the author's own review on the product page ------------------------------------------------


def test_own_pending_review_page_does_not_invite_to_be_the_first_and_shows_the_review(client):
    review = customer_review(text="Pours without dripping.", rating=3)
    client.force_login(review.customer)
    page = ok_page(client, review.product.get_absolute_url())
    assert "Be the first to review this product" not in page
    assert "No reviews published yet." in page
    assert "Waiting for moderation" in page
    own = page[page.index('class="own-review') :]
    assert "Pours without dripping." in own and "★★★☆☆" in own
    # Nobody else sees it, and they are invited to write the first review.
    client.logout()
    page = ok_page(client, review.product.get_absolute_url())
    assert "Pours without dripping." not in page
    assert "Be the first to review this product" in page


def test_own_published_review_is_listed_once(client, staff):
    review = customer_review(text="Pours without dripping.")
    services.activate(review, staff)
    client.force_login(review.customer)
    page = ok_page(client, review.product.get_absolute_url())
    assert page.count("Pours without dripping.") == 1
    assert "No reviews published yet." not in page
