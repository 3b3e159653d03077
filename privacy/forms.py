from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Disclosure


class BrowserForm(forms.Form):
    SCOPES = [
        ("both", _("Everywhere")),
        ("customers", _("Customers")),
        ("orders", _("Orders")),
        ("other", _("Other records (contact form, reviews …)")),
    ]

    q = forms.CharField(label=_("Name or e-mail"), min_length=2, max_length=100)
    scope = forms.ChoiceField(label=_("Search in"), choices=SCOPES, initial="both", required=False)


class DisclosureForm(forms.ModelForm):
    class Meta:
        model = Disclosure
        fields = ["date", "recipient", "scope"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "scope": forms.Textarea(attrs={"rows": 3, "cols": 60}),
        }
