"""Role names and the rights that go with them.

Unit roles (officer, unit head) are memberships of a unit; the city-wide roles are
Django groups so that supervisors can grant them in the admin.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

MONITORING_ROOM_GROUP = "Monitoring Room"
SUPERVISOR_GROUP = "Supervisor"

# Model permissions each city-wide group gets (app_label.codename).
SUPERVISOR_PERMISSIONS = [
    f"{app}.{action}_{model}"
    for app, models in {
        "routing": ["area", "unit", "routingrule"],
        "complaints": ["category", "channel", "integrator", "report"],
        "officers": ["membership"],
    }.items()
    for model in models
    for action in ("add", "change", "view")
] + [
    "complaints.view_reportphoto",
    # integrators' webhooks: switch one off, read and resend its deliveries
    "complaints.view_webhook",
    "complaints.change_webhook",
    "complaints.view_webhookdelivery",
    "complaints.change_webhookdelivery",
    # integrators' API keys
    "authtoken.view_tokenproxy",
    "authtoken.add_tokenproxy",
    "authtoken.delete_tokenproxy",
    "complaints.view_reportevent",
    "complaints.view_satisfactionsurvey",
    "complaints.view_comment",
    "complaints.view_follow",
    "complaints.delete_follow",
    "auth.view_user",
    "auth.change_user",
    "auth.add_user",
    # Read-only in the admin: verdicts are given on the back-office audit page.
    "officers.view_auditsample",
    "officers.view_slawarning",
]
MONITORING_ROOM_PERMISSIONS = [
    "complaints.view_report",
    "complaints.view_reportevent",
    "routing.view_unit",
    "officers.view_slawarning",
]


def is_officer(user: AbstractBaseUser | AnonymousUser | None) -> bool:
    """Anyone who works for the city: unit members, monitoring room, supervisors."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return (
        user.memberships.exists()
        or user.groups.filter(
            name__in=[MONITORING_ROOM_GROUP, SUPERVISOR_GROUP]
        ).exists()
    )


def can_monitor(user) -> bool:
    """The monitoring room and supervisors watch every unit and warn by hand."""
    if user is None or not user.is_authenticated:
        return False
    return (
        user.is_superuser
        or user.groups.filter(
            name__in=[MONITORING_ROOM_GROUP, SUPERVISOR_GROUP]
        ).exists()
    )


def is_supervisor(user) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return user.is_superuser or user.groups.filter(name=SUPERVISOR_GROUP).exists()
