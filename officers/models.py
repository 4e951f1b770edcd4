"""Who works in which unit, and as what."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from transparency.models import counted_key


class Membership(models.Model):
    """An officer's place in a unit. An officer may belong to several units."""

    class Role(models.TextChoices):
        OFFICER = "officer", _("Officer")
        HEAD = "head", _("Unit head")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    unit = models.ForeignKey(
        "routing.Unit",
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(
        _("role"), max_length=8, choices=Role.choices, default=Role.OFFICER
    )

    class Meta:
        verbose_name = _("unit membership")
        verbose_name_plural = _("unit memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.unit} ({self.get_role_display()})"


class SlaWarning(models.Model):
    """A late report brought to a unit's attention: a warning to the unit holding
    it, or an escalation to the unit above. The sweep records each step of the
    ladder once per deadline; the monitoring room can also warn by hand."""

    class Clock(models.TextChoices):
        RESPONSE = "response", _("Response")
        COMPLETION = "completion", _("Completion")

    report = models.ForeignKey(
        "complaints.Report",
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="sla_warnings",
    )
    # The unit that holds the report and is late.
    late_unit = models.ForeignKey(
        "routing.Unit",
        verbose_name=_("late unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Who is told: the late unit itself (level 0) or a unit above it.
    unit = models.ForeignKey(
        "routing.Unit",
        verbose_name=_("sent to"),
        on_delete=models.PROTECT,
        related_name="sla_warnings",
    )
    clock = models.CharField(_("clock"), max_length=10, choices=Clock.choices)
    level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    due_at = models.DateTimeField(_("deadline missed"))
    is_manual = models.BooleanField(_("sent by hand"), default=False)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    event = models.OneToOneField(
        "complaints.ReportEvent",
        verbose_name=_("timeline event"),
        on_delete=models.PROTECT,
        related_name="sla_warning",
    )
    created_at = models.DateTimeField(_("sent at"))

    class Meta:
        verbose_name = _("SLA warning")
        verbose_name_plural = _("SLA warnings")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["late_unit", "created_at"])]
        constraints = [
            # Once per report, late unit, clock, rung of the ladder and deadline:
            # a sweep running every few minutes does not repeat itself, and a
            # unit that receives a late report by disposition is warned in turn.
            models.UniqueConstraint(
                fields=["report", "late_unit", "clock", "level", "due_at"],
                condition=models.Q(is_manual=False),
                name="slawarning_once_per_deadline",
            )
        ]

    def __str__(self) -> str:
        return f"{self.report_id} → {self.unit_id} ({self.clock} L{self.level})"


class AuditSample(models.Model):
    """A completed report drawn at random for a supervisor to check the follow-up."""

    class Verdict(models.TextChoices):
        PENDING = "pending", _("Waiting for a supervisor")
        ADEQUATE = "adequate", _("Adequate")
        INADEQUATE = "inadequate", _("Not adequate")

    report = models.ForeignKey(
        "complaints.Report",
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="audit_samples",
    )
    # The completion being checked, and the unit that made it.
    completion = models.OneToOneField(
        "complaints.ReportEvent",
        verbose_name=_("completion"),
        on_delete=models.PROTECT,
        related_name="audit_sample",
    )
    unit = models.ForeignKey(
        "routing.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="audit_samples",
    )
    month = models.DateField(_("month sampled"))
    verdict = models.CharField(
        _("verdict"), max_length=10, choices=Verdict.choices, default=Verdict.PENDING
    )
    note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("drawn at"))

    class Meta:
        verbose_name = _("audit sample")
        verbose_name_plural = _("audit samples")
        ordering = ["-month", "unit", "id"]
        indexes = [models.Index(fields=["verdict", "month"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(verdict="pending")
                | (~models.Q(verdict="pending") & models.Q(decided_at__isnull=False)),
                name="auditsample_decided_has_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.report_id} ({self.month:%Y-%m}) {self.verdict}"


class PerformanceFact(models.Model):
    """What one report adds to one unit's performance figures for one month or
    one year (WIB), kept current by transparency.aggregates: the facts of the
    unit's time with the report that began in the period (officers.kpis), the
    audits of its completions made in the period, and the rating given to it in
    the period. A year has rows of its own because a report that comes back to a
    unit counts once per period, not once per month."""

    # Derived rows, rebuilt by the million: no foreign-key constraints, whose
    # checks would cost a rebuild minutes. A unit can only go once no report
    # uses it; a report's rows go with it.
    report = models.ForeignKey(
        "complaints.Report",
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )
    unit = counted_key("routing.Unit")
    # The report's category: whether the unit responded in time is judged
    # against the category's response time when the figures are read.
    category = counted_key("complaints.Category")
    is_year = models.BooleanField()
    # The first day of the month, or 1 January for a year.
    period = models.DateField()
    received = models.PositiveSmallIntegerField(default=0)
    passed_on = models.PositiveSmallIntegerField(default=0)
    completed = models.PositiveSmallIntegerField(default=0)
    completions = models.PositiveSmallIntegerField(default=0)
    reopened = models.PositiveSmallIntegerField(default=0)
    within_7_days = models.PositiveSmallIntegerField(default=0)
    days_8_14 = models.PositiveSmallIntegerField(default=0)
    over_14_days = models.PositiveSmallIntegerField(default=0)
    # From the start of custody to the unit's first handling action, and to its
    # first completion, in microseconds (exact, so that medians are).
    response_us = models.BigIntegerField(null=True)
    done_us = models.BigIntegerField(null=True)
    # Whether the response was in time, by the category's response time when
    # the row was made (a change of it shows in PerformanceInTime).
    responded_in_time = models.PositiveSmallIntegerField(default=0)
    response_hours = models.PositiveIntegerField(null=True)
    audited = models.PositiveSmallIntegerField(default=0)
    audit_failed = models.PositiveSmallIntegerField(default=0)
    survey_respondents = models.PositiveSmallIntegerField(default=0)
    survey_score_sum = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("performance fact")
        verbose_name_plural = _("performance facts")
        # The dashboard reads the delays of one hour of a unit's period.
        indexes = [
            models.Index(fields=["is_year", "period", "unit", "response_us"]),
            models.Index(fields=["is_year", "period", "unit", "done_us"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "is_year", "period", "unit"],
                name="performancefact_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.report_id} @ {self.unit_id} {self.period}"


class PerformanceSum(models.Model):
    """PerformanceFact summed per unit and month or year: what the dashboard
    reads, kept current with the facts by addition (transparency.aggregates)."""

    unit = counted_key("routing.Unit")
    is_year = models.BooleanField()
    period = models.DateField()
    received = models.IntegerField(default=0)
    passed_on = models.IntegerField(default=0)
    completed = models.IntegerField(default=0)
    completions = models.IntegerField(default=0)
    reopened = models.IntegerField(default=0)
    within_7_days = models.IntegerField(default=0)
    days_8_14 = models.IntegerField(default=0)
    over_14_days = models.IntegerField(default=0)
    audited = models.IntegerField(default=0)
    audit_failed = models.IntegerField(default=0)
    survey_respondents = models.IntegerField(default=0)
    survey_score_sum = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("performance sum")
        verbose_name_plural = _("performance sums")
        constraints = [
            models.UniqueConstraint(
                fields=["is_year", "period", "unit"], name="performancesum_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.period}"


class PerformanceDelayCount(models.Model):
    """How many of a unit's delays of one kind fall in one bucket of time
    (``officers.kpis.BUCKETS``: whole hours to respond, whole days to finish)
    in a month or year: a median is found in its bucket, then read exactly from
    the PerformanceFact rows of that bucket alone."""

    class Kind(models.TextChoices):
        RESPONSE = "response", _("to respond")
        DONE = "done", _("to finish")

    unit = counted_key("routing.Unit")
    is_year = models.BooleanField()
    period = models.DateField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    bucket = models.IntegerField()
    count = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("performance delay count")
        verbose_name_plural = _("performance delay counts")
        constraints = [
            models.UniqueConstraint(
                fields=["is_year", "period", "unit", "kind", "bucket"],
                name="performancedelaycount_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.period} {self.kind} {self.bucket}: {self.count}"


class PerformanceInTime(models.Model):
    """How many of a unit's responses to reports of one category in a month or
    year were in time, judged against ``response_hours``, the category's response
    time when they were counted. The dashboard counts the rows whose hours are
    the category's now; after a change, until the reports are counted again,
    it counts that category's responses from PerformanceFact."""

    unit = counted_key("routing.Unit")
    category = counted_key("complaints.Category")
    is_year = models.BooleanField()
    period = models.DateField()
    response_hours = models.PositiveIntegerField()
    # The responses counted with these hours, and how many were in time.
    responses = models.IntegerField(default=0)
    count = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("performance responses in time")
        verbose_name_plural = _("performance responses in time")
        constraints = [
            models.UniqueConstraint(
                fields=["is_year", "period", "unit", "category", "response_hours"],
                name="performanceintime_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.category_id} {self.period}: {self.count}"
