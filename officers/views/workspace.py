"""The report workspace: everything an officer may do, and only that."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from complaints.action_forms import ACTION_FORMS, action_run
from complaints.models import Comment
from complaints.public import public_state
from complaints.services.comments import comment_hide as comment_hide_service
from complaints.services.comments import comment_may_hide
from complaints.timeline import describe
from complaints.workflow import Action, allowed_actions
from officers.forms import CommentHideForm, WarningForm
from officers.permissions import can_monitor, is_officer
from officers.selectors import (
    notifications_for,
    report_for_officer,
    reports_visible_to,
)
from officers.selectors.duplicates import DUPLICATE_WINDOW, duplicates_likely
from officers.services import notifications_mark_read


def _comments(request, report, *, hide_failed=None) -> list:
    """The report's comments, hidden ones included, each with a form to hide it
    when the officer may (``hide_failed``: the (comment id, form) that failed)."""
    comments = list(
        Comment.objects.filter(report=report).select_related(
            "author_unit", "hidden_by_unit"
        )
    )
    may_hide = bool(comments) and comment_may_hide(actor=request.user, report=report)
    for comment in comments:
        comment.hide_form = None
        if may_hide and comment.hidden_at is None:
            if hide_failed is not None and hide_failed[0] == comment.pk:
                comment.hide_form = hide_failed[1]
            else:
                comment.hide_form = CommentHideForm(auto_id=f"hide-{comment.pk}-%s")
    return comments


def _workspace(request, report, *, failed=None, hide_failed=None, status=200):
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
    # Merging goes through the workflow's own merge action, pre-filled per twin.
    duplicates = None
    if Action.MERGE in actions:
        duplicates = [
            (
                candidate,
                ACTION_FORMS[Action.MERGE](
                    initial={
                        "version": report.version,
                        "parent": candidate.report.ticket,
                    },
                    report=report,
                ),
            )
            for candidate in duplicates_likely(user=request.user, report=report)
        ]
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
            "duplicates": duplicates,
            "duplicate_rule": {
                "metres": settings.WARGA_TWIN_RADIUS_METRES,
                "days": DUPLICATE_WINDOW.days,
            },
            "warning_form": WarningForm() if can_monitor(request.user) else None,
            "comments": _comments(request, report, hide_failed=hide_failed),
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
@require_POST
def comment_hide(request, pk: int):
    """Hide a citizen's comment with a reason, then return to the report."""
    comment = get_object_or_404(Comment.objects.select_related("report"), pk=pk)
    # The same 404 as for a report the officer may not open.
    report = report_for_officer(user=request.user, ticket=comment.report.ticket)
    form = CommentHideForm(request.POST, auto_id=f"hide-{pk}-%s")
    if not form.is_valid():
        messages.error(request, form.errors["reason"][0])
        return _workspace(request, report, hide_failed=(pk, form), status=400)
    try:
        comment_hide_service(
            actor=request.user, comment=comment, reason=form.cleaned_data["reason"]
        )
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return _workspace(request, report, status=403)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        conflict = getattr(exc, "code", None) == "already_hidden"
        return _workspace(
            request, report, hide_failed=(pk, form), status=409 if conflict else 400
        )
    messages.success(request, _("The comment is hidden; the page says why."))
    return HttpResponseRedirect(
        reverse("officers:report", kwargs={"ticket": report.ticket}) + f"#comment-{pk}"
    )


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
