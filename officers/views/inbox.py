"""The unit's inbox and the switch between an officer's units."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from officers.forms import InboxFilterForm, UnitSwitchForm
from officers.permissions import can_monitor
from officers.selectors import units_of
from officers.selectors.inbox import (
    TAB_SLUGS,
    TABS,
    clock_of,
    inbox_counts,
    inbox_reports,
    inbox_sorted,
)

SESSION_UNIT = "office_unit"
PAGE_SIZE = 25


def current_unit(request, units):
    """The unit the officer is working for now (kept in the session)."""
    wanted = request.session.get(SESSION_UNIT)
    return next((u for u in units if u.pk == wanted), units[0] if units else None)


def with_clocks(reports, now):
    """Each row's clock, deadline and time left (negative: late)."""
    for report in reports:
        report.clock, report.due_at = clock_of(report)
        report.is_late = report.due_at is not None and report.due_at < now
    return reports


@login_required
def inbox(request):
    units = units_of(request.user)
    if not units:
        if can_monitor(request.user):
            return redirect("officers:monitoring")
        raise Http404
    unit = current_unit(request, units)
    tab = request.GET.get("tab", "new")
    if tab not in TAB_SLUGS:
        tab = "new"
    now = timezone.now()
    form = InboxFilterForm(request.GET or None)
    reports = inbox_reports(unit=unit, tab=tab, now=now)
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400  # the filters are shown with their errors, none applied
    elif form.is_bound:
        reports = form.apply(reports)
    reports = inbox_sorted(
        reports, tab=tab, sort=form.chosen_sort if form.is_bound else ""
    )
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    with_clocks(page.object_list, now)
    counts = inbox_counts(unit=unit, now=now)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("tab", None)
    return render(
        request,
        "officers/inbox.html",
        {
            "unit": unit,
            "units": units,
            "switch_form": UnitSwitchForm(units=units, initial={"unit": unit}),
            "tabs": [(item, counts[item.slug]) for item in TABS],
            "tab": tab,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "now": now,
        },
        status=status,
    )


@login_required
@require_POST
def unit_switch(request):
    units = units_of(request.user)
    form = UnitSwitchForm(request.POST, units=units)
    if not form.is_valid():
        raise Http404  # not one of the officer's units
    request.session[SESSION_UNIT] = form.cleaned_data["unit"].pk
    return redirect("officers:inbox")
