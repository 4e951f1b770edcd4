"""Reads for the back-office, scoped to the officer asking; the inbox, the
monitoring room and unit performance have modules of their own."""

from django.db.models import Q
from django.http import Http404
from guardian.shortcuts import get_objects_for_user

from complaints.models import Report
from officers.models import Membership, SlaWarning
from officers.permissions import MONITORING_ROOM_GROUP, SUPERVISOR_GROUP


def reports_visible_to(user):
    """Reports an officer may open: their units' (handling, coordinating, sent
    away by them, or escalated to them), those granted one by one, or all for the
    monitoring room and supervisors."""
    everything = Report.objects.all()
    if not user.is_authenticated:
        return everything.none()
    if (
        user.is_superuser
        or user.groups.filter(
            name__in=[MONITORING_ROOM_GROUP, SUPERVISOR_GROUP]
        ).exists()
    ):
        return everything
    # A subquery, not a list: one query fewer wherever visibility is checked.
    units = Membership.objects.filter(user=user).values("unit_id")
    granted = get_objects_for_user(
        user, "complaints.act_on_report", klass=Report, with_superuser=False
    ).values("pk")
    return everything.filter(
        Q(handling_unit_id__in=units)
        | Q(disposed_from_id__in=units)
        | Q(coordination__unit_id__in=units, coordination__ended_at__isnull=True)
        | Q(pk__in=granted)
        | Q(pk__in=SlaWarning.objects.filter(unit_id__in=units).values("report_id"))
    ).distinct()


def report_for_officer(*, user, ticket: str) -> Report:
    """The report, or 404 (the same answer as for a ticket that does not exist)."""
    try:
        return (
            reports_visible_to(user)
            .select_related(
                "category",
                "channel",
                "area__parent__parent",
                "handling_unit",
                "disposed_from",
                "reporter",
                "parent",
            )
            .prefetch_related(
                "photos",
                "events__unit",
                "events__target_unit",
                "events__actor",
                "events__photos",
            )
            .get(ticket=ticket.strip().upper())
        )
    except Report.DoesNotExist as exc:
        raise Http404 from exc


def notifications_for(*, user):
    """In-app notices for every unit the officer belongs to."""
    from complaints.models import UnitNotification

    return (
        UnitNotification.objects.filter(
            unit__in=Membership.objects.filter(user=user).values("unit")
        )
        .select_related("unit", "event__report", "event__unit", "event__target_unit")
        .order_by("-created_at", "-id")
    )


def units_of(user) -> list:
    """The units an officer belongs to, in a stable order."""
    from routing.models import Unit

    if not user.is_authenticated:
        return []
    return list(Unit.objects.filter(memberships__user=user).order_by("kind", "name"))
