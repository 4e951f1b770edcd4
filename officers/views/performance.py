"""Unit performance: the league table with its charts, and the same as CSV."""

import csv

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import floatformat
from django.utils.formats import localize
from django.utils.translation import gettext as _

from officers.forms import PerformanceFilterForm
from officers.kpis import WEIGHTS
from officers.permissions import is_officer
from officers.selectors.performance import LEVELS, Period, performance_table

CHILD_LEVEL = {"kota": "kecamatan", "kecamatan": "kelurahan", "dinas": "sudin"}


def _filters(request):
    if not is_officer(request.user):
        raise Http404
    form = PerformanceFilterForm(request.GET or None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        return form, data["period"], data["level"], data["within"]
    return form, Period.current_month(), "kota", None


def _pct(value):
    return None if value is None else round(100 * value, 1)


NONE = "–"


def _whole_pct(value) -> str:
    # As {% widthratio value 1 100 %}% wrote it.
    return NONE if value is None else f"{round(float(value) * 100)}%"


def _shown(row) -> None:
    """What the dashboard's table and charts write for a row, worked out once: a
    page of every kelurahan has some four thousand cells, and the template
    language is slow at arithmetic and at indexing."""
    row.b0, row.b1, row.b2 = row.buckets
    total = sum(row.buckets) or 1
    row.bucket_widths = [round(100 * n / total) for n in row.buckets]
    row.w0, row.w1, row.w2 = row.bucket_widths
    row.w1_at = row.w0 + row.w1
    row.completion_shown = _whole_pct(row.completion_rate)
    row.in_time_shown = _whole_pct(row.responded_in_time_share)
    row.within_7_shown = _whole_pct(row.within_7_days_share)
    row.reopened_shown = _whole_pct(row.reopened_share)
    row.audit_failed_shown = _whole_pct(row.audit_failed_share)
    row.response_hours_shown = floatformat(row.median_response_hours, 1) or NONE
    row.done_days_shown = floatformat(row.median_done_days, 1) or NONE
    ikm = row.ikm
    row.ikm_shown = f"{localize(ikm[0])} ({ikm[1]})" if ikm else NONE
    row.score_shown = NONE if row.score is None else localize(row.score)


@login_required
def dashboard(request):
    form, period, level, within = _filters(request)
    rows = performance_table(period=period, level=level, within=within)
    scores = [r.score for r in rows if r.score is not None]
    top = max([abs(s) for s in scores] + [1])
    for row in rows:
        row.bar = 0 if row.score is None else round(100 * abs(row.score) / top)
        _shown(row)
    return render(
        request,
        "officers/performance.html",
        {
            "form": form,
            "period": period,
            "level": level,
            "level_label": LEVELS[level][1],
            "within": within,
            "child_level": CHILD_LEVEL.get(level),
            "rows": rows,
            "weights": {k: round(100 * v) for k, v in WEIGHTS.items()},
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@login_required
def export(request):
    form, period, level, within = _filters(request)
    if form.is_bound and not form.is_valid():
        return HttpResponse(
            "; ".join(str(e) for errors in form.errors.values() for e in errors),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    rows = performance_table(period=period, level=level, within=within)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="warga-performance-{level}-{period}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(
        [
            _("unit code"),
            _("unit"),
            _("received"),
            _("passed on"),
            _("completed"),
            _("completion rate (%)"),
            _("median hours to first response"),
            _("responded in time (%)"),
            _("median days to done"),
            _("done within 7 days (%)"),
            _("done in 0-7 days"),
            _("done in 8-14 days"),
            _("done in more than 14 days"),
            _("completions reopened (%)"),
            _("audits failed (%)"),
            _("IKM"),
            _("IKM grade"),
            _("score"),
        ]
    )
    for row in rows:
        ikm = row.ikm
        writer.writerow(
            [
                row.unit.code,
                row.unit.name,
                row.facts.received,
                row.facts.passed_on,
                row.facts.completed,
                _pct(row.completion_rate),
                _round(row.median_response_hours),
                _pct(row.responded_in_time_share),
                _round(row.median_done_days),
                _pct(row.within_7_days_share),
                *row.buckets,
                _pct(row.reopened_share),
                _pct(row.audit_failed_share),
                ikm[0] if ikm else "",
                ikm[1] if ikm else "",
                row.score,
            ]
        )
    return response


def _round(value):
    return None if value is None else round(value, 1)
