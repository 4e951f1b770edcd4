"""The one place a report changes status: the transition table and its actions.

Every action goes through ``transition``: it locks the report row, checks the
table (status × action → new status, and who may do it), checks the actor's rights
on this very report, applies the action, bumps the report's version, appends an
immutable timeline event and queues the notifications after commit.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import TextChoices
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_q.tasks import async_task

from complaints.models import (
    Coordination,
    Custody,
    ExtensionRequest,
    Report,
    ReportEvent,
    ReportPhoto,
    Support,
)
from complaints.selectors import integrator_of
from complaints.services.map_cells import map_cells_status_changed
from complaints.services.photos import (
    PhotoUpload,
    ProcessedPhoto,
    files_delete,
    photo_process,
    photos_store,
)
from officers.models import Membership
from officers.permissions import MONITORING_ROOM_GROUP, SUPERVISOR_GROUP
from routing.models import Unit
from transparency.aggregates import aggregates_refresh

S = Report.Status


class Action(TextChoices):
    ACCEPT = "accept", gettext_lazy("Accept and start work")
    REJECT = "reject", gettext_lazy("Reject")
    DISPOSE = "dispose", gettext_lazy("Dispose to another unit")
    ACCEPT_DISPOSITION = "accept_disposition", gettext_lazy("Accept the disposition")
    RETURN_DISPOSITION = "return_disposition", gettext_lazy("Return the disposition")
    COORDINATE = "coordinate", gettext_lazy("Coordinate with other units")
    FOLLOW_UP = "follow_up", gettext_lazy("Post a follow-up")
    COMPLETE = "complete", gettext_lazy("Complete")
    DISPUTE = "dispute", gettext_lazy("Dispute the follow-up")
    CONFIRM = "confirm", gettext_lazy("Confirm the fix")
    AUTO_CLOSE = "auto_close", gettext_lazy("Close automatically")
    SUPERVISOR_REOPEN = "supervisor_reopen", gettext_lazy("Reopen (supervisor)")
    SUPERVISOR_CLOSE = "supervisor_close", gettext_lazy("Close (supervisor)")
    MERGE = "merge", gettext_lazy("Merge as duplicate")
    REQUEST_EXTENSION = "request_extension", gettext_lazy("Request a later deadline")
    DECIDE_EXTENSION = "decide_extension", gettext_lazy("Decide on a deadline request")
    REPLY = "reply", gettext_lazy("Reply to the reporter")
    AUDIT_REOPEN = "audit_reopen", gettext_lazy("Reopen after a failed audit")


class Role(TextChoices):
    HANDLING_OFFICER = "handling_officer", gettext_lazy("Officer of the handling unit")
    HANDLING_HEAD = "handling_head", gettext_lazy("Head of the handling unit")
    COORDINATING_OFFICER = (
        "coordinating",
        gettext_lazy("Officer of a coordinating unit"),
    )
    REPORTER = "reporter", gettext_lazy("Reporter")
    SUPPORTER = "supporter", gettext_lazy("Supporter")
    MONITORING = "monitoring", gettext_lazy("Monitoring room")
    SUPERVISOR = "supervisor", gettext_lazy("Supervisor")
    SYSTEM = "system", gettext_lazy("System")


R = Role
HANDLERS_ROLES = frozenset({R.HANDLING_OFFICER, R.HANDLING_HEAD, R.SUPERVISOR})
HEADS = frozenset({R.HANDLING_HEAD, R.SUPERVISOR})
WORKERS = HANDLERS_ROLES | {R.COORDINATING_OFFICER}
OPEN = (S.NEW, S.DISPOSED, S.IN_PROCESS, S.COORDINATED, S.REOPENED)
# A disputed (reopened) report cannot be made to disappear by rejecting or merging it.
DISMISSABLE = (S.NEW, S.DISPOSED, S.IN_PROCESS, S.COORDINATED)
WORKING = (S.IN_PROCESS, S.COORDINATED)


@dataclass(frozen=True)
class Transition:
    to: str | None  # None: the status stays as it is
    roles: frozenset


def _rows() -> dict[tuple[str, str], Transition]:
    table: dict[tuple[str, str], Transition] = {}

    def allow(statuses, action, to, roles):
        for status in statuses:
            table[(status, action)] = Transition(to, frozenset(roles))

    allow([S.NEW, S.REOPENED], Action.ACCEPT, S.IN_PROCESS, HANDLERS_ROLES)
    allow(DISMISSABLE, Action.REJECT, S.REJECTED, HEADS)
    allow([S.NEW, S.REOPENED, *WORKING], Action.DISPOSE, S.DISPOSED, HANDLERS_ROLES)
    allow([S.DISPOSED], Action.ACCEPT_DISPOSITION, S.IN_PROCESS, HANDLERS_ROLES)
    allow([S.DISPOSED], Action.RETURN_DISPOSITION, S.NEW, HANDLERS_ROLES)
    allow(WORKING, Action.COORDINATE, S.COORDINATED, HANDLERS_ROLES)
    allow(WORKING, Action.FOLLOW_UP, None, WORKERS)
    allow(WORKING, Action.COMPLETE, S.DONE, HANDLERS_ROLES)
    allow([S.DONE], Action.DISPUTE, S.REOPENED, {R.REPORTER, R.SUPPORTER})
    allow([S.DONE], Action.CONFIRM, S.CLOSED, {R.REPORTER})
    allow([S.DONE], Action.AUTO_CLOSE, S.CLOSED, {R.SYSTEM})
    allow([S.DONE], Action.SUPERVISOR_REOPEN, S.REOPENED, {R.SUPERVISOR})
    allow([S.DONE], Action.SUPERVISOR_CLOSE, S.CLOSED, {R.SUPERVISOR})
    allow(DISMISSABLE, Action.MERGE, S.MERGED, HANDLERS_ROLES)
    allow([*WORKING, S.REOPENED], Action.REQUEST_EXTENSION, None, HANDLERS_ROLES)
    allow([*WORKING, S.REOPENED], Action.DECIDE_EXTENSION, None, HEADS)
    allow([*OPEN, S.DONE], Action.REPLY, None, HANDLERS_ROLES)
    # A supervisor's audit found the follow-up inadequate (officers.services.audit).
    allow([S.DONE, S.CLOSED], Action.AUDIT_REOPEN, S.REOPENED, {R.SUPERVISOR})
    return table


# status × action → (new status, who may). Anything not listed is refused.
TRANSITIONS: dict[tuple[str, str], Transition] = _rows()


class WorkflowError(Exception):
    """A refused action; ``status`` is the HTTP status a view should answer with."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, errors: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class UnknownAction(WorkflowError):
    code = "unknown_action"


