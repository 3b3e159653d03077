import pytest
from django.urls import reverse

from reviews.models import Review
from tests.factories import ProductFactory, UserFactory

from .confirming import confirm
from .factories import ReviewFactory

pytestmark = pytest.mark.django_db

THANKS = "Thank you, your review will appear after moderation."
CONFIRM = "Please confirm your review with the link we have sent to your e-mail address."


def form_data(**overrides):
    data = {
        "rating": "5",
        "text": "Wonderful quality.",
        "author_name": "Erika Mustermann",
        "email": "erika@example.com",
        "website": "",
    }
    data.update(overrides)
    return data


def submit(client, product, ip="10.0.0.1", **overrides):
    return client.post(
        reverse("reviews:submit", args=[product.slug]),
        form_data(**overrides),
        REMOTE_ADDR=ip,
        follow=True,
    )


def test_product_page_has_review_form_for_anonymous_visitors(client):
    product = ProductFactory()
    page = client.get(product.get_absolute_url()).content.decode()
    assert 'id="reviews"' in page
    assert reverse("reviews:submit", args=[product.slug]) in page
    assert 'name="website"' in page  # honeypot present, hidden by CSS


def test_anonymous_review_waits_for_confirmation_then_for_moderation(client):
    product = ProductFactory()
    response = submit(client, product)
    assert response.redirect_chain[-1][0] == product.get_absolute_url() + "#messages"
    assert CONFIRM in response.content.decode()
    review = Review.objects.get()
    assert (review.product, review.rating, review.customer) == (product, 5, None)
    assert review.confirmed_at is None and not Review.objects.waiting().exists()
    response = confirm(client, "erika@example.com")
    assert THANKS in response.content.decode()
    review.refresh_from_db()
    assert review.confirmed_at is not None and list(Review.objects.waiting()) == [review]
    assert not review.moderated and not review.active
    # Not shown before moderation.
    assert "Wonderful quality." not in response.content.decode()


def test_logged_in_customer_gets_name_and_email_filled_in(client):
    customer = UserFactory(first_name="Ida", last_name="Nielsen", email="ida@example.com")
    client.force_login(customer)
    product = ProductFactory()
    page = client.get(product.get_absolute_url()).content.decode()
    assert 'value="Ida N."' in page and 'value="ida@example.com"' in page
    assert "Ida Nielsen" not in page
    submit(client, product, author_name="Ida N.", email="ida@example.com")
    assert Review.objects.get().customer == customer


def test_logged_in_customer_reviews_under_the_accounts_address(client):
    """The address is the account's: shown, not typed, and a posted one is ignored."""
    customer = UserFactory(email="ida@example.com")
    client.force_login(customer)
    product = ProductFactory()
    page = client.get(product.get_absolute_url()).content.decode()
    email_input = page.split('name="email"')[1].split(">")[0]
    assert "disabled" in email_input
    submit(client, product, email="someone.else@example.com")
    review = Review.objects.get()
    assert (review.customer, review.email) == (customer, "ida@example.com")


def test_review_text_and_name_are_escaped(client):
    review = ReviewFactory(
        author_name="<b>Eve</b>",
        text='<script>alert("x")</script> <img src=x onerror=alert(1)>',
        moderated=True,
        active=True,
    )
    page = client.get(review.product.get_absolute_url()).content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>Eve</b>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "&lt;b&gt;Eve&lt;/b&gt;" in page


def test_submitted_html_is_stored_verbatim_and_rendered_escaped(client):
    product = ProductFactory()
    submit(client, product, text="<i>nice</i>")
    review = Review.objects.get()
    assert review.text == "<i>nice</i>"
    review.moderated, review.active = True, True
    review.moderated_at = review.created
    review.save()
    page = client.get(product.get_absolute_url()).content.decode()
    assert "&lt;i&gt;nice&lt;/i&gt;" in page and "<i>nice</i>" not in page


def test_throttle_three_reviews_per_ip_per_window(client):
    product = ProductFactory()
    for i in range(3):
        response = submit(client, product, text=f"Review {i}", email=f"person{i}@example.com")
        assert CONFIRM in response.content.decode()
    response = submit(client, product, text="One too many", email="person3@example.com")
    assert "Please try again later" in response.content.decode()
    assert Review.objects.count() == 3
    assert not Review.objects.filter(text="One too many").exists()
    # Another address is not affected.
    submit(client, product, ip="10.0.0.2", text="From elsewhere", email="person4@example.com")
    assert Review.objects.filter(text="From elsewhere").exists()


def test_throttle_window_is_configurable(client, settings):
    settings.REVIEW_THROTTLE_LIMIT = 1
    product = ProductFactory()
    submit(client, product, text="first")
    submit(client, product, text="second", email="someone.else@example.com")
    assert list(Review.objects.values_list("text", flat=True)) == ["first"]


def test_honeypot_pretends_success_but_stores_nothing(client):
    product = ProductFactory()
    response = submit(client, product, website="http://spam.example")
    assert CONFIRM in response.content.decode()
    assert not Review.objects.exists()


@pytest.mark.parametrize("rating", ["0", "6", "abc", ""])
def test_form_refuses_rating_outside_1_to_5(client, rating):
    product = ProductFactory()
    response = submit(client, product, rating=rating)
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not Review.objects.exists()


def test_invalid_form_is_shown_again_with_errors_and_input(client):
    product = ProductFactory()
    response = submit(client, product, text="", email="not-an-email", author_name="Keep me")
    page = response.content.decode()
    assert response.redirect_chain == []
    assert "This field is required." in page and "Enter a valid email address." in page
    assert 'value="Keep me"' in page
    assert not Review.objects.exists()


def test_inactive_product_cannot_be_reviewed(client):
    product = ProductFactory(is_active=False)
    response = client.post(reverse("reviews:submit", args=[product.slug]), form_data())
    assert response.status_code == 404
    assert not Review.objects.exists()


def test_submit_url_only_accepts_post(client):
    product = ProductFactory()
    assert client.get(reverse("reviews:submit", args=[product.slug])).status_code == 405


def test_product_page_lists_public_reviews_newest_first(client):
    product = ProductFactory()
    ReviewFactory(product=product, text="older one", moderated=True, active=True)
    ReviewFactory(product=product, text="newer one", moderated=True, active=True)
    ReviewFactory(product=product, text="hidden one", moderated=True, active=False)
    page = client.get(product.get_absolute_url()).content.decode()
    assert page.index("newer one") < page.index("older one")
    assert "hidden one" not in page


def test_product_page_query_count_does_not_grow_with_reviews(client, django_assert_max_num_queries):
    product = ProductFactory()
    ReviewFactory.create_batch(30, product=product, moderated=True, active=True)
    client.get(product.get_absolute_url())
    with django_assert_max_num_queries(10):
        response = client.get(product.get_absolute_url())
    assert response.content.decode().count('class="review-text"') == 30


@pytest.mark.parametrize(("language", "share"), [("de", "(67\xa0%)"), ("pl", "(67%)")])
def test_star_shares_for_screen_readers_are_written_as_the_language_writes_percentages(
    client, language, share
):
    from django.utils import translation

    product = ProductFactory()
    for rating in (5, 5, 4):
        ReviewFactory(product=product, rating=rating, moderated=True, active=True)
    with translation.override(language):
        url = product.get_absolute_url()
    page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'<span class="sr-only">{share}</span>' in page
