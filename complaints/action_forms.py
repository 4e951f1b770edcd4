"""One small form per workflow action; complaints.workflow decides."""

from datetime import date, datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.forms import MultiplePhotoField, MultiplePhotoInput
from complaints.models import Report
from complaints.workflow import Action
from routing.models import Unit


class ActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, report: Report, **kwargs):
        self.report = report
        super().__init__(*args, **kwargs)

    def params(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data.pop("photos", None)
        return data


def _camera():
    """On a phone the proof photo comes straight from the back camera."""
    return MultiplePhotoInput(
        attrs={
            "accept": "image/jpeg,image/png,image/webp,image/heic,image/heif",
            "capture": "environment",
        }
    )


class WithPhotos(ActionForm):
    photos = MultiplePhotoField(
        label=_("Proof photos"), required=False, widget=_camera()
    )


class RequiredNote(ActionForm):
    note = forms.CharField(
        label=_("Reason"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class UnitsField(forms.ModelMultipleChoiceField):
    """Ids that cannot be primary keys are refused before they reach the query
    (SQLite overflows on a 30-digit integer)."""

    def _check_values(self, value):
        for item in value:
            if not str(item).isdigit() or len(str(item)) > 18:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": item},
                )
        return super()._check_values(value)


def _units(report: Report):
    return Unit.objects.filter(is_active=True).exclude(pk=report.handling_unit_id)


def planned_completion_at(day: date) -> datetime:
    """A planned completion day means the end of that working day (WIB)."""
    return timezone.make_aware(datetime.combine(day, time(17, 0)))


def extension_due_at(day: date) -> datetime:
    """A new deadline day means the whole of that day (WIB)."""
    return timezone.make_aware(datetime.combine(day, time(23, 59)))


class AcceptForm(ActionForm):
    planned_completion = forms.DateField(
        label=_("Planned completion (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def params(self) -> dict:
        data = super().params()
        day = data.pop("planned_completion")
        if day:
            data["planned_completion_at"] = planned_completion_at(day)
        return data


class RejectForm(ActionForm):
    reason = forms.ChoiceField(
        label=_("Reason"), choices=Report.RejectionReason.choices
    )


class DisposeForm(RequiredNote):
    unit = forms.ModelChoiceField(label=_("To unit"), queryset=Unit.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units(self.report)


class CoordinateForm(ActionForm):
    units = UnitsField(label=_("With units"), queryset=Unit.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = _units(self.report)


class FollowUpForm(WithPhotos):
    note = forms.CharField(
        label=_("What was done"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MergeForm(ActionForm):
    parent = forms.CharField(label=_("Ticket of the original report"), max_length=20)


class ExtensionRequestForm(RequiredNote):
    new_due = forms.DateField(
        label=_("New deadline"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def params(self) -> dict:
        data = super().params()
        data["new_due_at"] = extension_due_at(data.pop("new_due"))
        return data


class ExtensionDecisionForm(ActionForm):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Approve")), ("0", _("Refuse"))],
        coerce=lambda v: v == "1",
    )


class ReplyForm(ActionForm):
    note = forms.CharField(
        label=_("Message to the reporter"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DisputeForm(RequiredNote):
    photos = MultiplePhotoField(label=_("Photo (optional)"), required=False)


ACTION_FORMS: dict[str, type[ActionForm]] = {
    Action.ACCEPT: AcceptForm,
    Action.REJECT: RejectForm,
    Action.DISPOSE: DisposeForm,
    Action.ACCEPT_DISPOSITION: ActionForm,
    Action.RETURN_DISPOSITION: RequiredNote,
    Action.COORDINATE: CoordinateForm,
    Action.FOLLOW_UP: FollowUpForm,
    Action.COMPLETE: WithPhotos,
    Action.MERGE: MergeForm,
    Action.REQUEST_EXTENSION: ExtensionRequestForm,
    Action.DECIDE_EXTENSION: ExtensionDecisionForm,
    Action.SUPERVISOR_REOPEN: RequiredNote,
    Action.SUPERVISOR_CLOSE: RequiredNote,
    Action.DISPUTE: DisputeForm,
    Action.CONFIRM: ActionForm,
    Action.REPLY: ReplyForm,
}


class ActionOutcome:
    """What happened to a POSTed action: done, or refused with a message."""

    def __init__(self, *, form, event=None, error=None, status: int = 200):
        self.form, self.event, self.error, self.status = form, event, error, status

    @property
    def ok(self) -> bool:
        return self.event is not None


def action_run(request, *, report: Report, action: str) -> ActionOutcome:
    """Parse the action's form and hand it to the workflow; map refusals to the
    HTTP status a view should answer with (400 bad input, 403/404 wrong person,
    409 wrong moment or stale page)."""
    from complaints.forms import photo_uploads
    from complaints.workflow import WorkflowError, transition

    form_class = ACTION_FORMS.get(action)
    if form_class is None:
        return ActionOutcome(form=None, error=_("Unknown action."), status=400)
    form = form_class(request.POST, request.FILES, report=report)
    if not form.is_valid():
        return ActionOutcome(
            form=form, error=_("Please fix the marked fields."), status=400
        )
    try:
        event = transition(
            actor=request.user,
            report_id=report.pk,
            action=action,
            expected_version=form.cleaned_data["version"],
            photos=photo_uploads(form.cleaned_data.get("photos") or []),
            **form.params(),
        )
    except WorkflowError as exc:
        for field, messages in exc.errors.items():
            if field in form.fields:
                for message in messages:
                    form.add_error(field, message)
        return ActionOutcome(form=form, error=exc.message, status=exc.status)
    return ActionOutcome(form=form, event=event)
