"""The report workspace: everything an officer may do, and only that."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from complaints.action_forms import ACTION_FORMS, action_run
from complaints.public import public_state
from complaints.timeline import describe
from complaints.workflow import Action, allowed_actions
from officers.forms import WarningForm
from officers.permissions import can_monitor, is_officer
from officers.selectors import (
    notifications_for,
    report_for_officer,
    reports_visible_to,
)
from officers.services import notifications_mark_read


def _workspace(request, report, *, failed=None, status=200):
    actions = allowed_actions(actor=request.user, report=report)
    forms = []
    for action in actions:
        if action not in ACTION_FORMS:
            continue
        if failed is not None and failed.form is not None and action == failed.action:
            form = failed.form
        else:
            form = ACTION_FORMS[action](
                initial={"version": report.version}, report=report
            )
        forms.append((action, Action(action).label, form))
    events = list(report.events.all())
    for event in events:
        event.sentence = describe(event)
    return render(
        request,
        "officers/report_workspace.html",
        {
            "report": report,
            "state": public_state(report),
            "events": events,
            "action_forms": forms,
            "warning_form": WarningForm() if can_monitor(request.user) else None,
            "map_tiles": {
                "url": settings.WARGA_MAP_TILE_URL,
                "attribution": settings.WARGA_MAP_TILE_ATTRIBUTION,
            },
        },
        status=status,
    )


@login_required
def report_workspace(request, ticket: str):
    return _workspace(request, report_for_officer(user=request.user, ticket=ticket))


@login_required
@require_POST
def report_act(request, ticket: str, action: str):
    report = report_for_officer(user=request.user, ticket=ticket)
    if action not in ACTION_FORMS:
        raise Http404
    outcome = action_run(request, report=report, action=action)
    if outcome.ok:
        messages.success(request, describe(outcome.event))
        if not reports_visible_to(request.user).filter(pk=report.pk).exists():
            return redirect("officers:inbox")  # handed on: no longer ours
        return redirect("officers:report", ticket=report.ticket)
    messages.error(request, outcome.error)
    outcome.action = action
    report = report_for_officer(user=request.user, ticket=ticket)
    return _workspace(request, report, failed=outcome, status=outcome.status)


@login_required
def notifications(request):
    """What happened to the reports of the officer's units, newest first; opening
    the page marks them read."""
    if not is_officer(request.user):
        raise Http404
    notices = list(notifications_for(user=request.user)[:100])
    for notice in notices:
        notice.sentence = describe(notice.event)
    unread = [n.pk for n in notices if n.read_at is None]
    notifications_mark_read(user=request.user, ids=unread)
    return render(
        request,
        "officers/notifications.html",
        {"notices": notices, "unread": set(unread)},
    )
