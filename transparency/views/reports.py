"""The public portal's report pages: home, a report, tracking, and what a citizen
does on a report."""

from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from complaints.action_forms import ACTION_FORMS, action_run
from complaints.models import Report
from complaints.selectors import map_settings
from complaints.services.satisfaction import survey_may_answer, survey_submit
from complaints.services.support import support_add
from complaints.timeline import describe
from complaints.workflow import Action, allowed_actions
from officers.permissions import is_officer
from officers.selectors import reports_visible_to
from transparency.caching import public_cache
from transparency.conversation import conversation_context
from transparency.filters import PublicReportFilter
from transparency.forms import SurveyForm, TrackForm
from transparency.paging import BadCursor, Cursor, count_capped, keyset_page
from transparency.ratelimits import over_limit, too_many_requests
from transparency.selectors import (
    listed,
    report_public_get,
    reports_latest,
    reports_listed,
    reports_of_citizen,
)
from transparency.selectors.stats import headline_figures

PAGE_SIZE = 25


@require_GET
@public_cache(max_age=60)
def report_list(request):
    """Every report, filtered by the query string, so that a view can be shared;
    paged by the report a page starts from (transparency.paging)."""
    filters = PublicReportFilter(request.GET, queryset=reports_listed())
    try:
        before, after = (
            Cursor.parse(request.GET[name]) if request.GET.get(name) else None
            for name in ("before", "after")
        )
    except BadCursor:
        before = after = None
        cursor_ok = False
    else:
        cursor_ok = True
    if not (filters.is_valid() and cursor_ok):
        return render(
            request,
            "transparency/report_list.html",
            {"filters": filters, "page": None, "bad_cursor": not cursor_ok},
            status=400,
        )
    page = keyset_page(filters.qs, before=before, after=after, size=PAGE_SIZE)
    count, more = count_capped(filters.qs)
    return render(
        request,
        "transparency/report_list.html",
        {
            "filters": filters,
            "page": replace(page, object_list=listed(page.object_list)),
            "count": count,
            "count_more": more,
            "active_filters": filters.active,
            "map": map_settings(),
            "map_filters": urlencode(filters.active),
        },
    )


@login_required
@require_GET
def my_reports(request):
    """A logged-in citizen's own reports, newest first."""
    paginator = Paginator(reports_of_citizen(user=request.user), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = listed(page.object_list)
    return render(request, "transparency/my_reports.html", {"page": page})


@require_GET
@public_cache(max_age=60)
def home(request):
    return render(
        request,
        "transparency/home.html",
        {
            "latest": reports_latest(limit=10),
            "track_form": TrackForm(),
            "map": map_settings(),
            "headline": headline_figures(now=timezone.now()),
        },
    )


CITIZEN_ACTIONS = {Action.DISPUTE, Action.CONFIRM}


def _report_page(
    request,
    report,
    *,
    failed=None,
    survey_form=None,
    comment_form=None,
    email_link_form=None,
    status=200,
):
    forms = []
    if request.user.is_authenticated:
        for action in allowed_actions(actor=request.user, report=report):
            if action in CITIZEN_ACTIONS:
                form = (
                    failed.form
                    if failed is not None and failed.action == action and failed.form
                    else ACTION_FORMS[action](
                        initial={"version": report.version}, report=report
                    )
                )
                forms.append((action, Action(action).label, form))
    return render(
        request,
        "transparency/report_detail.html",
        {
            "report": report,
            "map": map_settings(),
            "citizen_forms": forms,
            "survey_form": (survey_form if survey_form is not None else SurveyForm())
            if survey_may_answer(actor=request.user, report=report)
            else None,
            "supported": request.user.is_authenticated
            and report.supports.filter(user=request.user).exists(),
            "in_back_office": is_officer(request.user)
            and reports_visible_to(request.user).filter(pk=report.pk).exists(),
            **conversation_context(
                request,
                report,
                comment_form=comment_form,
                email_link_form=email_link_form,
            ),
        },
        status=status,
    )


@require_GET
@public_cache(max_age=60, report_kwarg="ticket")
def report_detail(request, ticket: str):
    return _report_page(request, report_public_get(ticket=ticket))


@require_POST
def report_act(request, ticket: str, action: str):
    """A citizen supports, confirms or disputes a report."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    report = report_public_get(ticket=ticket)
    if action == "support":
        if over_limit(request, limit="support"):
            return too_many_requests(request, back=report.get_absolute_url())
        try:
            support_add(actor=request.user, report=report)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
            return _report_page(request, report, status=400)
        messages.success(request, _("Thank you: your support is counted."))
        return redirect(report.get_absolute_url())
    if action not in CITIZEN_ACTIONS:
        raise Http404
    outcome = action_run(request, report=report, action=action)
    if outcome.ok:
        messages.success(request, describe(outcome.event))
        return redirect(report.get_absolute_url())
    outcome.action = action
    messages.error(request, outcome.error)
    status = 404 if outcome.status == 403 else outcome.status
    return _report_page(
        request, report_public_get(ticket=ticket), failed=outcome, status=status
    )


# How survey_submit's refusals answer; "forbidden" is a 404, as for the other
# citizen actions: the page does not say whose report it is.
SURVEY_REFUSAL_STATUS = {"not_closed": 409, "already": 409, "invalid": 400}


@require_POST
def report_survey(request, ticket: str):
    """The reporter rates how their closed report was handled (IKM survey)."""
    if not request.user.is_authenticated:
        return redirect_to_login(
            reverse("transparency:report-detail", kwargs={"ticket": ticket})
        )
    report = report_public_get(ticket=ticket)
    form = SurveyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please fix the marked fields."))
        return _report_page(request, report, survey_form=form, status=400)
    try:
        survey_submit(
            actor=request.user,
            report_id=report.pk,
            answers=form.answers(),
            comment=form.cleaned_data["comment"],
        )
    except ValidationError as exc:
        if exc.code == "forbidden":
            raise Http404 from exc
        messages.error(request, exc.messages[0])
        return _report_page(
            request,
            report_public_get(ticket=ticket),
            survey_form=form,
            status=SURVEY_REFUSAL_STATUS.get(exc.code, 400),
        )
    messages.success(request, _("Thank you: your rating has been recorded."))
    return redirect(report.get_absolute_url())


@require_GET
@public_cache(max_age=60)
def track(request):
    form = TrackForm(request.GET or None)
    if form.is_valid():
        ticket = form.cleaned_data["ticket"].strip().upper()
        if Report.objects.filter(ticket=ticket).exists():
            return redirect("transparency:report-detail", ticket=ticket)
        messages.error(request, _("No report has ticket number %(t)s.") % {"t": ticket})
    return render(request, "transparency/track.html", {"track_form": form})
