"""Unit performance: the league table with its charts, and the same as CSV."""

import csv
from functools import lru_cache
from html import escape
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import floatformat
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
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


@lru_cache(maxsize=65536)
def _written(text: str, how: str, language: str | None, grouping: bool, value) -> str:
    # How the template language writes a figure (floatformat to one decimal, or
    # localize): a pure function of the value and the language (and setting),
    # and the same figures come back on every visit.
    return floatformat(value, 1) if how == "1" else localize(value)


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
    language, grouping = get_language(), settings.USE_THOUSAND_SEPARATOR

    def written(value, how):
        # Keyed by the text too: Decimal("1.5") == Decimal("1.50") == 1.5.
        if value is None:
            return ""
        return _written(
            f"{type(value).__name__}:{value}", how, language, grouping, value
        )

    row.response_hours_shown = written(row.median_response_hours, "1") or NONE
    row.done_days_shown = written(row.median_done_days, "1") or NONE
    ikm = row.ikm
    row.ikm_shown = f"{written(ikm[0], 'l10n')} ({ikm[1]})" if ikm else NONE
    row.score_shown = NONE if row.score is None else written(row.score, "l10n")


def _charts_and_table(rows, *, period, child_level) -> dict[str, SafeString]:
    """The score chart, the time-to-done chart and the table's body, as
    officers/performance.html wrote them with the template language, in
    Python: a page of every kelurahan has three lists of some 270 rows."""
    number = localize if settings.USE_THOUSAND_SEPARATOR else str
    scores, done, table = [], [], []
    for counter, row in enumerate(rows, start=1):
        name = escape(str(row.unit.name))
        facts = row.facts
        if row.score is not None:
            scores.append(
                f'\n  <div class="bar-row"><span class="bar-label">{name}</span>\n'
                '    <svg class="bar" viewBox="0 0 100 10" '
                'preserveAspectRatio="none"><rect x="0" y="0" height="10" '
                f'width="{number(row.bar)}" '
                f'class="{"neg" if row.score < 0 else "pos"}"/></svg>\n'
                f'    <span class="bar-value">{escape(row.score_shown)}</span></div>\n'
            )
        if facts.completed:
            done.append(
                f'\n  <div class="bar-row"><span class="bar-label">{name}</span>\n'
                '    <svg class="bar" viewBox="0 0 100 10" '
                'preserveAspectRatio="none">'
                f'<rect x="0" width="{number(row.w0)}" height="10" class="b0"/>'
                f'<rect x="{number(row.w0)}" width="{number(row.w1)}" height="10" '
                'class="b1"/>'
                f'<rect x="{number(row.w1_at)}" width="{number(row.w2)}" '
                'height="10" class="b2"/></svg>\n'
                f'    <span class="bar-value">{number(row.b0)}/{number(row.b1)}/'
                f"{number(row.b2)}</span></div>\n"
            )
        if child_level:
            link = (
                f'<a href="?period={escape(str(period))}&amp;level='
                f"{escape(child_level)}&amp;within="
                f'{escape(quote(str(row.unit.code), safe="/"))}">{name}</a>'
            )
        else:
            link = name
        table.append(
            f"\n<tr>\n  <td>{counter}</td>\n  <th>{link}</th>\n"
            f"  <td>{number(facts.received)}</td><td>{number(facts.passed_on)}</td>"
            f"<td>{number(facts.completed)}</td>\n"
            + "".join(
                f"  <td>{escape(shown)}</td>\n"
                for shown in (
                    row.completion_shown,
                    row.response_hours_shown,
                    row.in_time_shown,
                    row.done_days_shown,
                    row.within_7_shown,
                    row.reopened_shown,
                    row.audit_failed_shown,
                    row.ikm_shown,
                )
            )
            + f"  <td><strong>{escape(row.score_shown)}</strong></td>\n</tr>\n"
        )
    if not rows:
        table.append(
            f'<tr><td colspan="14">{escape(_("No units at this level."))}</td></tr>\n'
        )
    return {
        "score_bars": mark_safe("".join(scores)),
        "done_bars": mark_safe("".join(done)),
        "table_rows": mark_safe("".join(table)),
    }


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
            **_charts_and_table(
                rows, period=period, child_level=CHILD_LEVEL.get(level)
            ),
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
