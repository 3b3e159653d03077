from datetime import datetime, time, timedelta

from django import forms
from django.db.models import F
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from shop.fields import EMAIL_MAX_LENGTH, EmailFormField, LocalDateField

from . import attachments
from .models import CannedReply, ContactTopic, Thread


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Several files in one input; limits and types are checked by the services
    (helpdesk/attachments.py), which also handle e-mail attachments."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Attachments"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", lazy(attachments.limits_text, str)())
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": lazy(attachments.accept_attribute, str)()})
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = EmailFormField(label=_("Your e-mail address"))
    topic = forms.TypedChoiceField(label=_("Topic"), coerce=int)
    order_number = forms.CharField(
        label=_("Order number"),
        max_length=20,
        required=False,
        help_text=_("Optional: if your request is about an order."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    message = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 7}))
    attachments = AttachmentsField()
    # Honeypot: hidden from people by CSS, filled in by form-spamming bots.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        topics = [(t.pk, t.name) for t in ContactTopic.objects.on_contact_form()]
        if not topics:
            # A shop without topics of its own (a new installation): nothing to choose, the
            # request goes to the shop's contact e-mail (services.create_contact_request).
            del self.fields["topic"]
            return
        self.fields["topic"].choices = [("", _("Please choose"))] + topics
        self.fields["topic"].error_messages["invalid_choice"] = _(
            "Please choose one of the listed topics."
        )

    @property
    def is_spam(self):
        return bool(self.data.get("website"))


class ThreadStartForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    # Not required by the form: a message may be just a photo (the service decides).
    text = forms.CharField(
        label=_("Your message"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    attachments = AttachmentsField()


class AnswerForm(forms.Form):
    text = forms.CharField(
        label=_("Your answer"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    attachments = AttachmentsField()


OPEN = "open"
OVERDUE = "overdue"
ME = "me"
UNASSIGNED = "none"
# ?o= values of the thread list: column -> ordering (None sorts last, ids break ties)
SORTS = {
    "created": [F("created").asc(), "id"],
    "-created": [F("created").desc(), "-id"],
    "activity": [F("last_activity").asc(), "id"],
    "-activity": [F("last_activity").desc(), "-id"],
    # longest waiting first = the oldest waiting_since first; threads nobody waits on last
    "-waiting": [F("waiting_since").asc(nulls_last=True), "id"],
    "waiting": [F("waiting_since").desc(nulls_last=True), "-id"],
}


class ThreadSearchForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), required=False)
    email = forms.CharField(label=_("Sender e-mail"), max_length=EMAIL_MAX_LENGTH, required=False)
    order_number = forms.CharField(label=_("Order number"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All")),
            # named with the statuses' own labels, so the two never read differently
            (
                OPEN,
                format_lazy(
                    _("Open ({reported} or {replied})"),
                    reported=Thread.Status.REPORTED.label,
                    replied=Thread.Status.CUSTOMER_REPLIED.label,
                ),
            ),
            (OVERDUE, _("Overdue (first answer late)")),
        ]
        + list(Thread.Status.choices),
    )
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False)
    date_from = LocalDateField(label=_("From"), required=False)
    date_to = LocalDateField(label=_("To"), required=False)

    def __init__(self, *args, staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [
            ("", _("Anyone")),
            (ME, _("My threads")),
            (UNASSIGNED, _("Nobody (unassigned)")),
        ] + [(str(u.pk), u.get_full_name() or u.email) for u in staff]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("“From” must not be after “To”."))
        return data

    def filter(self, queryset, user=None):
        data = self.cleaned_data
        assignee = data.get("assignee")
        if assignee == ME:
            queryset = queryset.filter(assignee=user)
        elif assignee == UNASSIGNED:
            queryset = queryset.filter(assignee__isnull=True)
        elif assignee:
            queryset = queryset.filter(assignee_id=assignee)
        if data.get("subject"):
            queryset = queryset.filter(subject__icontains=data["subject"].strip())
        if data.get("email"):
            queryset = queryset.filter(email__icontains=data["email"].strip())
        if data.get("order_number"):
            queryset = queryset.filter(order__number__iexact=data["order_number"].strip())
        if data.get("status") == OPEN:
            queryset = queryset.needing_attention()
        elif data.get("status") == OVERDUE:
            queryset = queryset.overdue()
        elif data.get("status"):
            queryset = queryset.filter(status=data["status"])
        tz = timezone.get_current_timezone()
        if data.get("date_from"):
            start = datetime.combine(data["date_from"], time.min, tzinfo=tz)
            queryset = queryset.filter(created__gte=start)
        if data.get("date_to"):
            end = datetime.combine(data["date_to"] + timedelta(days=1), time.min, tzinfo=tz)
            queryset = queryset.filter(created__lt=end)
        return queryset


class OperatorForm(forms.Form):
    """The reply box of the backoffice thread view."""

    text = forms.CharField(
        label=_("Reply"), required=False, widget=forms.Textarea(attrs={"rows": 8, "cols": 90})
    )
    canned = forms.ModelChoiceField(
        label=_("Canned reply"),
        queryset=CannedReply.objects.filter(is_active=True),
        required=False,
        empty_label=_("— insert a canned reply —"),
    )
    attachments = AttachmentsField()


class AssignForm(forms.Form):
    """Assign a thread (or the selected threads of the list) to a staff member of ``staff``
    (a list, read once per page). ``cleaned_data["assignee"]`` is the user or None."""

    assignee = forms.ChoiceField(label=_("Assign to"), required=False)

    def __init__(self, *args, staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = {str(u.pk): u for u in staff}
        self.fields["assignee"].choices = [("", _("— nobody —"))] + [
            (pk, u.get_full_name() or u.email) for pk, u in self.staff.items()
        ]

    def clean_assignee(self):
        return self.staff.get(self.cleaned_data["assignee"])


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Thread.Status.choices)
