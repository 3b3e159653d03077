"""Operators' new-orders feed (Atom). Feed readers cannot log in, so the URL carries a
per-staff secret (FeedToken); an unknown or revoked token is a 404."""

from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from shop import personal_data
from shop.money import format_money

from . import services
from .models import Order, OrderLine

FEED_SIZE = 100


@dataclass
class Reader:
    """Who reads the feed in this request (the Feed instance is shared by all requests)."""

    user: object
    request: object
    token: str


class NewOrdersFeed(Feed):
    feed_type = Atom1Feed

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex"
        return response

    def get_object(self, request, token):
        user = services.feed_user(token)
        if user is None:
            raise Http404
        return Reader(user, request, token)

    def title(self, obj):
        return _("New orders")

    def subtitle(self, obj):
        return _("Orders in status Pending")

    def link(self, obj):
        return reverse("admin:orders_order_changelist") + "?status__exact=pending"

    def items(self, reader):
        orders = list(
            Order.objects.filter(status=Order.Status.PENDING)
            .select_related("payment_method")
            .prefetch_related(
                Prefetch("lines", queryset=OrderLine.objects.only("order_id", "name", "quantity"))
            )
            .order_by("-created")[:FEED_SIZE]
        )
        # Names, totals and lines of customers, read by a staff member: the access log
        # records it like a backoffice list (without the secret token in the path).
        personal_data.shown(
            reader.request,
            orders,
            viewer=reader.user,
            path=reader.request.path.replace(reader.token, "[token]"),
            note="new-orders feed",
        )
        return orders

    def item_title(self, item):
        return (
            f"{item.number} · {item.billing_name} · {format_money(item.grand_total, item.currency)}"
        )

    def item_description(self, item):
        lines = ", ".join(f"{line.quantity} × {line.name}" for line in item.lines.all())
        return f"{lines} — {item.payment_method.name} ({item.get_payment_status_display()})"

    def item_link(self, item):
        return reverse("admin:orders_order_change", args=[item.pk])

    def item_guid(self, item):
        return f"order-{item.number}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.created

    def item_updateddate(self, item):
        return item.created
