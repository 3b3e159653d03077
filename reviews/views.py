from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from shop import views as shop_views
from shop.clientip import client_ip
from shop.exceptions import add_to_form
from shop.models import Product

from . import services
from .forms import ReviewForm

THANK_YOU = _("Thank you, your review will appear after moderation.")


def _back(product):
    return redirect(product.get_absolute_url() + "#reviews")


@require_POST
def submit(request, slug):
    product = get_object_or_404(Product.objects.active(), slug=slug)
    ip = client_ip(request)
    form = ReviewForm(request.POST)
    if form.is_spam():
        # Tell the bot nothing: same answer as a real submission, but nothing is stored.
        messages.success(request, THANK_YOU)
        return _back(product)
    if services.is_throttled(ip):
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
                customer=request.user if request.user.is_authenticated else None,
                ip=ip,
            )
        except services.ReviewError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, THANK_YOU)
            return _back(product)
    # Show the product page again with the bound form and its errors in the reviews panel.
    request.review_form = form
    return shop_views.product_detail(request, slug)
