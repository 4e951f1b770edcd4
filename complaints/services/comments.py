"""Public comments on a report, and hiding them.

A citizen comments under the name they choose (or as "a citizen"); an officer
comments in the name of their unit, never their own. Officers of the units working
on the report, the monitoring room and supervisors may hide a comment; the page
then says who hid it and why, instead of the comment.

Only an officer's comment speaks for the city: the page marks it "official". So
that a citizen cannot look like a unit, their display name may not be a unit's name
nor contain a word that names a kind of government office (``OFFICIAL_WORDS``,
whole words, any case): "Warga Gambir" is fine, "Kelurahan Gambir", "Sudin
Bina Marga" or "Pak Lurah" are not.
"""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import Comment, Coordination, Report
from complaints.selectors import integrator_of
from complaints.services.events import event_record
from complaints.workflow import R, roles_of
from officers.models import Membership
from officers.permissions import is_officer
from routing.models import Unit

BODY_MAX_LENGTH = 2000
DISPLAY_NAME_MAX_LENGTH = 60
HIDE_REASON_MAX_LENGTH = 300
# Nobody follows these up any more: a conversation there would go unanswered.
CLOSED_TO_COMMENTS = (Report.Status.REJECTED, Report.Status.MERGED)
# Words in the names of units (routing/services.py, routing/data/agencies.json) and
# in the titles of their heads.
OFFICIAL_WORDS = (
    "kelurahan",
    "kecamatan",
    "suku dinas",
    "sudin",
    "dinas",
    "walikota",
    "wali kota",
    "kota administrasi",
    "pemerintah",
    "pemprov",
    "pemkot",
    "satpol pp",
    "lurah",
    "camat",
)
_OFFICIAL_WORD = re.compile(
    r"\b(?:" + "|".join(w.replace(" ", r"\s+") for w in OFFICIAL_WORDS) + r")\b",
    re.IGNORECASE,
)
MAY_HIDE = {
    R.HANDLING_OFFICER,
    R.COORDINATING_OFFICER,
    R.MONITORING,
    R.SUPERVISOR,
}


def comment_add(*, actor, report: Report, body: str, display_name: str = "") -> Comment:
    """Add the actor's comment to the report. Refused when blank or too long, and on
    rejected or merged reports. An officer's comment carries their unit."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied(_("Log in to comment."))
    body = (body or "").strip()
    display_name = " ".join((display_name or "").split())
    errors: dict[str, list[str]] = {}
    if not body:
        errors["body"] = [_("Write a comment.")]
    elif len(body) > BODY_MAX_LENGTH:
        errors["body"] = [_("At most %(max)d characters.") % {"max": BODY_MAX_LENGTH}]
    elif "\x00" in body:
        # PostgreSQL cannot store it; markup and any other character are kept.
        errors["body"] = [_("Null characters are not allowed.")]
    if len(display_name) > DISPLAY_NAME_MAX_LENGTH:
        errors["display_name"] = [
            _("At most %(max)d characters.") % {"max": DISPLAY_NAME_MAX_LENGTH}
        ]
    elif "\x00" in display_name:
        errors["display_name"] = [_("Null characters are not allowed.")]
    # A unit's system speaks for its unit, as the unit's officers do.
    integrator = integrator_of(actor)
    unit_system = integrator.unit if integrator and integrator.unit_id else None
    officer = unit_system is not None or is_officer(actor)
    if (
        not errors.get("display_name")
        and not officer
        and _sounds_official(display_name)
    ):
        errors["display_name"] = [
            _(
                "This name belongs to the city's units: only their officers speak "
                "for them. Choose another name, or leave it empty."
            )
        ]
    if errors:
        raise ValidationError(errors)
    if report.status in CLOSED_TO_COMMENTS:
        raise ValidationError(
            _("This report is no longer followed up: comments are closed."),
            code="closed",
        )
    unit = None
    if officer:
        unit = unit_on_report(actor=actor, report=report)
        if unit is None:
            unit = (
                unit_system
                or Unit.objects.filter(memberships__user=actor).order_by("pk").first()
            )
        if unit is None:
            raise ValidationError(
                _("Officers comment in the name of a unit, and you belong to none."),
                code="no_unit",
            )
        display_name = ""  # officers appear as their unit, never by name
    with transaction.atomic():
        return Comment.objects.create(
            report=report,
            author=actor,
            author_unit=unit,
            display_name=display_name,
            body=body,
            created_at=timezone.now(),
        )


def _sounds_official(display_name: str) -> bool:
    """Whether a citizen's display name could pass for a unit's (see the module)."""
    if not display_name:
        return False
    return bool(_OFFICIAL_WORD.search(display_name)) or (
        Unit.objects.filter(name__iexact=display_name).exists()
    )


def unit_on_report(*, actor, report: Report) -> Unit | None:
    """The unit the actor works on this report for: the handling unit, or a unit
    coordinating it; None if neither."""
    member_of = set(
        Membership.objects.filter(user=actor).values_list("unit_id", flat=True)
    )
    integrator = integrator_of(actor)
    if integrator is not None and integrator.unit_id is not None:
        member_of.add(integrator.unit_id)
    if report.handling_unit_id in member_of:
        return Unit.objects.get(pk=report.handling_unit_id)
    coordination = (
        Coordination.objects.filter(
            report=report, unit_id__in=member_of, ended_at__isnull=True
        )
        .select_related("unit")
        .order_by("invited_at")
        .first()
    )
    return coordination.unit if coordination else None


def comment_may_hide(*, actor, report: Report) -> bool:
    """Whether the actor may hide comments on this report (for showing the form)."""
    return bool(roles_of(actor, report) & MAY_HIDE)


def comment_hide(*, actor, comment: Comment, reason: str) -> Comment:
    """Hide a comment, saying why; the page shows who hid it and the reason. An
    internal timeline event records it for the units."""
    reason = " ".join((reason or "").split())
    report = comment.report
    roles = roles_of(actor, report)
    if not roles & MAY_HIDE:
        raise PermissionDenied(
            _(
                "Only the units working on this report, the monitoring room and "
                "supervisors may hide its comments."
            )
        )
    if not reason:
        raise ValidationError({"reason": [_("Say why the comment is hidden.")]})
    if len(reason) > HIDE_REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": [
                    _("At most %(max)d characters.") % {"max": HIDE_REASON_MAX_LENGTH}
                ]
            }
        )
    unit = unit_on_report(actor=actor, report=report)
    if unit is None and R.HANDLING_OFFICER in roles:
        unit = report.handling_unit  # granted this one report by a supervisor
    now = timezone.now()
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        if locked.hidden_at is not None:
            raise ValidationError(
                _("This comment is already hidden."), code="already_hidden"
            )
        locked.hidden_at = now
        locked.hidden_by = actor
        locked.hidden_by_unit = unit
        locked.hidden_reason = reason
        locked.save(
            update_fields=["hidden_at", "hidden_by", "hidden_by_unit", "hidden_reason"]
        )
        event_record(
            report=report,
            action="comment_hidden",
            at=now,
            actor=actor,
            unit=unit,
            note=reason,
            data={"comment": locked.pk},
            is_public=False,
        )
    return locked
