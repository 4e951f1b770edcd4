"""Unit performance: the arithmetic by hand, the roll-up, the dashboard and its
CSV, and the test that careless closing does not pay."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from complaints.services.photos import PhotoUpload
from complaints.workflow import Action, transition
from officers.kpis import (
    CustodyRow,
    EventRow,
    Facts,
    Performance,
    custody_facts,
    facts_by_unit,
    rolled_up,
)
from officers.models import AuditSample
from officers.permissions import SUPERVISOR_GROUP
from officers.selectors.performance import Period, performance_table
from officers.services.audit import audit_decide, audit_samples_draw
from tests.factories import MONAS, citizen, image_bytes, officer, report_filed, user

T0 = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
KUNINGAN_TIMUR = "KEL-31.74.02.1008"
GAMBIR = "KEL-31.71.01.1001"


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def event(action, hours, *, unit=1, to=""):
    return EventRow(1, unit, action, to, at(hours))


# -- the arithmetic, by hand --------------------------------------------------


def test_a_custody_period_counts_response_completion_and_buckets():
    row = CustodyRow(1, 1, T0, None, 24)
    facts = custody_facts(
        row,
        [
            event("accept", 5, to="in_process"),
            event("follow_up", 30),
            event("complete", 24 * 9, to="done"),
            event("confirm", 24 * 10, unit=None, to="closed"),
        ],
    )
    assert facts.received == 1 and facts.completed == 1 and facts.completions == 1
    assert facts.response_hours == [5] and facts.responded_in_time == 1
    assert facts.done_days == [9] and facts.days_8_14 == 1
    assert facts.reopened == 0


def test_a_completion_disputed_later_counts_as_reopened_even_if_redone():
    row = CustodyRow(1, 1, T0, None, 24)
    facts = custody_facts(
        row,
        [
            event("accept", 30, to="in_process"),  # late: 30 h > 24 h
            event("complete", 40, to="done"),
            event("dispute", 50, unit=None, to="reopened"),
            event("accept", 51, to="in_process"),
            event("complete", 60, to="done"),
        ],
    )
    assert facts.responded_in_time == 0
    assert (facts.completions, facts.reopened, facts.completed) == (2, 1, 1)
    assert facts.done_days == [pytest.approx(40 / 24)]  # the first completion


def test_a_report_passed_on_is_not_counted_as_kept():
    row = CustodyRow(1, 1, T0, at(2), 24)
    facts = custody_facts(row, [event("dispose", 2, to="disposed")])
    performance = Performance(facts=facts)
    assert (facts.passed_on, performance.kept, performance.score) == (1, 0, None)


def test_a_report_disposed_returned_and_finished_is_the_units_own():
    """Disposing a report and getting it back does not take it off the unit's
    books: only a hand-over that stuck counts as passed on."""
    own = facts_by_unit(
        custody=[
            CustodyRow(1, 1, T0, at(2), 24),  # disposed to unit 2 ...
            CustodyRow(1, 2, at(2), at(3), 24),
            CustodyRow(1, 1, at(3), None, 24),  # ... which returned it
        ],
        events={
            1: [
                event("dispose", 2, to="disposed"),
                event("return_disposition", 3, unit=2, to="new"),
                event("accept", 4, to="in_process"),
                event("complete", 30, to="done"),
            ]
        },
        audits=[],
        surveys=[],
    )
    mine = Performance(facts=own[1])
    assert (own[1].received, own[1].passed_on, mine.kept) == (1, 0, 1)
    assert mine.completion_rate == 1
    assert own[2].passed_on == 1  # the returning unit handed it back


def test_the_score_by_hand():
    # 10 kept; 6 completions, 2 of them reopened: good 4; quality (4-2x2)/10 = 0;
    # 8 responded in time (0.8); 5 done within 7 days (0.5 of kept).
    facts = Facts(
        received=10,
        completed=5,
        completions=6,
        reopened=2,
        responded_in_time=8,
        within_7_days=5,
    )
    assert Performance(facts=facts).score == pytest.approx(
        100 * (0.6 * 0 + 0.2 * 0.8 + 0.2 * 0.5)
    )


def test_a_completion_later_reopened_costs_more_than_it_earned():
    before = Facts(received=10, completed=5, completions=5, responded_in_time=10)
    careless = Facts(received=10, completed=6, completions=6, responded_in_time=10)
    careless.reopened = 1
    careless.within_7_days = 1  # and it was even quick
    assert Performance(facts=careless).score < Performance(facts=before).score


def test_medians_shares_and_ikm():
    facts = Facts(
        received=4,
        completed=3,
        within_7_days=2,
        over_14_days=1,
        response_hours=[1, 3, 10],
        done_days=[2, 5, 20],
        audited=4,
        audit_failed=1,
        survey_respondents=1,
        survey_score_sum=28,  # 28 / 9 = 3.111.. -> 77.78 -> B
    )
    p = Performance(facts=facts)
    assert (p.median_response_hours, p.median_done_days) == (3, 5)
    assert p.within_7_days_share == pytest.approx(2 / 3)
    assert p.buckets == (2, 0, 1)
    assert p.audit_failed_share == 0.25
    assert p.completion_rate == 0.75
    assert [str(p.ikm[0]), p.ikm[1]] == ["77.78", "B"]


def test_kelurahan_roll_up_into_kecamatan_and_kota_and_sudin_into_dinas():
    own = facts_by_unit(
        custody=[
            CustodyRow(1, 11, T0, None, 24),  # kelurahan 11 in kecamatan 10
            CustodyRow(2, 12, T0, None, 24),  # kelurahan 12 in kecamatan 10
            CustodyRow(3, 21, T0, None, 24),  # suku dinas 21 of dinas 20
        ],
        events={},
        audits=[(11, "inadequate", 2), (12, "adequate", 1)],
        surveys=[(11, 1, 36)],
    )
    parents = {11: 10, 12: 10, 10: 1, 1: None, 21: 20, 20: None}
    total = rolled_up(own, parents)
    assert total[10].received == 2 and total[1].received == 2
    assert total[20].received == 1 and total[21].received == 1
    assert (total[1].audited, total[1].audit_failed) == (3, 2)
    assert total[1].survey_respondents == 1


# -- through the workflow: careless closing does not pay ----------------------


def proof():
    return [PhotoUpload("proof.jpg", image_bytes(color=(10, 120, 10)))]


@pytest.mark.usefixtures("ref")
def test_a_unit_closing_many_reports_carelessly_ranks_below_one_closing_fewer_properly(
    django_capture_on_commit_callbacks,
):
    careless = officer(unit_code=KUNINGAN_TIMUR)
    careful = officer(unit_code=GAMBIR)
    supervisor = user()
    supervisor.groups.add(Group.objects.get(name=SUPERVISOR_GROUP))
    # Each unit receives six reports.
    theirs = [report_filed() for _ in range(6)]
    ours = [report_filed(point=MONAS) for _ in range(6)]
    # The careless unit "completes" all six at once, with a token photo ...
    for report in theirs:
        transition(actor=careless, report_id=report.pk, action=Action.ACCEPT)
        transition(
            actor=careless, report_id=report.pk, action=Action.COMPLETE, photos=proof()
        )
    # ... two reporters dispute, and the rest close.
    for report in theirs[:2]:
        transition(
            actor=report.reporter,
            report_id=report.pk,
            action=Action.DISPUTE,
            note="Belum dikerjakan",
        )
    for report in theirs[2:]:
        transition(actor=report.reporter, report_id=report.pk, action=Action.CONFIRM)
    # The careful unit finishes three properly; three are still in hand.
    for report in ours:
        transition(actor=careful, report_id=report.pk, action=Action.ACCEPT)
    for report in ours[:3]:
        transition(
            actor=careful,
            report_id=report.pk,
            action=Action.FOLLOW_UP,
            note="Sampah diangkut truk",
            photos=proof(),
        )
        transition(actor=careful, report_id=report.pk, action=Action.COMPLETE)
        transition(actor=report.reporter, report_id=report.pk, action=Action.CONFIRM)
    # The supervisors' monthly audit finds two of the careless closures empty.
    period = Period.current_month()
    audit_samples_draw(month=period.start.date(), size=6)
    for sample in AuditSample.objects.filter(unit__code=KUNINGAN_TIMUR).exclude(
        report__status="reopened"
    )[:2]:
        audit_decide(
            actor=supervisor,
            sample_id=sample.pk,
            adequate=False,
            note="Foto tidak menunjukkan hasil",
        )
    for sample in AuditSample.objects.filter(unit__code=GAMBIR):
        audit_decide(actor=supervisor, sample_id=sample.pk, adequate=True, note="")

    table = performance_table(period=period, level="kelurahan")
    by_code = {row.unit.code: row for row in table}
    sloppy, proper = by_code[KUNINGAN_TIMUR], by_code[GAMBIR]
    assert sloppy.facts.completed == 6 and proper.facts.completed == 3
    assert sloppy.reopened_share == pytest.approx(4 / 6)
    assert sloppy.audit_failed_share == 1 and proper.audit_failed_share == 0
    assert sloppy.score < proper.score
    codes = [row.unit.code for row in table]
    assert codes.index(GAMBIR) < codes.index(KUNINGAN_TIMUR)
    # The kecamatan and kota above carry their kelurahan's figures.
    kecamatan = {
        r.unit.code: r for r in performance_table(period=period, level="kecamatan")
    }
    assert kecamatan["KEC-31.74.02"].facts.received == 6


# -- the dashboard and its CSV ------------------------------------------------


@pytest.mark.usefixtures("ref")
def test_the_dashboard_and_csv_show_the_league_in_constant_queries(
    client, django_assert_max_num_queries
):
    clerk = officer(unit_code=KUNINGAN_TIMUR)
    for _ in range(3):
        report = report_filed()
        transition(actor=clerk, report_id=report.pk, action=Action.ACCEPT)
    client.force_login(clerk)
    url = reverse("officers:performance")
    query = {"period": str(Period.current_month()), "level": "kelurahan"}
    with django_assert_max_num_queries(14):
        response = client.get(url, query)
    assert response.status_code == 200
    row = next(r for r in response.context["rows"] if r.unit.code == KUNINGAN_TIMUR)
    assert row.facts.received == 3 and row.responded_in_time_share == 1
    assert "<svg" in response.content.decode()
    exported = client.get(reverse("officers:performance-csv"), query)
    assert exported["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode())))
    assert rows[0][:3] == ["unit code", "unit", "received"]
    line = next(r for r in rows if r[0] == KUNINGAN_TIMUR)
    assert line[2] == "3"
    assert len(rows) == 1 + 267  # every kelurahan, ranked


@pytest.mark.usefixtures("ref")
def test_a_bad_period_or_unit_is_explained_and_citizens_get_404(client):
    client.force_login(officer(unit_code=KUNINGAN_TIMUR))
    url = reverse("officers:performance")
    for bad in ({"period": "2026-13"}, {"period": "last year"}, {"within": "NOPE"}):
        assert client.get(url, bad).status_code == 400
        assert client.get(reverse("officers:performance-csv"), bad).status_code == 400
    client.force_login(citizen())
    assert client.get(url).status_code == 404


# The dashboard's lists as the template wrote them before they moved to Python
# (officers.views.performance._charts_and_table).
FORMER_LISTS = (
    "{% load i18n %}"
    "{% for row in rows %}{% if row.score is not None %}\n"
    '  <div class="bar-row"><span class="bar-label">{{ row.unit.name }}</span>\n'
    '    <svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none"><rect '
    'x="0" y="0" height="10" width="{{ row.bar }}" class="{% if row.score < 0 %}'
    'neg{% else %}pos{% endif %}"/></svg>\n'
    '    <span class="bar-value">{{ row.score }}</span></div>\n'
    "{% endif %}{% endfor %}|"
    "{% for row in rows %}{% if row.facts.completed %}\n"
    '  <div class="bar-row"><span class="bar-label">{{ row.unit.name }}</span>\n'
    '    <svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none"><rect '
    'x="0" width="{{ row.w0 }}" height="10" class="b0"/><rect x="{{ row.w0 }}" '
    'width="{{ row.w1 }}" height="10" class="b1"/><rect x="{{ row.w1_at }}" '
    'width="{{ row.w2 }}" height="10" class="b2"/></svg>\n'
    '    <span class="bar-value">{{ row.b0 }}/{{ row.b1 }}/{{ row.b2 }}</span>'
    "</div>\n{% endif %}{% endfor %}|"
    "{% for row in rows %}\n<tr>\n  <td>{{ forloop.counter }}</td>\n"
    '  <th>{% if child_level %}<a href="?period={{ period }}&amp;level='
    '{{ child_level }}&amp;within={{ row.unit.code|urlencode }}">{{ row.unit.name }}'
    "</a>{% else %}{{ row.unit.name }}{% endif %}</th>\n"
    "  <td>{{ row.facts.received }}</td><td>{{ row.facts.passed_on }}</td>"
    "<td>{{ row.facts.completed }}</td>\n"
    "  <td>{{ row.completion_shown }}</td>\n"
    "  <td>{{ row.response_hours_shown }}</td>\n"
    "  <td>{{ row.in_time_shown }}</td>\n"
    "  <td>{{ row.done_days_shown }}</td>\n"
    "  <td>{{ row.within_7_shown }}</td>\n"
    "  <td>{{ row.reopened_shown }}</td>\n"
    "  <td>{{ row.audit_failed_shown }}</td>\n"
    "  <td>{{ row.ikm_shown }}</td>\n"
    "  <td><strong>{{ row.score_shown }}</strong></td>\n"
    "</tr>\n"
    '{% empty %}<tr><td colspan="14">{% translate "No units at this level." %}'
    "</td></tr>\n{% endfor %}"
)


@pytest.mark.usefixtures("ref")
@pytest.mark.parametrize(
    "query",
    [
        {"level": "kota"},
        {"level": "kelurahan"},
        {"level": "kelurahan", "within": "KEC-31.74.02"},
        {"level": "sudin", "within": KUNINGAN_TIMUR},  # no unit at this level
    ],
)
def test_the_dashboard_lists_read_as_the_template_wrote_them(client, query):
    from django.template import Context, Template

    clerk = officer(unit_code=KUNINGAN_TIMUR)
    for n in range(3):
        report = report_filed()
        transition(actor=clerk, report_id=report.pk, action=Action.ACCEPT)
        if n:
            transition(
                actor=clerk, report_id=report.pk, action=Action.COMPLETE, photos=proof()
            )
    client.force_login(clerk)
    query = {"period": str(Period.current_month()), **query}
    response = client.get(reverse("officers:performance"), query)
    assert response.status_code == 200
    context = response.context
    expected = Template(FORMER_LISTS).render(
        Context(
            {
                "rows": context["rows"],
                "period": context["period"],
                "child_level": context["child_level"],
            }
        )
    )
    written = "|".join(
        str(context[name]) for name in ("score_bars", "done_bars", "table_rows")
    )
    assert written == expected
    if query["level"] != "sudin":
        assert 'class="b0"' in written and 'class="pos"' in written
