"""One sentence per timeline event, in the reader's language.

Events store structured facts (action, units, data); the sentence is made when it is
read, so the same timeline reads in Indonesian or English, on the portal, in the
back-office and in emails. Nothing here names an officer or a reporter.
"""

from django.conf import settings
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from complaints.models import Report, ReportEvent


def _date(value: str | None) -> str:
    parsed = parse_datetime(value) if value else None
    if parsed is None:
        return ""
    return formats.date_format(timezone.localtime(parsed), "j F Y")


def describe(event: ReportEvent) -> str:
    unit = event.unit.name if event.unit_id else _("The city")
    target = event.target_unit.name if event.target_unit_id else ""
    data = event.data or {}
    if event.kind == ReportEvent.Kind.SUBMITTED:
        return _("Report received.")
    if event.kind == ReportEvent.Kind.ROUTED:
        if data.get("reason") == "area":
            return _("Sent to %(unit)s, the kelurahan where the problem is.") % {
                "unit": unit
            }
        return _("Sent to %(unit)s, the unit in charge of this category.") % {
            "unit": unit
        }
    action = event.action
    if action == "accept":
        text = _("%(unit)s accepted the report and started work.") % {"unit": unit}
        if data.get("planned_completion_at"):
            text += " " + _("Planned completion: %(date)s.") % {
                "date": _date(data["planned_completion_at"])
            }
        return text
    if action == "reject":
        reason = Report.RejectionReason(data.get("reason")).label
        return _("%(unit)s rejected the report: %(reason)s.") % {
            "unit": unit,
            "reason": reason,
        }
    if action == "dispose":
        return _("%(unit)s disposed the report to %(target)s.") % {
            "unit": unit,
            "target": target,
        }
    if action == "accept_disposition":
        return _("%(unit)s accepted the disposition and started work.") % {"unit": unit}
    if action == "return_disposition":
        return _("%(unit)s returned the report to %(target)s.") % {
            "unit": unit,
            "target": target,
        }
    if action == "coordinate":
        return _("%(unit)s is coordinating with %(units)s.") % {
            "unit": unit,
            "units": ", ".join(data.get("units", [])),
        }
    if action == "follow_up":
        return _("Follow-up by %(unit)s.") % {"unit": data.get("unit") or unit}
    if action == "complete":
        return _("%(unit)s marked the report as done.") % {"unit": unit}
    if action == "dispute":
        if data.get("escalated"):
            return _(
                "A citizen disputed the follow-up again; a supervisor will decide."
            )
        return _("A citizen disputed the follow-up: the report is reopened.")
    if action == "confirm":
        return _("The reporter confirmed the fix. The report is closed.")
    if action == "auto_close":
        return _("Closed: nobody disputed the follow-up within %(days)d days.") % {
            "days": settings.WARGA_DISPUTE_WINDOW_DAYS
        }
    if action == "supervisor_reopen":
        return _("A supervisor reopened the report.")
    if action == "supervisor_close":
        return _("A supervisor closed the report.")
    if action == "merge":
        return _("Merged into report %(ticket)s as a duplicate.") % {
            "ticket": data.get("parent", "")
        }
    if action == "duplicate_added":
        return _("Report %(ticket)s was merged into this one as a duplicate.") % {
            "ticket": data.get("child", "")
        }
    if action == "request_extension":
        return _("%(unit)s asked to move the deadline to %(date)s.") % {
            "unit": unit,
            "date": _date(data.get("new_due_at")),
        }
    if action == "decide_extension":
        if data.get("approved"):
            return _("The deadline was moved to %(date)s.") % {
                "date": _date(data.get("new_due_at"))
            }
        return _("The request to move the deadline was refused.")
    if action == "reply":
        return _("%(unit)s replied to the reporter.") % {"unit": unit}
    if action == "audit_reopen":
        return _(
            "A supervisor's audit found the follow-up by %(unit)s inadequate: "
            "the report is reopened."
        ) % {"unit": target or unit}
    if action == "sla_warning":
        if data.get("clock") == "completion":
            return _("%(unit)s was warned: the report is past its deadline.") % {
                "unit": target
            }
        return _("%(unit)s was warned: the report has not been handled in time.") % {
            "unit": target
        }
    if action == "sla_escalation":
        return _("Escalated to %(target)s: %(late)s is late with this report.") % {
            "target": target,
            "late": data.get("late_unit", ""),
        }
    if action == "comment_hidden":
        if event.unit_id:
            return _("%(unit)s hid a comment.") % {"unit": unit}
        return _("A supervisor hid a comment.")
    return event.get_kind_display()
