"""Template helpers of the public statistics: percentages and chart scales."""

from functools import lru_cache

from django import template
from django.template.defaultfilters import floatformat
from django.utils.translation import get_language

register = template.Library()

NO_FIGURE = "—"


@register.filter
def pct(value: float | None) -> str:
    """A ratio as a percentage with one decimal (localised), or a dash when it
    has no denominator."""
    if value is None:
        return NO_FIGURE
    return _percentage(value, get_language())


@lru_cache(maxsize=8192)
def _percentage(value: float, language: str | None) -> str:
    # The statistics page shows hundreds of them, and the same ones on every
    # visit: floatformat is costly enough to remember (per language).
    return f"{floatformat(value * 100, 1)}%"


@register.filter
def top_received(rows) -> int:
    """The largest number received among the rows: the full width of a chart."""
    return max((row.tally.received for row in rows), default=0) or 1
