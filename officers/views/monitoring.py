"""The monitoring room: the board of units, the reports behind a number, and
warnings sent by hand."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from officers.forms import MonitoringFilterForm, WarningForm
from officers.permissions import can_monitor
from officers.selectors import report_for_officer
from officers.selectors.monitoring import (
    PROBLEMS,
    monitoring_board,
    monitoring_reports,
    monitoring_totals,
)
from officers.services.sla import WarningRefused, warning_send
from officers.views.inbox import with_clocks
from routing.models import Unit


def _monitor_only(request) -> None:
    if not can_monitor(request.user):
        raise Http404


@login_required
def board(request):
    _monitor_only(request)
    form = MonitoringFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    now = timezone.now()
    days = filters.get("days") or 30
    rows = monitoring_board(
        now=now,
        since=now - timedelta(days=days),
        kind=filters.get("kind") or "",
        q=(filters.get("q") or "").strip(),
    )
    return render(
        request,
        "officers/monitoring.html",
        {
            "form": form,
            "rows": rows,
            "totals": monitoring_totals(rows),
            "days": days,
            "problems": PROBLEMS,
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@login_required
def drill_down(request, code: str, problem: str):
    _monitor_only(request)
    if problem not in PROBLEMS:
        raise Http404
    unit = get_object_or_404(Unit, code=code)
    now = timezone.now()
    reports = monitoring_reports(unit=unit, problem=problem, now=now)
    page = Paginator(reports, 25).get_page(request.GET.get("page"))
    with_clocks(page.object_list, now)
    return render(
        request,
        "officers/monitoring_reports.html",
        {
            "unit": unit,
            "problem": problem,
            "problem_label": PROBLEMS[problem],
            "page": page,
            "warning_form": WarningForm(),
        },
    )


@login_required
@require_POST
def warn(request, ticket: str):
    """Send a warning by hand, then go back to the page it was sent from."""
    _monitor_only(request)
    report = report_for_officer(user=request.user, ticket=ticket)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts=None) or not (
        back.startswith("/office/")
    ):
        back = reverse("officers:report", kwargs={"ticket": report.ticket})
    form = WarningForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["note"][0])
        return redirect(back)
    try:
        warning_send(
            actor=request.user, report_id=report.pk, note=form.cleaned_data["note"]
        )
    except WarningRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Warning sent to %(unit)s.") % {"unit": report.handling_unit.name},
        )
    return redirect(back)
