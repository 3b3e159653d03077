from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shop.fields import EMAIL_MAX_LENGTH, EmailFormField

from .models import CannedReply, ContactTopic, Thread


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
    # Honeypot: hidden from people by CSS, filled in by form-spamming bots.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [("", _("Please choose"))] + [
            (t.pk, t.name) for t in ContactTopic.objects.filter(is_active=True)
        ]
        self.fields["topic"].error_messages["invalid_choice"] = _(
            "Please choose one of the listed topics."
        )

    @property
    def is_spam(self):
        return bool(self.data.get("website"))


class ThreadStartForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    text = forms.CharField(label=_("Your message"), widget=forms.Textarea(attrs={"rows": 4}))


class AnswerForm(forms.Form):
    text = forms.CharField(label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 4}))


OPEN = "open"


class ThreadSearchForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), required=False)
    email = forms.CharField(label=_("Sender e-mail"), max_length=EMAIL_MAX_LENGTH, required=False)
    order_number = forms.CharField(label=_("Order number"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), (OPEN, _("Open (Reported or Customer replied)"))]
        + list(Thread.Status.choices),
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("“From” must not be after “To”."))
        return data

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("subject"):
            queryset = queryset.filter(subject__icontains=data["subject"].strip())
        if data.get("email"):
            queryset = queryset.filter(email__icontains=data["email"].strip())
        if data.get("order_number"):
            queryset = queryset.filter(order__number__iexact=data["order_number"].strip())
        if data.get("status") == OPEN:
            queryset = queryset.needing_attention()
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


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Thread.Status.choices)
