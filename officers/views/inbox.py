"""The unit's inbox and the switch between an officer's units."""

from html import escape
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from complaints.models import Report
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


def rows_html(reports) -> SafeString:
    """The inbox's rows, as officers/_report_rows.html writes them (without the
    monitoring room's warning form), in Python: the officers' main screen, and
    the template language took most of its time."""
    if not reports:
        return mark_safe(
            '<ul class="report-list inbox-rows">\n  \n  <li>'
            f"{escape(gettext('No reports here.'))}</li>\n  \n</ul>\n"
        )
    words = {
        "response": escape(gettext("response")),
        "completion": escape(gettext("completion")),
        "ping_pong": escape(gettext("Ping-pong")),
        "received": gettext("received %(age)s ago"),
        "late": gettext("late by %(late)s"),
        "left": gettext("%(left)s left"),
    }
    statuses = {value: escape(str(label)) for value, label in Report.Status.choices}
    # A report page's address, its ticket put in (tickets need no quoting).
    marker = "0TICKET0"
    link = escape(reverse("officers:report", args=[marker]))
    out = ['<ul class="report-list inbox-rows">\n  ']
    for report in reports:
        late = " late" if report.is_late else ""
        address = (
            f"{escape(Truncator(report.address).chars(60))}, " if report.address else ""
        )
        received = words["received"] % {"age": escape(timesince(report.created_at))}
        clock = ""
        if report.due_at:
            which = words["response" if report.clock == "response" else "completion"]
            if report.is_late:
                left = words["late"] % {"late": escape(timesince(report.due_at))}
            else:
                left = words["left"] % {"left": escape(timeuntil(report.due_at))}
            clock = (
                f' · <span class="clock{" is-late" if report.is_late else ""}">\n'
                f"        {which}:\n        {left}</span>"
            )
        flag = (
            f'<span class="flag">{words["ping_pong"]}</span>'
            if getattr(report, "ping_pong", False)
            else ""
        )
        created = date_format(timezone.localtime(report.created_at), "j M Y H:i")
        out.append(
            f'\n  <li class="row-{escape(report.status)}{late}">\n'
            f'    <a href="{link.replace(marker, escape(quote(report.ticket)))}">'
            f'<span class="ticket">{escape(report.ticket)}</span> '
            f'<strong dir="auto">{escape(report.title)}</strong></a>\n'
            f'    <div class="meta">{escape(report.category.display_name)} · '
            f"{address}{escape(report.area.name)}, "
            f"{escape(report.area.parent.name)}</div>\n"
            '    <div class="meta">\n'
            f'      <span title="{escape(created)}">{received}</span> ·\n'
            f"      {statuses.get(report.status) or escape(report.status)}\n"
            f"      {clock}\n      {flag}\n    </div>\n    \n  </li>\n  "
        )
    out.append("\n</ul>\n")
    return mark_safe("".join(out))


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
            "rows": rows_html(page.object_list),
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
