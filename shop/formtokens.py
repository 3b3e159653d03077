"""One-time form tokens: a backoffice form that moves money or points changes it once, however
often its page is sent — a double click, the back button and "send again", two tabs.

Each time the form is shown it carries a new token (a hidden field, :class:`OneTimeForm`).
The view applies the form inside :func:`sent_once`, which records the token in the same
transaction as the change. ``SentForm``'s primary key lets one transaction record it: a
second send of the same page — later, or at the same moment on another connection, which
waits for the first one's row — finds the token taken, :class:`FormAlreadySent`, and changes
nothing. When the change itself fails (a domain error), the token is rolled back with it and
the corrected form can be sent again.

The same idea as the checkout's token (``Order.checkout_token``), for forms whose change
leaves no row of its own to hold a unique token.
"""

import uuid
from contextlib import contextmanager
from datetime import timedelta

from django import forms
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .exceptions import DomainError
from .models import SentForm

FIELD = "form_token"
# A page older than this that is sent again is not recognised any more (beat forgets it).
KEPT_FOR = timedelta(days=30)


class FormAlreadySent(DomainError):
    """The page was applied before (``sent``: that send, with where it led)."""

    def __init__(self, sent):
        super().__init__(_("This form was already sent; the change was made once."))
        self.sent = sent

    @property
    def outcome_url(self):
        return self.sent.outcome_url if self.sent is not None else ""


class OneTimeForm(forms.Form):
    """A form whose page carries a one-time token (``form_token``, hidden): a new one each
    time the form is shown; a bound form keeps the token of its page, so the page shown again
    with an input error is still the same page. A send without a valid token (a page from
    before the tokens, a script) changes nothing: the form is shown again with a new token."""

    TOKEN_MISSING = _("The form was not sent yet. Please check the input and send it again.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[FIELD] = forms.CharField(required=False, widget=forms.HiddenInput)
        self.token = None
        if not self.is_bound:
            self.initial = {**self.initial, FIELD: str(uuid.uuid4())}
            return
        try:
            self.token = uuid.UUID(str(self.data.get(FIELD) or ""))
        except ValueError:
            # The page shown again carries a token of its own: sending it applies it.
            self.data = self.data.copy()
            self.data[FIELD] = str(uuid.uuid4())

    def clean(self):
        data = super().clean()
        if self.token is None:
            self.add_error(None, forms.ValidationError(self.TOKEN_MISSING, code=FIELD))
        return data


@contextmanager
def sent_once(token, purpose):
    """A transaction that applies the page of ``token`` once: everything done inside it is
    kept only with the token recorded. Raises :class:`FormAlreadySent` (before the block
    runs) for a page applied before. ``yield``s the ``SentForm``; ``sent.outcome_url = …``
    inside the block tells a second send where the first one led."""
    with transaction.atomic():
        sent = SentForm(token=token, purpose=purpose[:100])
        try:
            with transaction.atomic():  # a savepoint: the duplicate rolls back alone
                sent.save(force_insert=True)
        except IntegrityError:
            raise FormAlreadySent(SentForm.objects.filter(token=token).first()) from None
        yield sent
        if sent.outcome_url:
            sent.save(update_fields=["outcome_url"])


def hidden_token():
    """A new one-time token as a hidden field, for a form with no fields of its own (a
    "Send by e-mail" button): ``{% one_time_token %}`` (``shop.templatetags.backoffice``)."""
    return OneTimeForm()[FIELD].as_hidden()


@contextmanager
def once(request, purpose):
    """:func:`sent_once` for the token a page of :func:`hidden_token` sent: a page without
    one (a script, a page from before the tokens) changes nothing (``DomainError``), a page
    sent again raises :class:`FormAlreadySent`."""
    form = OneTimeForm(request.POST)
    if not form.is_valid():
        raise DomainError(OneTimeForm.TOKEN_MISSING)
    with sent_once(form.token, purpose) as sent:
        yield sent


def forget_old():
    """Beat, daily: drop the tokens of pages sent more than ``KEPT_FOR`` ago."""
    deleted, _rows = SentForm.objects.filter(sent_at__lt=timezone.now() - KEPT_FOR).delete()
    return deleted