class NotAllowedNow(WorkflowError):
    status = 409
    code = "not_allowed_in_status"


class Forbidden(WorkflowError):
    status = 403
    code = "forbidden"


class Stale(WorkflowError):
    status = 409
    code = "stale"


class InvalidInput(WorkflowError):
    code = "invalid"


# -- who is the actor, for this report ---------------------------------------------


def roles_of(actor, report: Report) -> set[str]:
    """The actor's roles on this report: from unit memberships, city-wide groups,
    per-object grants (django-guardian) and the citizen's own links to it."""
    if actor is None or not actor.is_authenticated:
        return set()
    roles: set[str] = set()
    groups = set(actor.groups.values_list("name", flat=True))
    if actor.is_superuser or SUPERVISOR_GROUP in groups:
        roles.add(R.SUPERVISOR)
    if MONITORING_ROOM_GROUP in groups:
        roles.add(R.MONITORING)
    memberships = dict(
        Membership.objects.filter(user=actor).values_list("unit_id", "role")
    )
    integrator = integrator_of(actor)
    if integrator is not None:
        # A unit's system works its unit's reports as an officer of the unit; a
        # connector speaks for the citizens whose reports it brought in.
        if integrator.unit_id is not None:
            memberships.setdefault(integrator.unit_id, Membership.Role.OFFICER)
        if report.integrator_id == integrator.pk:
            roles.add(R.REPORTER)
    held = memberships.get(report.handling_unit_id)
    if held is not None:
        roles.add(R.HANDLING_OFFICER)
        if held == Membership.Role.HEAD:
            roles.add(R.HANDLING_HEAD)
    elif actor.has_perm("complaints.act_on_report", report):
        # A supervisor may hand one report to one officer outside the unit.
        roles.add(R.HANDLING_OFFICER)
    if (
        memberships
        and Coordination.objects.filter(
            report=report, unit_id__in=memberships, ended_at__isnull=True
        ).exists()
    ):
        roles.add(R.COORDINATING_OFFICER)
    if report.reporter_id == actor.pk:
        roles.add(R.REPORTER)
    # Only support given before the follow-up was done counts: a stranger cannot
    # "+1" a finished report just to reopen it.
    supports = Support.objects.filter(report=report, user=actor)
    if report.completed_at is not None:
        supports = supports.filter(created_at__lt=report.completed_at)
    if supports.exists():
        roles.add(R.SUPPORTER)
    return roles


