"""The public statistics, counted ahead: kept current by transparency.aggregates.

A cell counts the reports received on one day (WIB) in one kelurahan, of one
category, through one channel and handled now by one unit: the finest grain any
filter of the statistics page asks for, so that every figure is a sum of cells.
The months' sums answer the page without filters and the home page's headline. A
report's entry says where it is counted now.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

COLOURS = ("red", "yellow", "green", "grey")


def counted_key(model: str, name=None, *, null: bool = False) -> models.ForeignKey:
    """A key of a counted row (here and in officers.models). Counted rows are
    derived data, rebuilt by the million: no foreign-key constraint (whose checks
    would cost a rebuild minutes) and no index of its own (the row's key indexes
    what the reads filter on). A unit, area or category can only go once no
    report uses it, when its rows count zero."""
    return models.ForeignKey(
        model,
        verbose_name=name,
        null=null,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )


class StatsCell(models.Model):
    """How many of a cell's reports are in each public colour, and how quickly
    the done (green) ones were done."""

    day = models.DateField(_("received on"))
    area = counted_key("routing.Area", _("kelurahan"))
    category = counted_key("complaints.Category", _("category"))
    channel = counted_key("complaints.Channel", _("channel"))
    unit = counted_key("routing.Unit", _("handling unit"))
    red = models.IntegerField(default=0)
    yellow = models.IntegerField(default=0)
    green = models.IntegerField(default=0)
    grey = models.IntegerField(default=0)
    # Green reports completed within 7 × 24 h and 14 × 24 h of receipt, and
    # green reports never disputed.
    within_7 = models.IntegerField(default=0)
    within_14 = models.IntegerField(default=0)
    undisputed = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("statistics cell")
        verbose_name_plural = _("statistics cells")
        # A year's cells of one category, channel, unit or kelurahan (a city's
        # or kecamatan's: of its kelurahan) without reading the year's others.
        indexes = [
            models.Index(fields=["category", "day"]),
            models.Index(fields=["channel", "day"]),
            models.Index(fields=["unit", "day"]),
            models.Index(fields=["area", "day"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "area", "category", "channel", "unit"],
                name="statscell_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.area_id}/{self.category_id}/{self.channel_id}"


class StatsRatingCell(models.Model):
    """The satisfaction ratings of a cell's reports in one colour, by the unit
    they rated (not always the unit handling the report now)."""

    day = models.DateField(_("received on"))
    area = counted_key("routing.Area", _("kelurahan"))
    category = counted_key("complaints.Category", _("category"))
    channel = counted_key("complaints.Channel", _("channel"))
    unit = counted_key("routing.Unit", _("handling unit"))
    colour = models.CharField(_("colour"), max_length=6)
    rated_unit = counted_key("routing.Unit", _("unit rated"))
    respondents = models.IntegerField(default=0)
    # The sum of all nine scores of every rating.
    score_sum = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("statistics rating cell")
        verbose_name_plural = _("statistics rating cells")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "day",
                    "area",
                    "category",
                    "channel",
                    "unit",
                    "colour",
                    "rated_unit",
                ],
                name="statsratingcell_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.rated_unit_id}: {self.respondents}"


class StatsEntry(models.Model):
    """Where one report is counted now: its cell and what it adds there. Kept
    beside the cells so that a change can take the report out of its old cell
    without knowing what the report looked like before."""

    report = models.OneToOneField(
        "complaints.Report",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        db_constraint=False,
    )
    day = models.DateField()
    area = counted_key("routing.Area")
    category = counted_key("complaints.Category")
    channel = counted_key("complaints.Channel")
    unit = counted_key("routing.Unit")
    # The kelurahan's city when the report was counted, for StatsMonth.
    kota = counted_key("routing.Area", null=True)
    colour = models.CharField(max_length=6)
    within_7 = models.BooleanField(default=False)
    within_14 = models.BooleanField(default=False)
    undisputed = models.BooleanField(default=False)
    rated_unit = counted_key("routing.Unit", null=True)
    score_sum = models.IntegerField(null=True)

    class Meta:
        verbose_name = _("statistics entry")
        verbose_name_plural = _("statistics entries")

    def __str__(self) -> str:
        return f"{self.report_id} {self.colour}"


class StatsMonth(models.Model):
    """A month's cells summed by one grouping of the statistics page: the whole
    city (key 0), a channel, a category, a city (the kelurahan's kota; 0 for a
    kelurahan without one) or a handling unit. A year without a filter (the page
    as most people see it, and the home page's headline) is read from these few
    hundred rows instead of the year's cells."""

    class Grouping(models.TextChoices):
        ALL = "all", _("whole city")
        CHANNEL = "channel", _("channel")
        CATEGORY = "category", _("category")
        KOTA = "kota", _("city")
        UNIT = "unit", _("handling unit")

    month = models.DateField(_("month received"))
    grouping = models.CharField(_("grouping"), max_length=8, choices=Grouping.choices)
    key = models.BigIntegerField(_("key"))
    red = models.IntegerField(default=0)
    yellow = models.IntegerField(default=0)
    green = models.IntegerField(default=0)
    grey = models.IntegerField(default=0)
    within_7 = models.IntegerField(default=0)
    within_14 = models.IntegerField(default=0)
    undisputed = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("statistics month")
        verbose_name_plural = _("statistics months")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "grouping", "key"], name="statsmonth_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.grouping} {self.key}"


class StatsMonthRating(models.Model):
    """A month's rating cells summed by the colour and the unit rated."""

    month = models.DateField(_("month received"))
    colour = models.CharField(_("colour"), max_length=6)
    rated_unit = counted_key("routing.Unit", _("unit rated"))
    respondents = models.IntegerField(default=0)
    score_sum = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("statistics month rating")
        verbose_name_plural = _("statistics month ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "colour", "rated_unit"],
                name="statsmonthrating_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.rated_unit_id}: {self.respondents}"
