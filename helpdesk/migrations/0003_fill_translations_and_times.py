"""Data for 0002: the default language's columns of topics and canned replies get the
existing texts, the new time columns of existing threads are filled from their messages, and
threads from the account's order page (until now without a topic) get the system topic
"Question about an order"."""

from django.conf import settings
from django.db import migrations
from django.db.models import F, Max, Min, OuterRef, Subquery
from django.utils import translation
from modeltranslation.utils import build_localized_fieldname

DEFAULT = getattr(settings, "MODELTRANSLATION_DEFAULT_LANGUAGE", settings.LANGUAGE_CODE)
SYSTEM_TOPICS = {
    # code: (English name — translated with gettext below, position)
    "order": ("Question about an order", 10),
    "email": ("E-mail", 11),
}


def forwards(apps, schema_editor):
    ContactTopic = apps.get_model("helpdesk", "ContactTopic")
    CannedReply = apps.get_model("helpdesk", "CannedReply")
    Thread = apps.get_model("helpdesk", "Thread")
    Message = apps.get_model("helpdesk", "Message")
    ShopSettings = apps.get_model("shop", "ShopSettings")

    ContactTopic.objects.update(**{build_localized_fieldname("name", DEFAULT): F("name")})
    CannedReply.objects.update(
        **{
            build_localized_fieldname("title", DEFAULT): F("title"),
            build_localized_fieldname("text", DEFAULT): F("text"),
        }
    )

    shop = ShopSettings.objects.filter(pk=1).first()
    recipient = shop.contact_email if shop else "service@example.com"
    topics = {}
    for code, (name, position) in SYSTEM_TOPICS.items():
        names = {}
        for language, _label in settings.LANGUAGES:
            with translation.override(language):
                names[build_localized_fieldname("name", language)] = translation.gettext(name)
        topic = ContactTopic.objects.filter(code=code).first()
        if topic is None:
            topic = ContactTopic.objects.create(
                code=code,
                name=names[build_localized_fieldname("name", DEFAULT)],
                recipient_email=recipient,
                position=position,
                **names,
            )
        topics[code] = topic
    Thread.objects.filter(topic__isnull=True, order__isnull=False).update(topic=topics["order"])

    messages = Message.objects.filter(thread=OuterRef("pk")).order_by()
    Thread.objects.update(
        last_activity=Subquery(
            messages.values("thread").annotate(last=Max("created")).values("last")[:1]
        )
    )
    Thread.objects.filter(last_activity__isnull=True).update(last_activity=F("created"))
    Thread.objects.update(
        first_answered_at=Subquery(
            messages.filter(kind="operator")
            .values("thread")
            .annotate(first=Min("created"))
            .values("first")[:1]
        )
    )
    # Waiting: open threads, since the first customer message after the last operator answer.
    for thread in Thread.objects.filter(status__in=["reported", "customer_replied"]):
        last_answer = (
            Message.objects.filter(thread=thread, kind="operator")
            .order_by("-created")
            .values_list("created", flat=True)
            .first()
        )
        pending = Message.objects.filter(thread=thread, kind="customer")
        if last_answer:
            pending = pending.filter(created__gt=last_answer)
        first_pending = pending.order_by("created").values_list("created", flat=True).first()
        Thread.objects.filter(pk=thread.pk).update(waiting_since=first_pending or thread.created)
    # Forwarded threads keep their department as the forwarding marker.
    Thread.objects.filter(
        status__in=["fwd_marketing", "fwd_sales", "fwd_payments", "fwd_manager"]
    ).update(forwarded_to=F("status"))


class Migration(migrations.Migration):
    dependencies = [
        ("helpdesk", "0002_assignment_sla_attachments_translations"),
        ("shop", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
