"""Who works in which unit, and as what."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
