from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import RATING_MAX, RATING_MIN, Review

RATING_CHOICES = [
    (n, f"{n} – " + "★" * n + "☆" * (RATING_MAX - n)) for n in range(RATING_MAX, RATING_MIN - 1, -1)
]


def star_choices():
    """The rating as a radio group for the storefront: each radio is labelled "n of 5 stars"
    (the star glyphs are hidden from screen readers), best rating first."""
    return [
        (
            n,
            format_html(
                '<span class="stars" aria-hidden="true">{}</span> {}',
                "★" * n + "☆" * (RATING_MAX - n),
                _("%(n)s of 5 stars") % {"n": n},
            ),
        )
        for n in range(RATING_MAX, RATING_MIN - 1, -1)
    ]


def public_name(first_name, last_name):
    """The name a review is signed with unless the author changes it: the first name and the
    initial of the last name ("Erika M."), never the full name."""
    first, last = (first_name or "").strip(), (last_name or "").strip()
    return f"{first} {last[:1]}.".strip() if last else first


class ReviewForm(forms.ModelForm):
    rating = forms.TypedChoiceField(
        label=_("Your rating"),
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "star-choices"}),
    )
    # Honeypot: hidden from people (CSS + aria-hidden), filled in by naive bots.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = Review
        fields = ["rating", "text", "author_name", "email"]
        labels = {"text": _("Your review"), "author_name": _("Your name"), "email": _("E-mail")}
        help_texts = {
            "author_name": _("Shown publicly with your review."),
            "email": _("Not published. We send you a link to confirm your review."),
        }
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rating"].choices = star_choices()  # in the language of the request
        if user is not None and user.is_authenticated and "email" in self.fields:
            # A signed-in customer reviews as the account: its address is shown, not typed
            # (a disabled field ignores what is posted and keeps the initial value).
            self.fields["email"].disabled = True
            self.fields["email"].help_text = _("Not published.")
            self.initial["email"] = user.email
            if not self.is_bound:
                self.initial.setdefault("author_name", public_name(user.first_name, user.last_name))

    def is_spam(self):
        return bool(self.data.get("website"))


class RequestReviewForm(ReviewForm):
    """The review form of a review-request link: the e-mail is the one the request went to."""

    class Meta(ReviewForm.Meta):
        fields = ["rating", "text", "author_name"]


class ReplyForm(forms.Form):
    reply_text = forms.CharField(
        label=_("Shop reply"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text=_("Shown publicly under the review, with the shop's name."),
    )


class ReviewEditForm(forms.ModelForm):
    """The backoffice edit: saving it moderates the review (see services.save_edit)."""

    rating = forms.TypedChoiceField(label=_("Rating"), choices=RATING_CHOICES, coerce=int)

    class Meta:
        model = Review
        fields = ["rating", "text", "author_name", "active"]


class RejectForm(forms.Form):
    """The backoffice's reject / deactivate: an optional reason, e-mailed to the author."""

    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text=_(
            "Shown to the author next to their review's status and sent to them by e-mail. "
            "A review waiting for moderation: its author is told in any case. A review "
            "already moderated: its author is told only if you give a reason."
        ),
    )
