"""How a report's status reads to the public: a colour and a reason.

Citizens know red, yellow and green from Qlue; the reason says *why* a report is
red or yellow so that work under way is never mistaken for neglect.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from complaints.models import Report

S = Report.Status
COLOUR_OF_STATUS = {
    S.NEW: "red",
    S.DISPOSED: "red",
    S.REOPENED: "red",
    S.IN_PROCESS: "yellow",
    S.COORDINATED: "yellow",
    S.DONE: "green",
    S.CLOSED: "green",
    S.REJECTED: "grey",
    S.MERGED: "grey",
}


# Public coordinates are rounded to about 100 m: enough to find the problem, too
# coarse to point at the reporter's house when they reported from home.
PUBLIC_COORDINATE_DECIMALS = 3


def public_point(
    latitude: float | None, longitude: float | None
) -> tuple[float, float] | None:
    """A report's location as the public may see it, or None when it has none."""
    if latitude is None or longitude is None:
        return None
    return (
        round(latitude, PUBLIC_COORDINATE_DECIMALS),
        round(longitude, PUBLIC_COORDINATE_DECIMALS),
    )


@dataclass(frozen=True)
class PublicState:
    colour: str
    label: str
    reason: str


def colour_labels() -> dict[str, str]:
    """What each public colour is called, in the reader's language."""
    return {
        "red": _("Waiting"),
        "yellow": _("In process"),
        "green": _("Done"),
        "grey": _("Not followed up"),
    }


def _colour_label(colour: str) -> str:
    if colour == "red":
        return _("Waiting")
    if colour == "yellow":
        return _("In process")
    if colour == "green":
        return _("Done")
    return _("Not followed up")


def public_state(
    report: Report, *, coordinating: list[str] | None = None
) -> PublicState:
    """``coordinating``: names of the units coordinating on the report, when the
    caller has them at hand (lists prefetch them); otherwise they are read here."""
    unit = report.handling_unit.name
    colour = COLOUR_OF_STATUS[report.status]
    status = report.status
    if status == S.COORDINATED:
        if coordinating is None and hasattr(report, "open_coordinations"):
            coordinating = [c.unit.name for c in report.open_coordinations]
        if coordinating is None:
            coordinating = list(
                report.coordination_set.filter(ended_at__isnull=True)
                .order_by("invited_at")
                .values_list("unit__name", flat=True)
            )
        reason = _("%(unit)s is coordinating with %(units)s") % {
            "unit": unit,
            "units": ", ".join(coordinating),
        }
    elif status == S.REJECTED:
        reason = _("rejected: %(reason)s") % {
            "reason": Report.RejectionReason(report.rejection_reason).label
        }
    elif status == S.MERGED:
        parent = report.parent
        parent_state = public_state(parent)
        reason = _("duplicate of %(ticket)s, which is: %(state)s") % {
            "ticket": parent.ticket,
            "state": f"{parent_state.label} ({parent_state.reason})",
        }
    elif status == S.DONE and report.needs_supervisor:
        reason = _("disputed again: a supervisor is deciding")
    elif status == S.NEW:
        reason = _("waiting for %(unit)s") % {"unit": unit}
    elif status == S.DISPOSED:
        reason = _("disposed to %(unit)s") % {"unit": unit}
    elif status == S.REOPENED:
        reason = _("reopened by the reporter, back with %(unit)s") % {"unit": unit}
    elif status == S.IN_PROCESS:
        reason = _("being handled by %(unit)s") % {"unit": unit}
    elif status == S.DONE:
        reason = _("done by %(unit)s, awaiting the reporter's confirmation") % {
            "unit": unit
        }
    else:
        reason = _("closed")
    # Only the sentences this report needs: lists call this for every row.
    return PublicState(colour=colour, label=_colour_label(colour), reason=reason)
