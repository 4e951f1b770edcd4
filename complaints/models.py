"""Reports, their photos and their timeline, with the reference lists they use."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Floor
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    """What a report is about, with its own service-level numbers."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name (Indonesian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    default_agency = models.ForeignKey(
        "routing.Unit",
        verbose_name=_("default agency"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="default_for_categories",
        limit_choices_to={"kind": "dinas"},
    )
    response_hours = models.PositiveIntegerField(
        _("respond within (hours)"), default=24
    )
    completion_days = models.PositiveIntegerField(
        _("complete within (days)"), default=7
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["sort_order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(response_hours__gte=1)
                & models.Q(completion_days__gte=1),
                name="category_sla_positive",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the reader's language (Indonesian unless English is active)."""
        if self.name_en and get_language() == "en":
            return self.name_en
        return self.name


class Channel(models.Model):
    """Where a report came from (kanal)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    carries_gps = models.BooleanField(_("carries GPS"), default=False)
    # Offline channels (desks, phone, letters, mass media) are typed in by officers.
    is_offline = models.BooleanField(_("entered by officers"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class Integrator(models.Model):
    """A system that files and reads reports through the API and Open311.

    Its API key is the DRF token of its user (the same key is the Open311
    ``api_key``). A channel connector (Qlue, JAKI, LAPOR!) files reports into its
    channel and reads that channel's reports; a unit's system (a suku dinas's work
    orders) reads and works the reports of its unit, as the unit's officers do.
    One integrator may be both.
    """

    name = models.CharField(_("name"), max_length=120)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("API user"),
        on_delete=models.CASCADE,
        related_name="integrator",
    )
    channel = models.ForeignKey(
        Channel,
        verbose_name=_("channel"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="integrators",
        help_text=_("Reports it files come in through this channel."),
    )
    unit = models.ForeignKey(
        "routing.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="integrators",
        help_text=_("It reads and works this unit's reports, as its officers do."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("integrator")
        verbose_name_plural = _("integrators")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(channel__isnull=False)
                | models.Q(unit__isnull=False),
                name="integrator_has_channel_or_unit",
                violation_error_message=_("Choose a channel, a unit or both."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class TicketCounter(models.Model):
    """The last ticket number given out in a month (WIB), one row per month."""

    period = models.CharField(max_length=4, unique=True)  # YYMM
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.period}: {self.last_number}"


class Report(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("Waiting")
        DISPOSED = "disposed", _("Disposed, awaiting acceptance")
        IN_PROCESS = "in_process", _("In process")
        COORDINATED = "coordinated", _("Coordinated")
        DONE = "done", _("Done, awaiting confirmation")
        REOPENED = "reopened", _("Reopened")
        CLOSED = "closed", _("Closed")
        REJECTED = "rejected", _("Rejected")
        MERGED = "merged", _("Merged as duplicate")

    class RejectionReason(models.TextChoices):
        SPAM = "spam", _("Spam or abuse")
        OUTSIDE_JAKARTA = "outside_jakarta", _("Outside DKI Jakarta")
        NOT_GOVERNMENT = "not_government", _("Not a government matter")
        INSUFFICIENT = "insufficient", _("Insufficient information")

    class LocationSource(models.TextChoices):
        PIN = "pin", _("Map pin")
        DEVICE = "device", _("Device location")
        PHOTO = "photo", _("Photo GPS (EXIF)")
        CHANNEL = "channel", _("Sent by the channel")
        AREA = "area", _("Kelurahan chosen by an officer")

    ticket = models.CharField(_("ticket"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"))
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT
    )
    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), on_delete=models.PROTECT
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW
    )

    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    location_source = models.CharField(
        _("location from"), max_length=8, choices=LocationSource.choices
    )
    address = models.CharField(_("address or landmark"), max_length=255, blank=True)
    area = models.ForeignKey(
        "routing.Area",
        verbose_name=_("kelurahan"),
        on_delete=models.PROTECT,
        related_name="reports",
    )
    handling_unit = models.ForeignKey(
        "routing.Unit",
        verbose_name=_("handling unit"),
        on_delete=models.PROTECT,
        related_name="handled_reports",
    )

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    reporter_name = models.CharField(_("reporter name"), max_length=120, blank=True)
    reporter_email = models.EmailField(_("reporter email"), blank=True)
    reporter_phone = models.CharField(_("reporter phone"), max_length=32, blank=True)
    # The only name the public ever sees; empty reads "a citizen". The name,
    # email and phone above stay in the back-office.
    public_name = models.CharField(
        _("name shown on the public site"), max_length=60, blank=True
    )

    # Who typed it in (an officer for offline channels) and through which connector.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    integrator = models.ForeignKey(
        Integrator,
        verbose_name=_("integrator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    external_id = models.CharField(_("ID in the channel"), max_length=100, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, blank=True)

    created_at = models.DateTimeField(_("received at"), db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # When the current handling unit got the report: its own clock starts here.
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    response_due_at = models.DateTimeField(_("response due"))
    completion_due_at = models.DateTimeField(_("completion due"))
    receipt_sent_at = models.DateTimeField(_("receipt sent at"), null=True, blank=True)

    # Kept current by complaints.workflow, the only code that moves a report.
    version = models.PositiveIntegerField(_("version"), default=0)
    disposed_from = models.ForeignKey(
        "routing.Unit",
        verbose_name=_("disposed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    coordinating_units = models.ManyToManyField(
        "routing.Unit",
        verbose_name=_("coordinating units"),
        through="Coordination",
        related_name="coordinated_reports",
        blank=True,
    )
    rejection_reason = models.CharField(
        _("rejection reason"),
        max_length=16,
        choices=RejectionReason.choices,
        blank=True,
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    planned_completion_at = models.DateTimeField(
        _("planned completion"), null=True, blank=True
    )
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    dispute_count = models.PositiveSmallIntegerField(_("disputes"), default=0)
    # Too many disputes: a supervisor decides, and the report does not auto-close.
    needs_supervisor = models.BooleanField(_("awaiting a supervisor"), default=False)
    # Returned twice between the same two units: the monitoring room looks at it.
    ping_pong = models.BooleanField(_("disposition ping-pong"), default=False)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at"]
        permissions = [
            ("act_on_report", _("Can act on this report as its handling officer")),
        ]
        indexes = [
            models.Index(fields=["handling_unit", "status", "created_at"]),
            models.Index(fields=["area", "created_at"]),
            # The public list's count of a place narrowed by category and colour
            # (transparency.paging.count_capped): read from the index alone.
            models.Index(
                fields=["area", "category", "status"],
                name="report_area_category_status",
            ),
            models.Index(fields=["status", "created_at"]),
            # The API's and Open311's lists narrowed by category and status, newest
            # first: read in order, no sort of every match.
            models.Index(
                fields=["category", "status", "created_at"],
                name="report_category_status_created",
            ),
            models.Index(fields=["handling_unit", "status", "completion_due_at"]),
            models.Index(fields=["status", "response_due_at"]),
            # The public map reads the reports in a box, or a thin strip along one
            # side or the other, by their rounded position in thousandths of a
            # degree (transparency.selectors.map, complaints.services.map_cells:
            # the same expressions, which also gives the planner their spread),
            # often for some days only.
            models.Index(
                Floor((models.F("latitude") + 0.0005) * 1000),
                Floor((models.F("longitude") + 0.0005) * 1000),
                "created_at",
                name="report_map_lat_lng_steps",
            ),
            models.Index(
                Floor((models.F("longitude") + 0.0005) * 1000),
                Floor((models.F("latitude") + 0.0005) * 1000),
                "created_at",
                name="report_map_lng_lat_steps",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=~models.Q(external_id=""),
                name="report_unique_channel_external_id",
            ),
            models.UniqueConstraint(
                fields=["integrator", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="report_unique_integrator_idempotency_key",
            ),
            models.CheckConstraint(
                condition=models.Q(status="merged", parent__isnull=False)
                | (~models.Q(status="merged") & models.Q(parent__isnull=True)),
                name="report_merged_has_parent",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="rejected") | ~models.Q(rejection_reason=""),
                name="report_rejected_has_reason",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(latitude__isnull=True, longitude__isnull=True)
                    | models.Q(
                        latitude__gte=-90,
                        latitude__lte=90,
                        longitude__gte=-180,
                        longitude__lte=180,
                    )
                ),
                name="report_coordinates_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("transparency:report-detail", kwargs={"ticket": self.ticket})


def photo_upload_to(instance: "ReportPhoto", filename: str) -> str:
    return f"reports/{instance.report.created_at:%Y/%m}/{filename}"


def thumbnail_upload_to(instance: "ReportPhoto", filename: str) -> str:
    return f"reports/{instance.report.created_at:%Y/%m}/thumbs/{filename}"


class ReportPhoto(models.Model):
    """A re-encoded, metadata-free copy of a photo sent with a report."""

    class Kind(models.TextChoices):
        EVIDENCE = "evidence", _("Evidence from the reporter")
        PROOF = "proof", _("Proof of follow-up")
        DISPUTE = "dispute", _("Dispute evidence")

    report = models.ForeignKey(
        Report,
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="photos",
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=Kind.choices, default=Kind.EVIDENCE
    )
    image = models.ImageField(_("image"), upload_to=photo_upload_to)
    thumbnail = models.ImageField(_("thumbnail"), upload_to=thumbnail_upload_to)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    original_format = models.CharField(_("original format"), max_length=8)
    sha256 = models.CharField(_("SHA-256 of the upload"), max_length=64)
    # Of the stored copy too: a proof photo must not be the portal's own picture.
    stored_sha256 = models.CharField(
        _("SHA-256 of the stored copy"), max_length=64, blank=True
    )
    # Read from the EXIF before it was stripped.
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    gps_latitude = models.FloatField(_("GPS latitude"), null=True, blank=True)
    gps_longitude = models.FloatField(_("GPS longitude"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # The follow-up or dispute that brought this photo (none for the report's own).
    event = models.ForeignKey(
        "ReportEvent",
        verbose_name=_("timeline event"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="photos",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["report", "position", "id"]

    def __str__(self) -> str:
        return f"{self.report.ticket} #{self.position}"


class ReportEvent(models.Model):
    """One immutable line of a report's timeline."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ROUTED = "routed", _("Routed")
        ACTION = "action", _("Workflow action")

    report = models.ForeignKey(
        Report,
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_status = models.CharField(
        _("from status"), max_length=12, choices=Report.Status.choices, blank=True
    )
    to_status = models.CharField(
        _("to status"), max_length=12, choices=Report.Status.choices, blank=True
    )
    unit = models.ForeignKey(
        "routing.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The workflow action (complaints.workflow.Action) for kind=action.
    action = models.CharField(_("action"), max_length=24, blank=True)
    target_unit = models.ForeignKey(
        "routing.Unit",
        verbose_name=_("target unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    # Structured detail for the timeline sentence (e.g. why a unit was chosen), so
    # that it renders in the reader's language.
    data = models.JSONField(_("detail"), default=dict, blank=True)
    is_public = models.BooleanField(_("public"), default=True)
    created_at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        ordering = ["report", "created_at", "id"]
        indexes = [models.Index(fields=["report", "created_at"])]

    def __str__(self) -> str:
        return f"{self.report_id} {self.kind}"


class Coordination(models.Model):
    """A unit invited to work on a report with the handling unit."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE)
    unit = models.ForeignKey("routing.Unit", on_delete=models.PROTECT)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField(_("invited at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("coordination")
        verbose_name_plural = _("coordinations")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "unit"],
                condition=models.Q(ended_at__isnull=True),
                name="coordination_one_open_per_unit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.report_id} + {self.unit_id}"


class Custody(models.Model):
    """Who held a report, from when to when: the KPIs' raw material."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="custody")
    unit = models.ForeignKey("routing.Unit", on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("custody period")
        verbose_name_plural = _("custody periods")
        ordering = ["report", "started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report"],
                condition=models.Q(ended_at__isnull=True),
                name="custody_one_open_per_report",
            )
        ]

    def __str__(self) -> str:
        return f"{self.report_id} @ {self.unit_id}"


class Support(models.Model):
    """A citizen who has the same problem ("saya juga mengalami")."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="supports"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supports"
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(fields=["report", "user"], name="support_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} +1 {self.report_id}"


class ExtensionRequest(models.Model):
    """A unit asks for a later deadline; its head approves or refuses."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Lapsed")

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="extension_requests"
    )
    unit = models.ForeignKey("routing.Unit", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("reason"))
    new_due_at = models.DateTimeField(_("new deadline"))
    previous_due_at = models.DateTimeField(_("previous deadline"))
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    created_at = models.DateTimeField(_("requested at"))

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        constraints = [
            models.UniqueConstraint(
                fields=["report"],
                condition=models.Q(state="pending"),
                name="extension_one_pending_per_report",
            )
        ]

    def __str__(self) -> str:
        return f"{self.report_id} → {self.new_due_at:%Y-%m-%d}"


class UnitNotification(models.Model):
    """In-app notice to a unit that something happened to a report it is part of."""

    unit = models.ForeignKey(
        "routing.Unit", on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.ForeignKey(ReportEvent, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("unit notification")
        verbose_name_plural = _("unit notifications")
        constraints = [
            models.UniqueConstraint(fields=["unit", "event"], name="unitnotice_once")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.event_id}"


class EmailDelivery(models.Model):
    """An email sent about an event, one per recipient: a task run twice sends once."""

    event = models.ForeignKey(ReportEvent, on_delete=models.CASCADE, related_name="+")
    recipient = models.EmailField(_("recipient"))
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        verbose_name = _("email delivery")
        verbose_name_plural = _("email deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "recipient"], name="emaildelivery_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.recipient}"


class SatisfactionSurvey(models.Model):
    """The reporter's answer to the IKM survey (Permen PANRB 14/2017) after closing:
    nine service elements, each scored 1 (poor) to 4 (very good)."""

    ELEMENTS = [
        ("u1", _("Requirements")),
        ("u2", _("Procedure")),
        ("u3", _("Time to complete")),
        ("u4", _("Cost")),
        ("u5", _("What was delivered")),
        ("u6", _("Officers' competence")),
        ("u7", _("Officers' conduct")),
        ("u8", _("Handling of complaints and suggestions")),
        ("u9", _("Facilities")),
    ]

    report = models.OneToOneField(
        Report,
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="survey",
    )
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("respondent"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The unit that handled the report when it closed: the one being rated.
    unit = models.ForeignKey(
        "routing.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="surveys",
    )
    u1 = models.PositiveSmallIntegerField(_("requirements"))
    u2 = models.PositiveSmallIntegerField(_("procedure"))
    u3 = models.PositiveSmallIntegerField(_("time to complete"))
    u4 = models.PositiveSmallIntegerField(_("cost"))
    u5 = models.PositiveSmallIntegerField(_("what was delivered"))
    u6 = models.PositiveSmallIntegerField(_("officers' competence"))
    u7 = models.PositiveSmallIntegerField(_("officers' conduct"))
    u8 = models.PositiveSmallIntegerField(_("handling of complaints"))
    u9 = models.PositiveSmallIntegerField(_("facilities"))
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("answered at"))

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        indexes = [models.Index(fields=["unit", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    **{f"u{i}__gte": 1 for i in range(1, 10)},
                    **{f"u{i}__lte": 4 for i in range(1, 10)},
                ),
                name="survey_scores_1_to_4",
            )
        ]

    def __str__(self) -> str:
        return f"IKM {self.report_id}"

    @property
    def scores(self) -> list[int]:
        return [getattr(self, f"u{i}") for i in range(1, 10)]


class Comment(models.Model):
    """A public comment on a report, by a citizen or (in its unit's name) an
    officer. Officers may hide one, with a reason that stays on the page."""

    report = models.ForeignKey(
        Report,
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="comments",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The name the commenter chose to show; empty reads "a citizen". An officer's
    # comment shows their unit instead, never their name.
    display_name = models.CharField(_("name shown"), max_length=60, blank=True)
    author_unit = models.ForeignKey(
        "routing.Unit",
        verbose_name=_("on behalf of unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    body = models.TextField(_("comment"), max_length=2000)
    created_at = models.DateTimeField(_("written at"))
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("hidden by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The unit that hid it; empty when the monitoring room or a supervisor did.
    hidden_by_unit = models.ForeignKey(
        "routing.Unit",
        verbose_name=_("hidden by unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    hidden_reason = models.CharField(_("why it was hidden"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["report", "created_at", "id"]
        indexes = [models.Index(fields=["report", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hidden_at__isnull=True)
                | ~models.Q(hidden_reason=""),
                name="comment_hidden_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(body=""), name="comment_body_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} #{self.pk}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class Follow(models.Model):
    """A citizen who wants email about a report, or about every report in a
    kelurahan. Exactly one of the two is set."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="follows",
    )
    report = models.ForeignKey(
        Report,
        verbose_name=_("report"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="follows",
    )
    area = models.ForeignKey(
        "routing.Area",
        verbose_name=_("kelurahan"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="follows",
        limit_choices_to={"level": "kelurahan"},
    )
    created_at = models.DateTimeField(_("since"))

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(report__isnull=False, area__isnull=True)
                | models.Q(report__isnull=True, area__isnull=False),
                name="follow_report_or_area",
            ),
            models.UniqueConstraint(
                fields=["user", "report"],
                condition=models.Q(report__isnull=False),
                name="follow_report_once",
            ),
            models.UniqueConstraint(
                fields=["user", "area"],
                condition=models.Q(area__isnull=False),
                name="follow_area_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.report_id or self.area_id}"


def _webhook_secret() -> str:
    return secrets.token_hex(32)


class Webhook(models.Model):
    """A URL of an integrator's that receives a signed JSON POST on every status
    change of the reports the integrator may see."""

    integrator = models.ForeignKey(
        Integrator,
        verbose_name=_("integrator"),
        on_delete=models.CASCADE,
        related_name="webhooks",
    )
    url = models.URLField(_("URL"), max_length=500)
    # The HMAC-SHA256 key of the X-Warga-Signature header; shown to the
    # integrator once, when the webhook is registered.
    secret = models.CharField(
        _("signing secret"), max_length=64, default=_webhook_secret
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("registered"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event sent to one webhook: retried with back-off until the receiver
    answers 2xx or the attempts run out."""

    class State(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("gave up")

    webhook = models.ForeignKey(
        Webhook,
        verbose_name=_("webhook"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event = models.ForeignKey(
        ReportEvent,
        verbose_name=_("event"),
        on_delete=models.CASCADE,
        related_name="webhook_deliveries",
    )
    payload = models.JSONField(_("payload"))
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["webhook", "event"], name="webhook_delivery_once"
            )
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.webhook_id} ← {self.event_id}"


class WebhookAttempt(models.Model):
    """The log of one try: when, what the receiver answered, how long it took."""

    delivery = models.ForeignKey(
        WebhookDelivery,
        verbose_name=_("delivery"),
        on_delete=models.CASCADE,
        related_name="attempt_log",
    )
    attempted_at = models.DateTimeField(_("attempted at"))
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["attempted_at", "id"]

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.status_code or self.error}"


class MapCell(models.Model):
    """The reports of one cell of the public map's grid, counted by public colour.

    The map's clusters are sums of these rows (``transparency.selectors.map``): all
    of Jakarta at once reads a few hundred of them instead of every report. A cell
    is ``grid`` rounding steps (thousandths of a degree) square, numbered as the map
    numbers its cells. Each view splits the counts by some of the filters the public
    may set (``View``); 0 stands for "any" in a column its view does not split by.
    Reports without coordinates have no place on the map and are not counted.

    Written only by ``complaints.services.map_cells``: when a report is filed, when
    its public colour changes, and by the set-based rebuild after a bulk load.
    """

    class View(models.IntegerChoices):
        ALL = 0, "all"
        CATEGORY = 1, "category"
        KELURAHAN = 2, "kelurahan"
        CHANNEL = 3, "channel"
        MONTH = 4, "month received"
        DAY = 5, "day received"
        KELURAHAN_CATEGORY = 6, "kelurahan × category"
        KELURAHAN_CHANNEL = 7, "kelurahan × channel"
        CATEGORY_MONTH = 8, "category × month received"

    view = models.PositiveSmallIntegerField(choices=View.choices)
    grid = models.PositiveIntegerField()
    y = models.IntegerField()
    x = models.IntegerField()
    # Plain ids, not foreign keys: 0 means "any" (see the view).
    kelurahan_id = models.IntegerField(default=0)
    category_id = models.IntegerField(default=0)
    channel_id = models.IntegerField(default=0)
    # The month (YYYYMM) or the day (YYYYMMDD) received, in WIB.
    period = models.IntegerField(default=0)
    red = models.IntegerField(default=0)
    yellow = models.IntegerField(default=0)
    green = models.IntegerField(default=0)
    grey = models.IntegerField(default=0)
    # Sums of the exact positions in each colour, in ten-millionths of a degree
    # (whole numbers add up the same in any order), for the clusters' mean
    # position whatever colour the public filters by. Shown rounded only.
    red_lat_sum = models.BigIntegerField(default=0)
    red_lng_sum = models.BigIntegerField(default=0)
    yellow_lat_sum = models.BigIntegerField(default=0)
    yellow_lng_sum = models.BigIntegerField(default=0)
    green_lat_sum = models.BigIntegerField(default=0)
    green_lng_sum = models.BigIntegerField(default=0)
    grey_lat_sum = models.BigIntegerField(default=0)
    grey_lng_sum = models.BigIntegerField(default=0)

    class Meta:
        # The splits come before the place: a view's rows for one value of each
        # filter are then one run of the index per row of cells. But the
        # kelurahan, which a kota or kecamatan filter gives as a list: after it.
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "view",
                    "grid",
                    "period",
                    "category_id",
                    "channel_id",
                    "y",
                    "x",
                    "kelurahan_id",
                ],
                name="map_cell_key",
            )
        ]
        # And one per column of cells: a strip along a box's side.
        indexes = [
            models.Index(
                fields=[
                    "view",
                    "grid",
                    "period",
                    "category_id",
                    "channel_id",
                    "x",
                    "y",
                    "kelurahan_id",
                ],
                name="map_cell_columns",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_view_display()} {self.grid}:{self.y},{self.x}"
