from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.models import Review
from tests.factories import RoleUserFactory

from .factories import ReviewFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:reviews_review_changelist"


def listed(response):
    return {r.pk for r in response.context["cl"].result_list}


def test_changelist_columns_and_row_buttons(admin_client):
    review = ReviewFactory(text="A" * 200, author_name="Ben Schulz", email="ben@example.com")
    response = admin_client.get(reverse(CHANGELIST))
    page = response.content.decode()
    assert response.status_code == 200
    for heading in ["Product", "Comment", "Rating", "Date", "User", "Moderated", "Active"]:
        assert f">{heading}<" in page or f">{heading.lower()}<" in page.lower()
    assert "A" * 69 + "…" in page and "A" * 71 not in page  # truncated comment
    assert "Ben Schulz" in page and "ben@<wbr>example.com" in page  # may wrap after the @
    assert reverse("admin:reviews_review_activate", args=[review.pk]) in page
    assert reverse("admin:reviews_review_change", args=[review.pk]) in page
    assert reverse("admin:reviews_review_delete", args=[review.pk]) in page


def test_changelist_query_count_is_constant(admin_client, django_assert_max_num_queries):
    ReviewFactory.create_batch(40)
    admin_client.get(reverse(CHANGELIST))
    with django_assert_max_num_queries(10):
        response = admin_client.get(reverse(CHANGELIST))
    assert len(response.context["cl"].result_list) == 40


def test_search_by_text_contains(admin_client):
    hit = ReviewFactory(text="The handle gets WARM quickly")
    ReviewFactory(text="Lovely pot")
    response = admin_client.get(reverse(CHANGELIST), {"q": "warm"})
    assert listed(response) == {hit.pk}


def test_filter_by_date_range(admin_client):
    now = timezone.now()
    old = ReviewFactory(created=now - timedelta(days=30))
    mid = ReviewFactory(created=now - timedelta(days=10))
    new = ReviewFactory(created=now)
    day = lambda d: timezone.localdate(d).isoformat()  # noqa: E731
    url = reverse(CHANGELIST)
    assert listed(admin_client.get(url, {"created_from": day(mid.created)})) == {mid.pk, new.pk}
    assert listed(admin_client.get(url, {"created_to": day(mid.created)})) == {old.pk, mid.pk}
    both = {"created_from": day(mid.created), "created_to": day(mid.created)}
    assert listed(admin_client.get(url, both)) == {mid.pk}


def test_invalid_date_is_reported_and_ignored(admin_client):
    review = ReviewFactory()
    response = admin_client.get(reverse(CHANGELIST), {"created_from": "yesterday"}, follow=True)
    assert response.status_code == 200
    assert listed(response) == {review.pk}
    assert "is not a date" in response.content.decode()


def test_filter_by_rating_combined_with_search(admin_client):
    five = ReviewFactory(rating=5, text="great coffee")
    ReviewFactory(rating=5, text="great tea")
    ReviewFactory(rating=2, text="great coffee but late")
    response = admin_client.get(reverse(CHANGELIST), {"rating": "5", "q": "coffee"})
    assert listed(response) == {five.pk}


def test_row_activate_moderates_and_redirects_back(admin_client, staff):
    review = ReviewFactory()
    back = reverse(CHANGELIST) + "?rating=4"
    response = admin_client.post(
        reverse("admin:reviews_review_activate", args=[review.pk]),
        HTTP_REFERER="http://testserver" + back,
    )
    assert response.status_code == 302 and response["Location"].endswith(back)
    review.refresh_from_db()
    assert review.active and review.moderated and review.moderated_by == staff


def test_row_activate_refuses_get_and_foreign_referer(admin_client):
    review = ReviewFactory()
    url = reverse("admin:reviews_review_activate", args=[review.pk])
    assert admin_client.get(url).status_code == 405
    review.refresh_from_db()
    assert not review.active
    response = admin_client.post(url, HTTP_REFERER="https://evil.example/")
    assert response["Location"] == reverse(CHANGELIST)


