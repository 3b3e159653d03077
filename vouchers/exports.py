"""The codes of a campaign as CSV rows (backoffice "Download" and ``manage.py export_codes``)."""

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.filenames import download_filename
from shop.personal_data import customer_ref, order_ref
from shop.slugs import slugify

from .models import Code, Redemption


def export_rows(campaign):
    """code, active, assigned e-mail, last order number, last use — streamed in chunks.

    "yes" / "no" are in the active language when this is called, the language the caller
    writes the header in (the rows themselves are read later, while the file is written)."""
    return _rows(campaign, _("yes"), _("no"))


def _rows(campaign, yes, no):
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
            yes if active else no,
            email or "",
            number or "",
            timezone.localtime(used_at).strftime("%Y-%m-%d %H:%M") if used_at else "",
        ]


def campaign_filename(campaign):
    """``codes-summer-sale-2026.csv``: "codes" in the reader's language (``kody-…``,
    ``koder-…``), then the campaign's name, its letters written in ASCII ("Łódź żółć" →
    ``kody-lodz-zolc.csv``, "Vinter ÆØÅ 1" → ``koder-vinter-aeoeaa-1.csv``), so the plain
    ``filename="…"`` of the download works in every browser; its number when the name has
    no letters or digits to make a file name of."""
    slug = slugify(campaign.name)[:60].strip("-")
    return download_filename(_("codes"), slug or campaign.pk, extension="csv")


def export_subjects(campaign):
    """Whom :func:`export_rows` names — the customers of the assigned e-mail addresses and
    the orders of the "last order" column (a guest's too) — as access-log references: the
    download declares them its data subjects (``shop.personal_data.shown``)."""
    customers = (
        Code.objects.filter(campaign=campaign, assigned_to__isnull=False)
        .order_by("assigned_to_id")
        .values_list("assigned_to_id", flat=True)
        .distinct()
    )
    orders = (
        Redemption.objects.filter(code__campaign=campaign)
        .order_by("order_id")
        .values_list("order_id", flat=True)
        .distinct()
    )
    return [customer_ref(pk) for pk in customers.iterator(chunk_size=10000)] + [
        order_ref(pk) for pk in orders.iterator(chunk_size=10000)
    ]
