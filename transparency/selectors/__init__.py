"""Public reads. Only public fields leave this module's querysets' templates:
never the reporter's contact details."""

from django.db.models import Prefetch
from django.http import Http404

from complaints.models import Coordination, Report, ReportEvent, ReportPhoto
from complaints.public import public_state
from complaints.services.satisfaction import ELEMENT_FIELDS, ikm_of
from complaints.timeline import describe

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
                queryset=Coordination.objects.filter(ended_at__isnull=True)
                .select_related("unit")
                .order_by("invited_at"),
                to_attr="open_coordinations",
            )
        )
    )


def report_public_get(*, ticket: str) -> Report:
    try:
        report = (
            _public_reports()
            .select_related("survey")
            .only(*PUBLIC_REPORT_FIELDS, *PUBLIC_SURVEY_FIELDS)
            .prefetch_related(
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
    survey = getattr(report, "survey", None)
    report.ikm = ikm_of([survey.scores]) if survey is not None else None
    for event in report.events.all():
        event.sentence = describe(event)
    return report


def reports_latest(*, limit: int = 10) -> list[Report]:
    reports = list(_public_reports().order_by("-created_at")[:limit])
    for report in reports:
        report.public = public_state(report)
    return reports