def test_row_deactivate_keeps_moderated(admin_client):
    review = ReviewFactory(moderated=True, active=True)
    admin_client.post(reverse("admin:reviews_review_deactivate", args=[review.pk]))
    review.refresh_from_db()
    assert review.moderated and not review.active


def test_a_waiting_review_is_rejected_from_its_row(admin_client, staff):
    review = ReviewFactory()  # waiting for moderation
    changelist = admin_client.get(reverse(CHANGELIST) + "?moderated__exact=0").content.decode()
    reject = reverse("admin:reviews_review_deactivate", args=[review.pk])
    assert f'href="{reject}">Reject</a>' in changelist  # asks for an optional reason first
    response = admin_client.post(reject, {"reason": ""}, follow=True)
    assert "rejected: it is not shown and leaves the queue" in response.content.decode()
    review.refresh_from_db()
    assert review.moderated and not review.active and review.moderated_by == staff
    queue = admin_client.get(reverse(CHANGELIST) + "?moderated__exact=0").content.decode()
    assert reject not in queue


def test_saved_edit_moderates(admin_client, staff):
    review = ReviewFactory(text="typo teh", rating=2)
    url = reverse("admin:reviews_review_change", args=[review.pk])
    page = admin_client.get(url).content.decode()
    assert "Waiting for moderation" in page
    response = admin_client.post(
        url, {"rating": "3", "text": "typo the", "author_name": review.author_name}
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.text, review.rating) == ("typo the", 3)
    assert review.moderated and review.moderated_by == staff and not review.active


def test_edit_form_refuses_bad_rating(admin_client):
    review = ReviewFactory(rating=2)
    url = reverse("admin:reviews_review_change", args=[review.pk])
    response = admin_client.post(url, {"rating": "7", "text": "x", "author_name": "A"})
    assert response.status_code == 200
    review.refresh_from_db()
    assert review.rating == 2 and not review.moderated


def test_bulk_actions_activate_deactivate_delete(admin_client):
    a, b, c = ReviewFactory.create_batch(3)
    url = reverse(CHANGELIST)
    admin_client.post(url, {"action": "activate_selected", "_selected_action": [a.pk, b.pk]})
    assert set(Review.objects.public().values_list("pk", flat=True)) == {a.pk, b.pk}
    admin_client.post(url, {"action": "deactivate_selected", "_selected_action": [a.pk]})
    assert set(Review.objects.public().values_list("pk", flat=True)) == {b.pk}
    admin_client.post(url, {"action": "delete_selected", "_selected_action": [c.pk], "post": "yes"})
    assert not Review.objects.filter(pk=c.pk).exists()


def test_reviews_cannot_be_added_in_backoffice(admin_client):
    assert admin_client.get(reverse("admin:reviews_review_add")).status_code == 403


def test_start_page_counts_reviews_waiting_for_moderation(admin_client):
    ReviewFactory.create_batch(3)
    ReviewFactory(moderated=True, active=False)
    response = admin_client.get(reverse("admin:index"))
    link = reverse(CHANGELIST) + "?moderated__exact=0"
    item = next(
        i for i in response.context["attention"] if i["label"] == "Reviews waiting for moderation"
    )
    assert (item["count"], item["url"]) == (3, link)
    assert link in response.content.decode()
    assert len(listed(admin_client.get(link))) == 3


def test_marketing_role_moderates_but_view_only_staff_cannot(client):
    marketing = RoleUserFactory(role="Marketing")
    review = ReviewFactory()
    client.force_login(marketing)
    client.post(reverse("admin:reviews_review_activate", args=[review.pk]))
    review.refresh_from_db()
    assert review.active

    client.force_login(RoleUserFactory(role="Order clerk"))
    other = ReviewFactory()
    response = client.post(reverse("admin:reviews_review_activate", args=[other.pk]))
    assert response.status_code == 403
    other.refresh_from_db()
    assert not other.active
