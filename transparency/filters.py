"""The public filters: one FilterSet for the list, the map, the exports and the
statistics, so that a shared URL shows the same reports everywhere.

Every choice is named by its public code (category and channel codes, Kemendagri area
codes, unit codes), never by a database id, so that a link keeps working after a
reload of the reference data.
"""

from functools import partial

import django_filters
from django import forms
from django.db.models import QuerySet
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from complaints.models import Category, Channel, Report
from complaints.public import COLOUR_OF_STATUS
from complaints.selectors import reports_matching, reports_received_between
from routing.models import Area, Unit
from transparency.selectors import reference

COLOURS = [
    ("red", _("Waiting (red)")),
    ("yellow", _("In process (yellow)")),
    ("green", _("Done (green)")),
    ("grey", _("Not followed up (grey)")),
]
STATUSES_OF_COLOUR = {
    colour: [s for s, c in COLOUR_OF_STATUS.items() if c == colour]
    for colour, _label in COLOURS
}
# The query string keys the filter set reads: the map, the list and the exports
# pass exactly these on.
FILTER_KEYS = (
    "colour",
    "category",
    "kota",
    "kecamatan",
    "kelurahan",
    "unit",
    "channel",
    "date_from",
    "date_to",
    "q",
)
Q_MAX_LENGTH = 100
# The filters whose choices are reference data (transparency.selectors.reference).
REFERENCE_FILTERS = ("category", "kota", "kecamatan", "kelurahan", "unit", "channel")


class BoundedDateField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"})

    def validate(self, value):
        super().validate(value)
        if value and not 2000 <= value.year <= 2100:
            raise forms.ValidationError(_("Choose a date between 2000 and 2100."))


class BoundedDateFilter(django_filters.DateFilter):
    field_class = BoundedDateField


def _areas(level: str):
    # Never the boundaries: hundreds of polygons to decode for a list of names.
    return (
        Area.objects.filter(level=level)
        .select_related("parent")
        .only("id", "code", "name", "parent__code")
        .order_by("name")
    )


class FastSelect(forms.Select):
    """A select that writes its options in Python. Django renders each option
    through a template of its own, and the kelurahan and unit lists hold hundreds:
    that took a tenth of a second per page. The selects of reference data take
    their options, rendered once, from transparency.selectors.reference
    (``reference_options``, set by PublicReportFilter)."""

    reference_options = None

    def option_attrs(self, value) -> dict:
        return {}

    def _options(self) -> list:
        if self.reference_options is not None:
            return self.reference_options()
        options = []
        for option_value, label in self.choices:
            key = "" if option_value is None else str(option_value)
            options.append(
                (
                    key,
                    format_html(
                        '<option value="{}"{}',
                        key,
                        flatatt(self.option_attrs(option_value)),
                    ),
                    format_html(">{}</option>", label),
                )
            )
        return options

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        options = "".join(
            f"{start} selected{rest}" if key in chosen else f"{start}{rest}"
            for key, start, rest in self._options()
        )
        attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        return format_html("<select{}>{}</select>", flatatt(attrs), mark_safe(options))


class AreaSelect(FastSelect):
    """Each option names its parent area, so that a small script can narrow the
    kecamatan to the chosen city and the kelurahan to the chosen kecamatan. Without
    the script every option stays available."""

    def option_attrs(self, value) -> dict:
        area = getattr(value, "instance", None)
        if area is not None and area.parent_id:
            return {"data-parent": area.parent.code}
        return {}


class PublicReportFilter(django_filters.FilterSet):
    """What the public may narrow reports by."""

    colour = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=COLOURS,
        empty_label=_("All statuses"),
        method="filter_colour",
        widget=FastSelect,
    )
    category = django_filters.ModelChoiceFilter(
        label=_("Category"),
        queryset=Category.objects.all(),
        to_field_name="code",
        empty_label=_("All categories"),
        widget=FastSelect,
    )
    kota = django_filters.ModelChoiceFilter(
        label=_("City"),
        queryset=_areas(Area.Level.KOTA),
        to_field_name="code",
        widget=AreaSelect,
        field_name="area__parent__parent",
        empty_label=_("All of Jakarta"),
    )
    kecamatan = django_filters.ModelChoiceFilter(
        label=_("Kecamatan"),
        queryset=_areas(Area.Level.KECAMATAN),
        to_field_name="code",
        widget=AreaSelect,
        field_name="area__parent",
        empty_label=_("All kecamatan"),
    )
    kelurahan = django_filters.ModelChoiceFilter(
        label=_("Kelurahan"),
        queryset=_areas(Area.Level.KELURAHAN),
        to_field_name="code",
        widget=AreaSelect,
        field_name="area",
        empty_label=_("All kelurahan"),
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("Handling unit"),
        queryset=Unit.objects.filter(is_active=True).order_by("name"),
        to_field_name="code",
        field_name="handling_unit",
        empty_label=_("All units"),
        widget=FastSelect,
    )
    channel = django_filters.ModelChoiceFilter(
        label=_("Channel"),
        queryset=Channel.objects.all(),
        to_field_name="code",
        empty_label=_("All channels"),
        widget=FastSelect,
    )
    date_from = BoundedDateFilter(label=_("Received from"), method="filter_date_from")
    date_to = BoundedDateFilter(label=_("until"), method="filter_date_to")
    q = django_filters.CharFilter(
        label=_("Ticket or text"), method="filter_text", max_length=Q_MAX_LENGTH
    )

    # The query-string keys this filter reads; subclasses add theirs.
    keys = FILTER_KEYS

    class Meta:
        model = Report
        fields = list(FILTER_KEYS)

    def __init__(self, data=None, queryset=None, **kwargs):
        if data is not None:
            # Only our keys: a stray "page" or "bbox" must not make the form invalid.
            data = {k: data.get(k) for k in self.keys if data.get(k) not in ("", None)}
        super().__init__(data, queryset=queryset, **kwargs)
        self.form.clean = self._clean_form
        for name in REFERENCE_FILTERS:
            form_field = self.form.fields[name]
            form_field.widget.reference_options = partial(
                reference.options,
                name,
                empty_label=form_field.empty_label,
                parents=isinstance(form_field.widget, AreaSelect),
            )

    def _clean_form(self):
        data = forms.Form.clean(self.form)
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def filter_colour(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(status__in=STATUSES_OF_COLOUR[value])

    def filter_date_from(self, queryset, name, value):
        return reports_received_between(queryset, first=value, last=None)

    def filter_date_to(self, queryset, name, value):
        return reports_received_between(queryset, first=None, last=value)

    def filter_text(self, queryset, name, value):
        return reports_matching(queryset, text=value)

    @property
    def active(self) -> dict[str, str]:
        """The filters in force, as query-string pairs (for links that keep them)."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.data.items() if k in FILTER_KEYS}