# Conditions beyond the table that decide whether offering an action makes sense.
_OFFER_ONLY_IF: dict[str, Callable[[Report], bool]] = {
    Action.SUPERVISOR_REOPEN: lambda r: r.needs_supervisor,
    Action.SUPERVISOR_CLOSE: lambda r: r.needs_supervisor,
    Action.DECIDE_EXTENSION: lambda r: r.extension_requests.filter(
        state=ExtensionRequest.State.PENDING
    ).exists(),
    Action.REQUEST_EXTENSION: lambda r: (
        not r.extension_requests.filter(state=ExtensionRequest.State.PENDING).exists()
    ),
    Action.AUTO_CLOSE: lambda r: False,
    # Only through a supervisor's audit verdict, which records why.
    Action.AUDIT_REOPEN: lambda r: False,
}


def allowed_actions(*, actor, report: Report) -> list[str]:
    """The actions this actor may try on this report now (for showing buttons)."""
    roles = roles_of(actor, report)
    return [
        action
        for action in Action.values
        if (spec := TRANSITIONS.get((report.status, action)))
        and roles & spec.roles
        and _OFFER_ONLY_IF.get(action, lambda r: True)(report)
    ]


# -- the actions -------------------------------------------------------------------


@dataclass
class Step:
    """What one action does, filled in by its handler."""

    report: Report
    actor: object
    roles: set[str]
    params: dict
    now: datetime
    to: str | None
    fields: set[str] = field(default_factory=set)
    note: str = ""
    target_unit: Unit | None = None
    data: dict = field(default_factory=dict)
    is_public: bool = True
    photos: list[ProcessedPhoto] = field(default_factory=list)
    photo_kind: str = ReportPhoto.Kind.PROOF
    after_event: list[Callable[[ReportEvent], None]] = field(default_factory=list)

    def set(self, **values) -> None:
        for name, value in values.items():
            setattr(self.report, name, value)
            self.fields.add(name)


def _text(step: Step, name: str, *, required: bool, label: str) -> str:
    value = str(step.params.get(name) or "").strip()
    if required and not value:
        raise InvalidInput(
            _("%(field)s is required.") % {"field": label}, errors={name: [label]}
        )
    if len(value) > 5000:
        raise InvalidInput(_("At most 5000 characters."), errors={name: ["5000"]})
    if "\x00" in value:
        # PostgreSQL cannot store it; markup and any other character are kept.
        raise InvalidInput(
            _("Null characters are not allowed."), errors={name: [label]}
        )
    return value


def _responded(step: Step) -> None:
    if step.report.first_response_at is None:
        step.set(first_response_at=step.now)


def _end_coordination(step: Step) -> None:
    Coordination.objects.filter(report=step.report, ended_at__isnull=True).update(
        ended_at=step.now
    )


