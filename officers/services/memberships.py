"""City-wide roles, unit memberships and the notices officers read."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from officers.models import Membership
from officers.permissions import (
    MONITORING_ROOM_GROUP,
    MONITORING_ROOM_PERMISSIONS,
    SUPERVISOR_GROUP,
    SUPERVISOR_PERMISSIONS,
)


def _permissions(names: list[str]) -> list[Permission]:
    wanted = {tuple(name.split(".", 1)) for name in names}
    return [
        perm
        for perm in Permission.objects.select_related("content_type")
        if (perm.content_type.app_label, perm.codename) in wanted
    ]


@transaction.atomic
def roles_ensure() -> None:
    """The Supervisor and Monitoring Room groups with their model permissions."""
    for name, perms in (
        (SUPERVISOR_GROUP, SUPERVISOR_PERMISSIONS),
        (MONITORING_ROOM_GROUP, MONITORING_ROOM_PERMISSIONS),
    ):
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(*_permissions(perms))


def membership_ensure(*, user, unit, role: str = Membership.Role.OFFICER) -> Membership:
    membership, _created = Membership.objects.update_or_create(
        user=user, unit=unit, defaults={"role": role}
    )
    return membership


def notifications_mark_read(*, user, ids: list[int]) -> int:
    """Mark the officer's units' notices read (others' notices are left alone)."""
    from complaints.models import UnitNotification

    return UnitNotification.objects.filter(
        pk__in=ids,
        read_at__isnull=True,
        unit__in=Membership.objects.filter(user=user).values("unit"),
    ).update(read_at=timezone.now())
