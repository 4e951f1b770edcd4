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


@dataclass(frozen=True)
class PublicState:
    colour: str
    label: str
    reason: str


def public_state(report: Report) -> PublicState:
    unit = report.handling_unit.name
    colour = COLOUR_OF_STATUS[report.status]
    labels = {
        "red": _("Waiting"),
        "yellow": _("In process"),
        "green": _("Done"),
        "grey": _("Not followed up"),
    }
    reasons = {
        S.NEW: _("waiting for %(unit)s") % {"unit": unit},
        S.DISPOSED: _("disposed to %(unit)s") % {"unit": unit},
        S.REOPENED: _("reopened by the reporter"),
        S.IN_PROCESS: _("being handled by %(unit)s") % {"unit": unit},
        S.COORDINATED: _("%(unit)s is coordinating with other units") % {"unit": unit},
        S.DONE: _("done by %(unit)s, awaiting the reporter's confirmation")
        % {"unit": unit},
        S.CLOSED: _("closed"),
        S.REJECTED: _("rejected"),
        S.MERGED: _("merged with another report"),
    }
    return PublicState(
        colour=colour, label=labels[colour], reason=reasons[report.status]
    )