def _move_custody(step: Step, unit: Unit | None) -> None:
    Custody.objects.filter(report=step.report, ended_at__isnull=True).update(
        ended_at=step.now
    )
    if unit is not None:
        Custody.objects.create(report=step.report, unit=unit, started_at=step.now)


def _withdraw_extensions(step: Step) -> None:
    """A pending deadline request lapses when the unit or the work changes."""
    step.report.extension_requests.filter(state=ExtensionRequest.State.PENDING).update(
        state=ExtensionRequest.State.WITHDRAWN, decided_at=step.now
    )


def _target_unit(step: Step) -> Unit:
    raw = step.params.get("unit")
    unit = raw if isinstance(raw, Unit) else Unit.objects.filter(pk=raw).first()
    if unit is None or not unit.is_active:
        raise InvalidInput(
            _("Choose an active unit."), errors={"unit": [_("Unknown or closed unit.")]}
        )
    if unit.pk == step.report.handling_unit_id:
        raise InvalidInput(
            _("The report is already with this unit."),
            errors={"unit": [_("Choose another unit.")]},
        )
    return unit


def _accept(step: Step) -> None:
    planned = step.params.get("planned_completion_at")
    if planned is not None:
        if planned <= step.now:
            raise InvalidInput(
                _("The planned completion must be in the future."),
                errors={"planned_completion_at": [_("Must be in the future.")]},
            )
        step.set(planned_completion_at=planned)
        step.data["planned_completion_at"] = planned.isoformat()
    step.note = _text(step, "note", required=False, label=_("Note"))
    _responded(step)


def _reject(step: Step) -> None:
    reason = step.params.get("reason")
    if reason not in Report.RejectionReason.values:
        raise InvalidInput(
            _("Choose why the report is rejected."),
            errors={"reason": [_("Choose a reason.")]},
        )
    step.note = _text(step, "note", required=False, label=_("Note"))
    step.set(rejection_reason=reason, closed_at=step.now)
    step.data["reason"] = reason
    _responded(step)
    _end_coordination(step)
    _withdraw_extensions(step)
    _move_custody(step, None)


def _dispose(step: Step) -> None:
    unit = _target_unit(step)
    step.note = _text(step, "note", required=True, label=_("Reason"))
    step.target_unit = unit
    step.set(
        disposed_from=step.report.handling_unit,
        handling_unit=unit,
        assigned_at=step.now,
        # The receiving unit gets its own time to respond.
        response_due_at=step.now + timedelta(hours=step.report.category.response_hours),
    )
    _responded(step)
    _end_coordination(step)
    _withdraw_extensions(step)
    _move_custody(step, unit)


def _accept_disposition(step: Step) -> None:
    step.note = _text(step, "note", required=False, label=_("Note"))
    # The hand-over is over: the sender no longer follows the report.
    step.data["from_unit"] = getattr(step.report.disposed_from, "name", "")
    step.set(disposed_from=None)


def _return_disposition(step: Step) -> None:
    back_to = step.report.disposed_from
    if back_to is None:  # pragma: no cover - DISPOSED always has a sender
        raise NotAllowedNow(_("This report has no unit to return to."))
    step.note = _text(step, "note", required=True, label=_("Reason"))
    receiver = step.report.handling_unit
    step.target_unit = back_to
    step.set(
        handling_unit=back_to,
        disposed_from=None,
        assigned_at=step.now,
        response_due_at=step.now + timedelta(hours=step.report.category.response_hours),
    )
    _move_custody(step, back_to)
    pair = sorted([receiver.pk, back_to.pk])
    step.data["between"] = pair
    earlier = sum(
        1
        for data in ReportEvent.objects.filter(
            report=step.report, action=Action.RETURN_DISPOSITION
        ).values_list("data", flat=True)
        if (data or {}).get("between") == pair
    )
    if earlier + 1 >= 2 and not step.report.ping_pong:
        # The second return between the same two units: no endless ping-pong.
        step.set(ping_pong=True)
        step.data["ping_pong"] = True


