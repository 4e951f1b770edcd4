"""Template helpers of the public statistics: percentages and chart scales."""

from django import template
from django.template.defaultfilters import floatformat

register = template.Library()

NO_FIGURE = "—"


@register.filter
def pct(value: float | None) -> str:
    """A ratio as a percentage with one decimal (localised), or a dash when it
    has no denominator."""
    if value is None:
        return NO_FIGURE
    return f"{floatformat(value * 100, 1)}%"


@register.filter
def top_received(rows) -> int:
    """The largest number received among the rows: the full width of a chart."""
    return max((row.tally.received for row in rows), default=0) or 1
