from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from shop import views as shop_views
from shop.clientip import client_ip
from shop.exceptions import LinkNotValid, add_to_form
from shop.models import Product

from . import review_requests, services
from .forms import RequestReviewForm, ReviewForm, public_name
from .models import Review

THANK_YOU = _("Thank you, your review will appear after moderation.")
# The same words whatever the typed address reviewed before: nothing is disclosed.
CONFIRM_BY_EMAIL = _(
    "Thank you! Please confirm your review with the link we have sent to your e-mail "
    "address. It will appear after moderation."
)


def _back(product):
    """Back to the product page, scrolled to the message that says what happened (it stands
    above the page: at the reviews section, below, it was out of sight)."""
    return redirect(product.get_absolute_url() + "#messages")


@require_POST
def submit(request, slug):
    product = get_object_or_404(Product.objects.active(), slug=slug)
    ip = client_ip(request)
    customer = request.user if request.user.is_authenticated else None
    thanks = THANK_YOU if customer is not None else CONFIRM_BY_EMAIL
    form = ReviewForm(request.POST, user=request.user)
    if form.is_spam():
        # Tell the bot nothing: same answer as a real submission, but nothing is stored.
        messages.success(request, thanks)
        return _back(product)
    if services.is_throttled(ip, customer=customer):
        messages.error(request, services.THROTTLED)
        return _back(product)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.submit_review(
                product,
                rating=data["rating"],
                text=data["text"],
                author_name=data["author_name"],
                email=data["email"],
                customer=customer,
                ip=ip,
                language=get_language(),
            )
        except services.ReviewError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, thanks)
            return _back(product)
    # Show the product page again with the bound form and its errors in the reviews panel.
    request.review_form = form
    return shop_views.product_detail(request, slug)


def _prefix(product):
    return f"p{product.pk}"


@require_http_methods(["GET", "POST"])
def request_page(request, signed):
    """The link of a review-request e-mail: one prefilled form per product of the order."""
    review_request = review_requests.request_from_signed(signed)
    if review_request is None:
        raise LinkNotValid()
    order = review_request.order
    products = [line.product for line in review_requests.reviewable_lines(order)]
    reviewed = set(
        Review.objects.filter(request=review_request).values_list("product_id", flat=True)
    )
    # Products this person reviewed before, on the product page or through another order's
    # link: one review per product and person, so there is no form for them.
    reviewed_before = (
        set(
            services.reviews_by(customer=order.customer, email=review_request.email)
            .filter(product__in=products)
            .values_list("product_id", flat=True)
        )
        - reviewed
    )
    name = public_name(order.billing_first_name, order.billing_last_name)
    bound = None
    if request.method == "POST":
        product = next((p for p in products if str(p.pk) == request.POST.get("product")), None)
        if product is None or product.pk in reviewed or product.pk in reviewed_before:
            return redirect(request.path)
        form = RequestReviewForm(request.POST, prefix=_prefix(product))
        if form.is_spam():
            messages.success(request, THANK_YOU)
            return redirect(request.path)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.submit_review(
                    product,
                    rating=data["rating"],
                    text=data["text"],
                    author_name=data["author_name"],
                    email=review_request.email,
                    customer=order.customer,
                    ip=client_ip(request),
                    request=review_request,
                )
            except services.ReviewError as exc:
                add_to_form(form, exc)
            else:
                messages.success(request, THANK_YOU)
                return redirect(request.path)
        bound = (product.pk, form)
    items = []
    for product in products:
        if bound and bound[0] == product.pk:
            form = bound[1]
        else:
            form = RequestReviewForm(prefix=_prefix(product), initial={"author_name": name})
        items.append(
            {
                "product": product,
                "form": form,
                "done": product.pk in reviewed,
                "reviewed_before": product.pk in reviewed_before,
            }
        )
    return render(request, "reviews/request.html", {"order": order, "items": items})


@require_http_methods(["GET", "POST"])
def unsubscribe(request, signed):
    email = review_requests.email_from_unsubscribe(signed)
    if email is None:
        raise LinkNotValid()
    done = False
    if request.method == "POST":
        review_requests.unsubscribe(email)
        done = True
    return render(request, "reviews/unsubscribe.html", {"email": email, "done": done})


@require_http_methods(["GET", "POST"])
def confirm(request, signed):
    """The link e-mailed to the address typed into a review: shows the review, and confirms
    it with a button (a GET changes nothing: mail scanners open links)."""
    review = services.review_from_confirm_link(signed)
    if review is None:
        raise LinkNotValid()
    if request.method == "POST":
        try:
            services.confirm_review(review)
        except services.ReviewError as exc:
            messages.info(request, exc.message)
        else:
            messages.success(request, THANK_YOU)
        return _back(review.product)
    return render(request, "reviews/confirm.html", {"review": review})