def _coordinate(step: Step) -> None:
    raw = step.params.get("units") or []
    units = list(Unit.objects.filter(pk__in=[getattr(u, "pk", u) for u in raw]))
    open_ids = set(
        Coordination.objects.filter(
            report=step.report, ended_at__isnull=True
        ).values_list("unit_id", flat=True)
    )
    problems = [
        u.name
        for u in units
        if not u.is_active or u.pk == step.report.handling_unit_id or u.pk in open_ids
    ]
    wanted = {str(getattr(u, "pk", u)) for u in raw}
    if not units or len(units) != len(wanted) or problems:
        raise InvalidInput(
            _("Choose active units that are not already working on this report."),
            errors={"units": problems or [_("Choose at least one unit.")]},
        )
    step.note = _text(step, "note", required=False, label=_("Note"))
    Coordination.objects.bulk_create(
        [
            Coordination(
                report=step.report, unit=u, invited_by=step.actor, invited_at=step.now
            )
            for u in units
        ]
    )
    step.data["units"] = [u.name for u in units]
    if len(units) == 1:
        step.target_unit = units[0]


def _acting_unit_for_follow_up(step: Step) -> Unit | None:
    if R.HANDLING_OFFICER in step.roles or R.SUPERVISOR in step.roles:
        return step.report.handling_unit
    member_of = Membership.objects.filter(user=step.actor).values_list(
        "unit_id", flat=True
    )
    coordination = (
        Coordination.objects.filter(
            report=step.report, unit_id__in=member_of, ended_at__isnull=True
        )
        .select_related("unit")
        .first()
    )
    return coordination.unit if coordination else None


def _check_proof(step: Step) -> None:
    """Proof must be new: not taken before the report, not the reporter's own
    photo (as sent, or as downloaded from the portal)."""
    evidence = set()
    for sent, stored in step.report.photos.exclude(
        kind=ReportPhoto.Kind.PROOF
    ).values_list("sha256", "stored_sha256"):
        evidence |= {sent, stored}
    for photo in step.photos:
        if photo.sha256 in evidence:
            raise InvalidInput(
                _("A proof photo cannot be the reporter's own photo."),
                errors={"photos": [_("Take a new photo of the result.")]},
            )
        if photo.taken_at is not None and photo.taken_at < step.report.created_at:
            raise InvalidInput(
                _("This photo was taken before the report was made."),
                errors={"photos": [_("Take a new photo of the result.")]},
            )


def _follow_up(step: Step) -> None:
    step.note = _text(step, "note", required=True, label=_("Follow-up"))
    _check_proof(step)
    step.data["unit"] = getattr(_acting_unit_for_follow_up(step), "name", "")
    _responded(step)


