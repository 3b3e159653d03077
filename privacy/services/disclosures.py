"""Disclosures: personal data of a subject handed to a third party (recipient, scope, date).
Every change is written to the access log at once, in the transaction of the change."""

from django.db import transaction
from django.utils.translation import gettext as _

from ..errors import PrivacyError
from ..models import Disclosure
from .log import log_change

DISCLOSURE_FIELDS = ("date", "recipient", "scope")


def _describe(disclosure):
    return f"{disclosure.date} {disclosure.recipient}: {disclosure.scope}"[:400]


def add_disclosure(request, subject, *, date, recipient, scope):
    from ..subjects import resolve

    person = resolve(subject)
    if not recipient.strip() or not scope.strip():
        raise PrivacyError(_("Recipient and scope are required."))
    with transaction.atomic():
        disclosure = Disclosure.objects.create(
            subject=person.ref,
            subject_name=person.name,
            date=date,
            recipient=recipient.strip(),
            scope=scope.strip(),
            created_by=request.user,
        )
        log_change(
            request,
            [person.ref, f"privacy.disclosure:{disclosure.pk}"],
            note=f"disclosure added: {_describe(disclosure)}",
        )
    return disclosure


def change_disclosure(request, disclosure, *, date, recipient, scope):
    if not recipient.strip() or not scope.strip():
        raise PrivacyError(_("Recipient and scope are required."))
    with transaction.atomic():
        locked = Disclosure.objects.select_for_update().get(pk=disclosure.pk)
        before = _describe(locked)
        locked.date, locked.recipient, locked.scope = date, recipient.strip(), scope.strip()
        locked.save()
        log_change(
            request,
            [locked.subject, f"privacy.disclosure:{locked.pk}"],
            note=f"disclosure changed from [{before}] to [{_describe(locked)}]"[:500],
        )
    return locked


def delete_disclosure(request, disclosure):
    with transaction.atomic():
        pk, subject, text = disclosure.pk, disclosure.subject, _describe(disclosure)
        disclosure.delete()
        log_change(
            request,
            [subject, f"privacy.disclosure:{pk}"],
            note=f"disclosure deleted: {text}",
        )
