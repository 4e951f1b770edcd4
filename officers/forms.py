"""Back-office forms: filters and small decisions; services and selectors decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from complaints.models import Category, Channel
from complaints.selectors import reports_matching, reports_received_between
from officers.selectors.inbox import SORTS
from officers.selectors.performance import LEVELS, Period
from routing.models import Unit


class InboxFilterForm(forms.Form):
    q = forms.CharField(label=_("Ticket or text"), max_length=100, required=False)
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.all(),
        required=False,
        empty_label=_("All categories"),
    )
    channel = forms.ModelChoiceField(
        label=_("Channel"),
        queryset=Channel.objects.all(),
        required=False,
        empty_label=_("All channels"),
    )
    received_from = forms.DateField(
        label=_("Received from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    received_to = forms.DateField(
        label=_("until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[
            ("due", _("Deadline first")),
            ("oldest", _("Oldest first")),
            ("newest", _("Newest first")),
        ],
    )

    def _in_range(self, name):
        day = self.cleaned_data.get(name)
        if day and not 2000 <= day.year <= 2100:
            raise forms.ValidationError(_("Choose a date between 2000 and 2100."))
        return day

    def clean_received_from(self):
        return self._in_range("received_from")

    def clean_received_to(self):
        return self._in_range("received_to")

    def clean(self):
        data = super().clean()
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def apply(self, reports):
        """The reports narrowed by the valid filters."""
        data = self.cleaned_data
        reports = reports_matching(reports, text=data.get("q") or "")
        if data.get("category"):
            reports = reports.filter(category=data["category"])
        if data.get("channel"):
            reports = reports.filter(channel=data["channel"])
        reports = reports_received_between(
            reports, first=data.get("received_from"), last=data.get("received_to")
        )
        return reports

    @property
    def chosen_sort(self) -> str:
        value = self.cleaned_data.get("sort") if self.is_valid() else ""
        return value if value in SORTS else "due"


class UnitSwitchForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=[u.pk for u in units])


class WarningForm(forms.Form):
    note = forms.CharField(
        label=_("Warning to the unit"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MonitoringFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of unit"),
        required=False,
        choices=[("", _("All units")), *Unit.Kind.choices],
    )
    q = forms.CharField(label=_("Unit"), max_length=100, required=False)
    days = forms.TypedChoiceField(
        label=_("Warnings of the last"),
        coerce=int,
        required=False,
        empty_value=30,
        choices=[(7, _("7 days")), (30, _("30 days")), (90, _("90 days"))],
    )


class AuditVerdictForm(forms.Form):
    adequate = forms.TypedChoiceField(
        label=_("Verdict"),
        choices=[("1", _("Adequate")), ("0", _("Not adequate"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PerformanceFilterForm(forms.Form):
    period = forms.CharField(
        label=_("Period"),
        max_length=7,
        required=False,
        help_text=_("A year (2026) or a month (2026-10)."),
    )
    level = forms.ChoiceField(label=_("Units"), required=False, choices=[])
    within = forms.CharField(
        label=_("Within unit (code)"), max_length=40, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [
            (slug, label) for slug, (_kind, label) in LEVELS.items()
        ]

    def clean_period(self):
        text = self.cleaned_data.get("period")
        if not text:
            return Period.current_month()
        try:
            return Period.parse(text)
        except ValueError as exc:
            raise forms.ValidationError(
                _("Write a year (2026) or a month (2026-10).")
            ) from exc

    def clean_level(self):
        return self.cleaned_data.get("level") or "kota"

    def clean_within(self):
        code = (self.cleaned_data.get("within") or "").strip()
        if not code:
            return None
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            raise forms.ValidationError(_("Unknown unit."))
        return unit


class CommentHideForm(forms.Form):
    """Why a citizen's comment is hidden: the public page shows this reason."""

    reason = forms.CharField(
        label=_("Why hide it (shown publicly)"),
        max_length=300,
        error_messages={"required": _("Say why the comment is hidden.")},
    )
