"""Sign-in by email for visitors without an account.

The visitor types their address on a report page; we email them a signed link
that works for a day. Opening it proves they read that mailbox: we find or create
their citizen account (username = the address, no password) and log them in.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from officers.permissions import is_officer

EMAIL_LINK_SALT = "warga.email-link"
EMAIL_LINK_MAX_AGE = 24 * 60 * 60  # seconds


def email_link_token(*, email: str, next_url: str) -> str:
    return signing.dumps(
        {"email": email.strip().lower(), "next": next_url}, salt=EMAIL_LINK_SALT
    )


def email_link_read(*, token: str) -> tuple[str, str]:
    """The address and the page to return to that a link carries. Raises
    signing.BadSignature (signing.SignatureExpired after a day) for a link that was
    changed or is too old."""
    payload = signing.loads(token, salt=EMAIL_LINK_SALT, max_age=EMAIL_LINK_MAX_AGE)
    if not isinstance(payload, dict) or not isinstance(payload.get("email"), str):
        raise signing.BadSignature("unexpected payload")
    return payload["email"], str(payload.get("next") or "")


def email_link_send(*, email: str, next_url: str) -> None:
    """Email the sign-in link (from a task: the request does not wait for SMTP)."""
    token = email_link_token(email=email, next_url=next_url)
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "link": settings.WARGA_SITE_URL
            + reverse("transparency:email-link-open", kwargs={"token": token}),
            "hours": EMAIL_LINK_MAX_AGE // 3600,
        }
        subject = render_to_string("transparency/email/sign_in_subject.txt", context)
        body = render_to_string("transparency/email/sign_in_body.txt", context)
    send_mail(" ".join(subject.split()), body, None, [email])


def citizen_from_email(*, email: str):
    """The citizen account of this (proven) address, created if there is none.
    Refused for officers' and staff accounts: they log in with their password."""
    email = email.strip().lower()
    user_model = get_user_model()
    with transaction.atomic():
        accounts = list(
            user_model.objects.select_for_update().filter(
                Q(username__iexact=email) | Q(email__iexact=email)
            )[:2]
        )
        if not accounts:
            user = user_model(username=email, email=email)
            user.set_unusable_password()
            user.save()
            return user
        if len(accounts) > 1:
            raise ValidationError(
                _("Several accounts use this address: log in with your password."),
                code="ambiguous",
            )
        user = accounts[0]
        if user.is_staff or is_officer(user):
            raise ValidationError(
                _("This address belongs to a city account: log in with your password."),
                code="officer",
            )
        if not user.is_active:
            raise ValidationError(_("This account is disabled."), code="inactive")
        return user
