"""Public reads. Only public fields leave this module's querysets' templates:
never the reporter's contact details."""

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from complaints.models import (
    Comment,
    Coordination,
    Report,
    ReportEvent,
    ReportPhoto,
    Support,
)
from complaints.public import public_point, public_state
from complaints.services.satisfaction import ELEMENT_FIELDS, ikm_of
from complaints.timeline import describe
from transparency.selectors import reference

PUBLIC_REPORT_FIELDS = [
    "id",
    "ticket",
    "title",
    "description",
    "status",
    "created_at",
    "latitude",
    "longitude",
    "public_name",
    "category__name",
    "category__name_en",
    "category__code",
    "channel__name",
    "area__name",
    "area__parent__name",
    "area__parent__parent__name",
    "handling_unit__name",
    "version",
    "reporter_id",
    "rejection_reason",
    "needs_supervisor",
    "parent__ticket",
    "parent__status",
    "parent__handling_unit__name",
    "parent__rejection_reason",
    "parent__needs_supervisor",
]
# The satisfaction survey's scores only: never who answered or what they wrote.
PUBLIC_SURVEY_FIELDS = ["survey__id", *(f"survey__{f}" for f in ELEMENT_FIELDS)]


def _public_reports():
    return (
        Report.objects.select_related(
            "category",
            "channel",
            "area__parent__parent",
            "handling_unit",
            "parent__handling_unit",
        )
        .only(*PUBLIC_REPORT_FIELDS)
        .prefetch_related(
            Prefetch(
                "coordination_set",
                queryset=_open_coordinations(),
                to_attr="open_coordinations",
            ),
            # A duplicate's reason quotes its parent's, which may be coordinated.
            Prefetch(
                "parent__coordination_set",
                queryset=_open_coordinations(),
                to_attr="open_coordinations",
            ),
        )
    )


def _open_coordinations():
    return (
        Coordination.objects.filter(ended_at__isnull=True)
        .select_related("unit")
        .order_by("invited_at")
    )


def _support_count():
    """How many citizens said "me too", as a subquery: no GROUP BY on the page's
    query."""
    return Coalesce(
        Subquery(
            Support.objects.filter(report=OuterRef("pk"))
            .order_by()
            .values("report")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def _public_comments():
    """A report's comments as the page shows them: who wrote them only as the name
    they chose or their unit, never the account."""
    return Comment.objects.select_related("author_unit", "hidden_by_unit").only(
        "id",
        "report_id",
        "display_name",
        "body",
        "created_at",
        "hidden_at",
        "hidden_reason",
        "author_unit__name",
        "hidden_by_unit__name",
    )


def report_public_get(*, ticket: str) -> Report:
    try:
        report = (
            _public_reports()
            .select_related("survey")
            .only(*PUBLIC_REPORT_FIELDS, *PUBLIC_SURVEY_FIELDS, "area__code")
            .annotate(support_count=_support_count())
            .prefetch_related(
                Prefetch("comments", queryset=_public_comments()),
                Prefetch(
                    "photos",
                    queryset=ReportPhoto.objects.filter(
                        kind__in=[ReportPhoto.Kind.EVIDENCE, ReportPhoto.Kind.PROOF]
                    ).only(
                        "id",
                        "report_id",
                        "image",
                        "thumbnail",
                        "kind",
                        "width",
                        "height",
                    ),
                ),
                Prefetch(
                    "events",
                    queryset=ReportEvent.objects.filter(is_public=True)
                    .select_related("unit", "target_unit")
                    .prefetch_related(
                        Prefetch(
                            "photos",
                            queryset=ReportPhoto.objects.filter(
                                kind=ReportPhoto.Kind.PROOF
                            ),
                        )
                    ),
                ),
            )
            .get(ticket=ticket.strip().upper())
        )
    except Report.DoesNotExist as exc:
        raise Http404 from exc
    report.public = public_state(report)
    report.public_point = public_point(report.latitude, report.longitude)
    photos = report.photos.all()
    report.before_photos = [p for p in photos if p.kind == ReportPhoto.Kind.EVIDENCE]
    report.after_photos = [p for p in photos if p.kind == ReportPhoto.Kind.PROOF]
    survey = getattr(report, "survey", None)
    report.ikm = ikm_of([survey.scores]) if survey is not None else None
    for event in report.events.all():
        event.sentence = describe(event)
    return report


def reports_public():
    """Every report, with what a public row shows: filter it, then page it."""
    return _public_reports().prefetch_related(
        Prefetch(
            "photos",
            queryset=ReportPhoto.objects.filter(kind=ReportPhoto.Kind.EVIDENCE).only(
                "id", "report_id", "thumbnail", "position"
            ),
            to_attr="evidence_photos",
        )
    )


# A row of a list: the report's own columns and the one it duplicates; the category,
# channel, area and units come from the reference data in memory (reference.attach).
LISTED_REPORT_FIELDS = [
    *(f for f in PUBLIC_REPORT_FIELDS if "__" not in f),
    "category",
    "channel",
    "area",
    "handling_unit",
    "parent__ticket",
    "parent__status",
    "parent__handling_unit",
    "parent__rejection_reason",
    "parent__needs_supervisor",
]


def reports_listed():
    """Every report as a public list shows it: filter it, page it, then pass the
    page through ``listed``."""
    return (
        Report.objects.select_related("parent")
        .only(*LISTED_REPORT_FIELDS)
        .prefetch_related(
            Prefetch(
                "coordination_set",
                queryset=_open_coordinations(),
                to_attr="open_coordinations",
            ),
            Prefetch(
                "parent__coordination_set",
                queryset=_open_coordinations(),
                to_attr="open_coordinations",
            ),
            Prefetch(
                "photos",
                # The model's ordering starts with the report's own (a join to
                # the reports): within one report it is the same.
                queryset=ReportPhoto.objects.filter(kind=ReportPhoto.Kind.EVIDENCE)
                .only("id", "report_id", "thumbnail", "position")
                .order_by("position", "id"),
                to_attr="evidence_photos",
            ),
        )
    )


def listed(reports) -> list[Report]:
    """The reports of one page of ``reports_listed``, with their reference data
    and each with its colour and the reason for it."""
    reports = list(reports)
    reference.attach(reports)
    for report in reports:
        report.public = public_state(report)
    return reports


def with_public_state(reports) -> list[Report]:
    """The reports of one page, each with its colour and the reason for it."""
    reports = list(reports)
    for report in reports:
        report.public = public_state(report)
    return reports


def reports_of_citizen(*, user):
    """The reports a citizen filed, newest first."""
    return reports_listed().filter(reporter=user).order_by("-created_at", "-id")


def reports_latest(*, limit: int = 10) -> list[Report]:
    return listed(reports_listed().order_by("-created_at", "-id")[:limit])
