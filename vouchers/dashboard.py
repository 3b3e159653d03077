"""The vouchers' figure on the backoffice start page (``shop.dashboard``): the campaigns
that gave the most discount in the last 30 days. One query."""

from datetime import datetime, time, timedelta

from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from shop import charts

from .models import Redemption

DAYS = 30


def campaigns_by_discount(limit=5):
    first = timezone.localdate() - timedelta(days=DAYS - 1)
    start = datetime.combine(first, time.min, tzinfo=timezone.get_current_timezone())
    rows = list(
        Redemption.objects.filter(created__gte=start)
        .values("campaign_id", "campaign__name")
        .annotate(discount=Sum("discount"), uses=Count("id"), value=Sum("order__grand_total"))
        .order_by("-discount", "campaign__name")[:limit]
    )
    items = [
        {
            "label": row["campaign__name"],
            "value": row["discount"],
            "note": ngettext("%(n)s redemption", "%(n)s redemptions", row["uses"])
            % {"n": row["uses"]},
            "url": reverse("admin:vouchers_campaign_statistics", args=[row["campaign_id"]]),
        }
        for row in rows
    ]
    return {
        "rows": items,
        "url": reverse("admin:vouchers_campaign_changelist") + "?time=current",
        "chart": charts.hbar_chart(
            items,
            title=_("Campaigns by discount given, last 30 days"),
            description=ngettext(
                "The %(n)s campaign whose codes gave the most discount.",
                "The %(n)s campaigns whose codes gave the most discount.",
                len(items),
            )
            % {"n": len(items)},
            value_name=_("discount granted"),
        ),
    }
