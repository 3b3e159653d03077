"""The codes of a campaign as CSV rows (backoffice "Download" and ``manage.py export_codes``)."""

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from .models import Code, Redemption


def export_rows(campaign):
    """code, active, assigned e-mail, last order number, last use — streamed in chunks."""
    last = Redemption.objects.filter(code=OuterRef("pk")).order_by("-created")
    rows = (
        Code.objects.filter(campaign=campaign)
        .annotate(
            order_number=Subquery(last.values("order__number")[:1]),
            used_at=Subquery(last.values("created")[:1]),
        )
        .order_by("id")
        .values_list("text", "is_active", "assigned_to__email", "order_number", "used_at")
    )
    for text, active, email, number, used_at in rows.iterator(chunk_size=10000):
        yield [
            text,
            "yes" if active else "no",
            email or "",
            number or "",
            timezone.localtime(used_at).strftime("%Y-%m-%d %H:%M") if used_at else "",
        ]
