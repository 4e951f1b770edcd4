"""The long lists of the statistics page, written in Python.

A year's page holds some three hundred units and a hundred rows of charts and
tables: through the template language (a lookup, a localisation and an escape
per cell) they took most of the page's time. These tags write the very same
markup in one pass.
"""

from functools import lru_cache
from html import escape

from django import template
from django.conf import settings
from django.utils.dateformat import format as date_format
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from transparency.templatetags.public_stats import (
    NO_FIGURE,
    _percentage,
    top_received,
)

register = template.Library()


def _number_writer():
    """How the template language writes a whole number (read per page: the
    setting may change between tests)."""
    if settings.USE_THOUSAND_SEPARATOR:
        return localize
    return str


def _pct_writer():
    """The ``pct`` filter, with the language read once per list."""
    language = get_language()

    def pct(value: float | None) -> str:
        return NO_FIGURE if value is None else _percentage(value, language)

    return pct


@lru_cache(maxsize=16384)
def _decimal(text: str, language: str | None, grouping: bool, value) -> str:
    # An IKM index as the template language writes it, remembered per language
    # (and setting) like the percentages: a few thousand values recur. Keyed
    # by its text too: Decimal("1.5") == Decimal("1.50"), written differently.
    return conditional_escape(localize(value))


def _width(value: int, top: int) -> str:
    # As {% widthratio value top 100 %} writes it.
    if not top:
        return "0"
    return str(round(float(value) / float(top) * 100))


def _label(row, month_format: str) -> str:
    if getattr(row, "month", None):
        return conditional_escape(date_format(row.month, month_format))
    return conditional_escape(row.name)


@register.simple_tag
def stats_bar_rows(rows) -> SafeString:
    """The rows of one chart (transparency/_stats_bars.html)."""
    if not rows:
        return mark_safe(
            f'<p class="meta">{conditional_escape(gettext("No reports."))}</p>\n'
        )
    number = _number_writer()
    top = top_received(rows)
    out = []
    for row in rows:
        tally = row.tally
        out.append(
            '\n  <div class="bar-row"><span class="bar-label">'
            f"{_label(row, 'M')}</span>\n"
            '    <svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" '
            f'aria-hidden="true"><rect width="{_width(tally.received, top)}" '
            f'height="10" class="recv"/><rect width="{_width(tally.done, top)}" '
            'height="10" class="done"/></svg>\n'
            f'    <span class="bar-value">{number(tally.done)}/'
            f"{number(tally.received)}</span></div>\n"
        )
    return mark_safe("".join(out))


@register.simple_tag
def stats_table_rows(rows) -> SafeString:
    """The body of one table (transparency/_stats_table.html)."""
    if not rows:
        return mark_safe(
            '<tr><td colspan="6">'
            f"{conditional_escape(gettext('No reports.'))}</td></tr>\n"
        )
    number, pct = _number_writer(), _pct_writer()
    out = []
    for row in rows:
        tally = row.tally
        out.append(
            f"\n<tr><th>{_label(row, 'F')}</th><td>{number(tally.received)}</td>"
            f"<td>{number(tally.followed_up)}</td><td>{number(tally.done)}</td>"
            f"<td>{pct(tally.completion_rate)}</td>"
            f"<td>{pct(tally.within_7_share)}</td></tr>\n"
        )
    return mark_safe("".join(out))


@register.simple_tag
def stats_league_rows(units) -> SafeString:
    """The body of the units' league table (transparency/stats.html)."""
    if not units:
        return mark_safe(
            '<tr><td colspan="9">'
            f"{conditional_escape(gettext('No reports.'))}</td></tr>\n"
        )
    number, pct = _number_writer(), _pct_writer()
    language, grouping = get_language(), settings.USE_THOUSAND_SEPARATOR
    # The four grades, each written once.
    grades: dict = {}
    out = []
    for counter, unit in enumerate(units, start=1):
        tally, ikm = unit.tally, unit.ikm
        if ikm:
            if ikm.grade not in grades:
                grades[ikm.grade] = (
                    f' <abbr title="{conditional_escape(ikm.quality)}">'
                    f"{conditional_escape(ikm.grade)}</abbr>"
                )
            index = (
                _decimal(str(ikm.index), language, grouping, ikm.index)
                + grades[ikm.grade]
            )
            ratings = number(ikm.respondents)
        else:
            index, ratings = "—", "0"
        out.append(
            f"\n<tr>\n  <td>{counter}</td><th>{escape(unit.name)}</th>\n"
            f"  <td>{number(tally.followed_up)}</td><td>{number(tally.done)}</td>\n"
            f"  <td>{pct(unit.productivity)}</td><td>{pct(unit.responsiveness)}</td>"
            f"<td>{pct(unit.responsibility)}</td>\n"
            f"  <td>{index}</td>\n  <td>{ratings}</td>\n</tr>\n"
        )
    return mark_safe("".join(out))
