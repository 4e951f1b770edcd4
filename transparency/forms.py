from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from complaints.models import Category, SatisfactionSurvey
from complaints.services.satisfaction import COMMENT_MAX_LENGTH, SCORE_LABELS
from routing.forms import PointForm


class TrackForm(forms.Form):
    ticket = forms.CharField(label=_("Ticket number"), max_length=20)


class EmailOrUsernameLoginForm(AuthenticationForm):
    """Citizens log in with their email (their username); officers with their
    username."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Email or username")

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and "@" in username:
            self.cleaned_data["username"] = username.strip().lower()
        return super().clean()


class CitizenSignupForm(UserCreationForm):
    # The email is also the username, which holds at most 150 characters.
    email = forms.EmailField(label=_("Email"), max_length=150)
    first_name = forms.CharField(label=_("Name"), max_length=150)

    class Meta:
        model = get_user_model()
        fields = ["email", "first_name"]

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        user_model = get_user_model()
        if user_model.objects.filter(email__iexact=email).exists() or (
            user_model.objects.filter(username__iexact=email).exists()
        ):
            raise forms.ValidationError(_("An account with this email already exists."))
        return email

    def save(self, commit=True):
        user = super().save(commit=False)
        user.username = self.cleaned_data["email"]
        if commit:
            user.save()
        return user


class SurveyForm(forms.Form):
    """The satisfaction survey (IKM): one 1-4 score per service element."""

    comment = forms.CharField(
        label=_("Anything else you want to tell us (optional)"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        scores = {
            field: forms.TypedChoiceField(
                label=label,
                choices=SCORE_LABELS,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose a score for this element.")},
            )
            for field, label in SatisfactionSurvey.ELEMENTS
        }
        # The elements first, in the regulation's order, then the comment.
        self.fields = {**scores, "comment": self.fields["comment"]}

    def answers(self) -> dict[str, int]:
        return {
            field: self.cleaned_data[field]
            for field, _label in SatisfactionSurvey.ELEMENTS
        }


class NearbyForm(PointForm):
    """Where a citizen is about to report, and what: for the open reports nearby."""

    category = forms.ModelChoiceField(
        queryset=Category.objects.all(),
        to_field_name="code",
        error_messages={"invalid_choice": _("Unknown category.")},
    )


class CommentForm(forms.Form):
    """A comment on a report, under a name the citizen chooses (or none)."""

    body = forms.CharField(
        label=_("Your comment"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write a comment.")},
    )
    display_name = forms.CharField(
        label=_("Name to show (optional)"),
        max_length=60,
        required=False,
        help_text=_("Leave it empty to appear as “a citizen”."),
    )


class EmailLinkForm(forms.Form):
    """A visitor without an account asks for a sign-in link by email."""

    email = forms.EmailField(label=_("Your email"), max_length=150)
    # Checked by the view (a page on this site, or the home page), never refused.
    next = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()
