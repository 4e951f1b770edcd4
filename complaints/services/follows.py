"""Citizens who follow a report, or a kelurahan, for email updates."""

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import Follow, Report
from routing.models import Area

# Nobody follows these up any more: there will be no news to send.
CLOSED_TO_FOLLOWS = (Report.Status.REJECTED, Report.Status.MERGED)
UNSUBSCRIBE_SALT = "warga.follow.unsubscribe"


def _target(*, report: Report | None, area: Area | None) -> dict:
    if (report is None) == (area is None):
        raise ValueError("Follow a report or an area, not both nor neither.")
    if area is not None:
        if area.level != Area.Level.KELURAHAN:
            raise ValidationError(_("Only a kelurahan can be followed."))
        return {"area": area}
    return {"report": report}


def follow_add(
    *, actor, report: Report | None = None, area: Area | None = None
) -> bool:
    """Follow a report or a kelurahan; False if the actor already did. Refused for
    rejected and merged reports and for accounts without an email address."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied(_("Log in to follow."))
    target = _target(report=report, area=area)
    if report is not None and report.status in CLOSED_TO_FOLLOWS:
        raise ValidationError(_("This report is no longer followed up."), code="closed")
    if not actor.email:
        raise ValidationError(
            _("Your account has no email address to send updates to."),
            code="no_email",
        )
    try:
        with transaction.atomic():
            Follow.objects.create(user=actor, created_at=timezone.now(), **target)
    except IntegrityError:
        return False
    return True


def follow_remove(
    *, actor, report: Report | None = None, area: Area | None = None
) -> bool:
    """Stop following; False if the actor did not follow it."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied(_("Log in to follow."))
    target = _target(report=report, area=area)
    with transaction.atomic():
        deleted, _rows = Follow.objects.filter(user=actor, **target).delete()
    return deleted > 0


def unsubscribe_token(follow: Follow) -> str:
    """A token that removes this one follow, for the link at the end of each email.
    It does not expire: an old email's link still works."""
    return signing.dumps([follow.pk, follow.user_id], salt=UNSUBSCRIBE_SALT)


def _follow_of_token(token: str) -> Follow | None:
    follow_id, user_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    return (
        Follow.objects.select_related("report", "area")
        .filter(pk=follow_id, user_id=user_id)
        .first()
    )


def follow_of_unsubscribe_token(*, token: str) -> Follow | None:
    """The follow a signed token names (None when it is gone), without removing
    it: for the page that asks to confirm. A token that was tampered with raises
    signing.BadSignature."""
    return _follow_of_token(token)


def follow_unsubscribe(*, token: str) -> Follow | None:
    """Remove the follow a signed token names. Returns the follow as it was (with
    its report or area), or None when it was already gone. A token that was
    tampered with raises signing.BadSignature."""
    with transaction.atomic():
        follow = _follow_of_token(token)
        if follow is None:
            return None
        Follow.objects.filter(pk=follow.pk).delete()
    return follow
