"""The statistics page writes its long lists in Python (transparency.templatetags.
stats_rows): the very markup its templates wrote with the template language."""

from datetime import date
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from transparency.selectors.stats import GroupRow, Ikm, MonthRow, Tally, UnitRow
from transparency.templatetags.stats_rows import (
    stats_bar_rows,
    stats_league_rows,
    stats_table_rows,
)

# The loops as the templates had them.
BARS = Template(
    "{% load i18n public_stats %}{% with top=rows|top_received %}"
    "{% for row in rows %}\n"
    '  <div class="bar-row"><span class="bar-label">{% if row.month %}'
    '{{ row.month|date:"M" }}{% else %}{{ row.name }}{% endif %}</span>\n'
    '    <svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" '
    'aria-hidden="true"><rect width="{% widthratio row.tally.received top 100 %}" '
    'height="10" class="recv"/><rect width="{% widthratio row.tally.done top 100 %}"'
    ' height="10" class="done"/></svg>\n'
    '    <span class="bar-value">{{ row.tally.done }}/{{ row.tally.received }}'
    "</span></div>\n"
    '{% empty %}<p class="meta">{% translate "No reports." %}</p>\n'
    "{% endfor %}{% endwith %}"
)
TABLE = Template(
    "{% load i18n public_stats %}{% for row in rows %}\n"
    '<tr><th>{% if row.month %}{{ row.month|date:"F" }}{% else %}{{ row.name }}'
    "{% endif %}</th><td>{{ row.tally.received }}</td><td>{{ row.tally.followed_up }}"
    "</td><td>{{ row.tally.done }}</td><td>{{ row.tally.completion_rate|pct }}</td>"
    "<td>{{ row.tally.within_7_share|pct }}</td></tr>\n"
    '{% empty %}<tr><td colspan="6">{% translate "No reports." %}</td></tr>\n'
    "{% endfor %}"
)
LEAGUE = Template(
    "{% load i18n public_stats %}{% for unit in units %}\n<tr>\n"
    "  <td>{{ forloop.counter }}</td><th>{{ unit.name }}</th>\n"
    "  <td>{{ unit.tally.followed_up }}</td><td>{{ unit.tally.done }}</td>\n"
    "  <td>{{ unit.productivity|pct }}</td><td>{{ unit.responsiveness|pct }}</td>"
    "<td>{{ unit.responsibility|pct }}</td>\n"
    "  <td>{% if unit.ikm %}{{ unit.ikm.index }} <abbr "
    'title="{{ unit.ikm.quality }}">{{ unit.ikm.grade }}</abbr>{% else %}—{% endif %}'
    "</td>\n"
    "  <td>{% if unit.ikm %}{{ unit.ikm.respondents }}{% else %}0{% endif %}</td>\n"
    "</tr>\n"
    '{% empty %}<tr><td colspan="9">{% translate "No reports." %}</td></tr>\n'
    "{% endfor %}"
)


def tally(received, done, within_7=0, not_followed_up=0):
    return Tally(
        received=received,
        not_followed_up=not_followed_up,
        done=done,
        within_7=within_7,
        within_14=within_7,
        undisputed=done,
    )


GROUPS = [
    GroupRow("a", 'Sampah & <kotor> "liar"', tally(120, 80, 33, 5)),
    GroupRow("b", "Jalan rusak", tally(7, 0)),
    GroupRow("c", "Kosong", tally(0, 0)),
]
MONTHS = [MonthRow(date(2025, m, 1), tally(m * 10, m * 3, m)) for m in range(1, 13)]
UNITS = [
    UnitRow("U1", "Kelurahan <Gambir> & co", tally(50, 40, 20, 2), None),
    UnitRow(
        "U2",
        "Dinas LH",
        tally(9, 3, 1),
        Ikm(respondents=4, score_sum=111, index=Decimal("77.08"), grade="B"),
    ),
    UnitRow(
        "U3",
        "Sudin",
        tally(0, 0),
        Ikm(respondents=1, score_sum=36, index=Decimal("100.00"), grade="A"),
    ),
]


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("rows", [GROUPS, MONTHS, [GroupRow("z", "Nol", tally(0, 0))]])
def test_charts_and_tables_read_as_the_templates_wrote_them(language, rows):
    with translation.override(language):
        assert str(stats_bar_rows(rows)) == BARS.render(Context({"rows": rows}))
        assert str(stats_table_rows(rows)) == TABLE.render(Context({"rows": rows}))


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_league_table_reads_as_the_template_wrote_it(language):
    with translation.override(language):
        assert str(stats_league_rows(UNITS)) == LEAGUE.render(Context({"units": UNITS}))


@pytest.mark.parametrize("language", ["id", "en"])
def test_empty_lists_say_so(language):
    with translation.override(language):
        assert str(stats_bar_rows([])) == BARS.render(Context({"rows": []}))
        assert str(stats_table_rows([])) == TABLE.render(Context({"rows": []}))
        assert str(stats_league_rows([])) == LEAGUE.render(Context({"units": []}))