def _complete(step: Step) -> None:
    _check_proof(step)
    step.note = _text(step, "note", required=False, label=_("Note"))
    # Proof from before a dispute proved nothing: only proof posted since the
    # report was last reopened counts.
    reopened = (
        ReportEvent.objects.filter(report=step.report, to_status=S.REOPENED)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    earlier_proof = step.report.photos.filter(kind=ReportPhoto.Kind.PROOF)
    if reopened is not None:
        earlier_proof = earlier_proof.filter(created_at__gt=reopened)
    has_proof = bool(step.photos) or earlier_proof.exists()
    if not has_proof:
        raise InvalidInput(
            _("Completing needs at least one proof photo taken after the report."),
            errors={"photos": [_("Add a proof photo of the result.")]},
        )
    step.set(completed_at=step.now)
    _responded(step)
    _end_coordination(step)
    _withdraw_extensions(step)


def _dispute(step: Step) -> None:
    window = timedelta(days=settings.WARGA_DISPUTE_WINDOW_DAYS)
    if step.report.completed_at and step.now > step.report.completed_at + window:
        raise NotAllowedNow(
            _("The time to dispute this follow-up (%(days)d days) has passed.")
            % {"days": settings.WARGA_DISPUTE_WINDOW_DAYS}
        )
    if step.report.needs_supervisor:
        raise NotAllowedNow(_("A supervisor is already deciding on this report."))
    step.note = _text(step, "note", required=True, label=_("Reason"))
    step.photo_kind = ReportPhoto.Kind.DISPUTE
    # Counted against the unit whose follow-up is disputed.
    step.target_unit = step.report.handling_unit
    count = step.report.dispute_count + 1
    step.set(dispute_count=count)
    step.data["count"] = count
    if count > settings.WARGA_MAX_DISPUTES:
        # Disputes are bounded: past the bound a supervisor decides.
        step.to = None
        step.set(needs_supervisor=True)
        step.data["escalated"] = True
    else:
        step.set(completed_at=None)
        _restart_response_clock(step)


def _restart_response_clock(step: Step) -> None:
    """A reopened report is work to do again: the unit gets the category's
    response time from now, and at least the category's completion time (a
    deadline already later stays), so the SLA ladder starts from the reopening
    instead of escalating to the top at once."""
    category = step.report.category
    step.set(
        assigned_at=step.now,
        response_due_at=step.now + timedelta(hours=category.response_hours),
        completion_due_at=max(
            step.report.completion_due_at,
            step.now + timedelta(days=category.completion_days),
        ),
    )


def _confirm(step: Step) -> None:
    step.note = _text(step, "note", required=False, label=_("Note"))
    step.set(closed_at=step.now, needs_supervisor=False)
    _move_custody(step, None)


def _auto_close(step: Step) -> None:
    window = timedelta(days=settings.WARGA_DISPUTE_WINDOW_DAYS)
    if step.report.needs_supervisor or (
        step.report.completed_at and step.now < step.report.completed_at + window
    ):
        raise NotAllowedNow(_("The dispute window is still open."))
    step.set(closed_at=step.now)
    _move_custody(step, None)


def _supervisor_decision(step: Step) -> None:
    if not step.report.needs_supervisor:
        raise NotAllowedNow(_("No dispute is waiting for a supervisor."))
    step.note = _text(step, "note", required=True, label=_("Decision"))
    step.set(needs_supervisor=False)
    if step.to == S.CLOSED:
        step.set(closed_at=step.now)
        _move_custody(step, None)
    else:
        step.set(completed_at=None)
        _restart_response_clock(step)


def _audit_reopen(step: Step) -> None:
    step.note = _text(step, "note", required=True, label=_("Audit finding"))
    # Counted against the unit whose follow-up failed the audit.
    step.target_unit = step.report.handling_unit
    step.set(completed_at=None, closed_at=None, needs_supervisor=False)
    _restart_response_clock(step)
    if step.report.status == S.CLOSED:
        _move_custody(step, step.report.handling_unit)


def _reply(step: Step) -> None:
    step.note = _text(step, "note", required=True, label=_("Reply"))


def _merge(step: Step) -> None:
    raw = step.params.get("parent")
    parent = (
        raw
        if isinstance(raw, Report)
        else Report.objects.filter(ticket=str(raw or "").strip().upper()).first()
    )
    if parent is None or parent.pk == step.report.pk:
        raise InvalidInput(
            _("Give the ticket of another report."),
            errors={"parent": [_("Unknown ticket.")]},
        )
    if parent.status in (S.MERGED, S.REJECTED):
        raise InvalidInput(
            _("A report cannot be merged into a merged or rejected report."),
            errors={"parent": [_("Choose the original report.")]},
        )
    step.note = _text(step, "note", required=False, label=_("Note"))
    step.set(parent=parent, closed_at=step.now)
    step.data["parent"] = parent.ticket
    _responded(step)
    _end_coordination(step)
    _withdraw_extensions(step)
    _move_custody(step, None)

    def tell_parent(event: ReportEvent) -> None:
        added = ReportEvent.objects.create(
            report=parent,
            kind=ReportEvent.Kind.ACTION,
            action="duplicate_added",
            actor=step.actor
            if getattr(step.actor, "is_authenticated", False)
            else None,
            from_status=parent.status,
            to_status=parent.status,
            data={"child": step.report.ticket},
            created_at=step.now,
        )
        transaction.on_commit(
            lambda: async_task("complaints.tasks.event_notify", added.pk), robust=True
        )

    step.after_event.append(tell_parent)


def _request_extension(step: Step) -> None:
    new_due = step.params.get("new_due_at")
    if not isinstance(new_due, datetime) or new_due <= max(
        step.report.completion_due_at, step.now
    ):
        raise InvalidInput(
            _("The new deadline must be in the future and later than the current one."),
            errors={"new_due_at": [_("Later than the current deadline.")]},
        )
    if step.report.extension_requests.filter(
        state=ExtensionRequest.State.PENDING
    ).exists():
        raise NotAllowedNow(_("A deadline request is already waiting for a decision."))
    step.note = _text(step, "note", required=True, label=_("Reason"))
    step.is_public = False
    ExtensionRequest.objects.create(
        report=step.report,
        unit=step.report.handling_unit,
        requested_by=step.actor,
        reason=step.note,
        new_due_at=new_due,
        previous_due_at=step.report.completion_due_at,
        created_at=step.now,
    )
    step.data["new_due_at"] = new_due.isoformat()


def _decide_extension(step: Step) -> None:
    pending = (
        step.report.extension_requests.select_for_update()
        .filter(state=ExtensionRequest.State.PENDING)
        .first()
    )
    if pending is None:
        raise NotAllowedNow(_("No deadline request is waiting for a decision."))
    if pending.requested_by_id == getattr(step.actor, "pk", None) and (
        R.SUPERVISOR not in step.roles
    ):
        raise Forbidden(_("Someone else must decide on your own request."))
    approve = bool(step.params.get("approve"))
    step.note = _text(step, "note", required=not approve, label=_("Reason"))
    pending.state = (
        ExtensionRequest.State.APPROVED if approve else ExtensionRequest.State.REFUSED
    )
    pending.decided_by = step.actor
    pending.decided_at = step.now
    pending.decision_note = step.note
    pending.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    step.data.update(
        {"approved": approve, "new_due_at": pending.new_due_at.isoformat()}
    )
    step.note = step.note or pending.reason
    if approve:
        # The deadline moves, and the public timeline says why.
        step.set(completion_due_at=pending.new_due_at)
    else:
        step.is_public = False


HANDLERS: dict[str, Callable[[Step], None]] = {
    Action.ACCEPT: _accept,
    Action.REJECT: _reject,
    Action.DISPOSE: _dispose,
    Action.ACCEPT_DISPOSITION: _accept_disposition,
    Action.RETURN_DISPOSITION: _return_disposition,
    Action.COORDINATE: _coordinate,
    Action.FOLLOW_UP: _follow_up,
    Action.COMPLETE: _complete,
    Action.DISPUTE: _dispute,
    Action.CONFIRM: _confirm,
    Action.AUTO_CLOSE: _auto_close,
    Action.SUPERVISOR_REOPEN: _supervisor_decision,
    Action.SUPERVISOR_CLOSE: _supervisor_decision,
    Action.MERGE: _merge,
    Action.REQUEST_EXTENSION: _request_extension,
    Action.DECIDE_EXTENSION: _decide_extension,
    Action.REPLY: _reply,
    Action.AUDIT_REOPEN: _audit_reopen,
}
# Actions whose photos are accepted (follow-up and completion proof, dispute).
WITH_PHOTOS = {Action.FOLLOW_UP, Action.COMPLETE, Action.DISPUTE}


def _acting_unit(step: Step) -> Unit | None:
    if step.roles & {R.HANDLING_OFFICER, R.HANDLING_HEAD}:
        return step.report.handling_unit
    if R.COORDINATING_OFFICER in step.roles:
        return _acting_unit_for_follow_up(step)
    return None


def transition(
    *,
    actor,
    report_id: int,
    action: str,
    expected_version: int | None = None,
    photos: Sequence[PhotoUpload] = (),
    system: bool = False,
    **params,
) -> ReportEvent:
    """Do ``action`` on the report as ``actor``; raise a WorkflowError, with the
    report and its timeline unchanged, when it may not be done."""
    if action not in HANDLERS:
        raise UnknownAction(_("Unknown action."))
    if photos and action not in WITH_PHOTOS:
        raise InvalidInput(_("This action takes no photos."), errors={"photos": []})
    if len(photos) > settings.WARGA_MAX_PHOTOS:
        raise InvalidInput(
            _("At most %(n)d photos.") % {"n": settings.WARGA_MAX_PHOTOS},
            errors={"photos": []},
        )
    # Decode outside the row lock: it is the slow part.
    processed = []
    for upload in photos:
        try:
            processed.append(photo_process(data=upload.data, name=upload.name))
        except ValidationError as exc:
            raise InvalidInput(
                exc.messages[0], errors={"photos": exc.messages}
            ) from exc

    saved_files: list[str] = []
    try:
        with transaction.atomic():
            event = _transition_locked(
                actor=actor,
                report_id=report_id,
                action=action,
                expected_version=expected_version,
                processed=processed,
                system=system,
                params=params,
                saved_files=saved_files,
            )
    except BaseException:
        files_delete(saved_files)
        raise
    return event


def _transition_locked(
    *,
    actor,
    report_id: int,
    action: str,
    expected_version: int | None,
    processed: list[ProcessedPhoto],
    system: bool,
    params: dict,
    saved_files: list[str],
) -> ReportEvent:
    report = (
        Report.objects.select_for_update(of=("self",))
        .select_related("category", "handling_unit", "disposed_from")
        .get(pk=report_id)
    )
    if expected_version is not None and report.version != expected_version:
        raise Stale(
            _(
                "Someone else changed this report while you were looking at it. "
                "Check its new state and try again."
            )
        )
    spec = TRANSITIONS.get((report.status, action))
    if spec is None:
        raise NotAllowedNow(
            _("This cannot be done while the report is '%(status)s'.")
            % {"status": report.get_status_display()}
        )
    roles = {R.SYSTEM} if system else roles_of(actor, report)
    if not roles & spec.roles:
        raise Forbidden(_("You may not do this on this report."))

    step = Step(
        report=report,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        roles=roles,
        params=params,
        now=timezone.now(),
        to=spec.to,
        photos=processed,
    )
    acting_unit = _acting_unit(step)
    from_status = report.status
    HANDLERS[action](step)
    if step.to is not None and step.to != from_status:
        step.set(status=step.to)
    if action != Action.REPLY:
        # A reply changes nothing an open form relies on: it leaves them valid.
        step.set(version=report.version + 1)
    report.save(update_fields=sorted(step.fields | {"updated_at"}))
    event = ReportEvent.objects.create(
        report=report,
        kind=ReportEvent.Kind.ACTION,
        action=action,
        actor=step.actor,
        from_status=from_status,
        to_status=report.status,
        unit=acting_unit,
        target_unit=step.target_unit,
        note=step.note,
        data=step.data,
        is_public=step.is_public,
        created_at=step.now,
    )
    photos_store(
        report=report,
        photos=step.photos,
        kind=step.photo_kind,
        uploaded_by=step.actor,
        event=event,
        saved_files=saved_files,
    )
    for hook in step.after_event:
        hook(event)
    map_cells_status_changed(report=report, from_status=from_status)
    aggregates_refresh(report_id=report.pk)
    event_id = event.pk
    transaction.on_commit(
        lambda: async_task("complaints.tasks.event_notify", event_id), robust=True
    )
    transaction.on_commit(
        lambda: async_task("complaints.tasks.webhooks_fan_out", event_id), robust=True
    )
    return event
