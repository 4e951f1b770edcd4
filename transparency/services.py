"""Sign-in by email for visitors without an account.

The visitor types their address on a report page; we email them a signed link
that works for a day. Opening it proves they read that mailbox: we find or create
their citizen account (username = the address, no password) and log them in.

Three rules keep the link from becoming a way into someone else's account:

- It never opens an account that has a password. Anyone may sign up with any
  address without proving it; if the link then opened that account, whoever
  signed up first would own the real owner's activity (account pre-hijacking).
  Such an address is emailed "log in with your password" instead of a link.
- It works once. Like Django's password reset tokens, it carries the account's
  last login as it was when the link was made (empty when there was no account,
  or no login yet); any login since, this link's own included, changes it.
- Opening it only asks; the login is a POST from that page (see the view).
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from officers.permissions import is_officer

EMAIL_LINK_SALT = "warga.email-link"
EMAIL_LINK_MAX_AGE = 24 * 60 * 60  # seconds


@dataclass(frozen=True)
class EmailLink:
    email: str
    next_url: str
    login_state: str


def _accounts_of(email: str, *, lock: bool = False) -> list:
    """At most two accounts that use this address (two means it is ambiguous)."""
    accounts = get_user_model().objects.filter(
        Q(username__iexact=email) | Q(email__iexact=email)
    )
    if lock:
        accounts = accounts.select_for_update()
    return list(accounts.order_by("pk")[:2])


def _login_state(accounts: list) -> str:
    """What changes once the link is used: the last login of the account, if any."""
    if len(accounts) != 1 or accounts[0].last_login is None:
        return ""
    return accounts[0].last_login.isoformat()


def email_link_token(*, email: str, next_url: str) -> str:
    email = email.strip().lower()
    return signing.dumps(
        {"email": email, "next": next_url, "login": _login_state(_accounts_of(email))},
        salt=EMAIL_LINK_SALT,
    )


def email_link_read(*, token: str) -> EmailLink:
    """What a link carries. Raises signing.BadSignature (signing.SignatureExpired
    after a day) for a link that was changed or is too old."""
    payload = signing.loads(token, salt=EMAIL_LINK_SALT, max_age=EMAIL_LINK_MAX_AGE)
    if not isinstance(payload, dict) or not all(
        isinstance(payload.get(key), str) for key in ("email", "login")
    ):
        raise signing.BadSignature("unexpected payload")
    return EmailLink(
        email=payload["email"],
        next_url=str(payload.get("next") or ""),
        login_state=payload["login"],
    )


def _refusal(accounts: list, link: EmailLink) -> ValidationError | None:
    """Why this link may not log anyone in now, or None."""
    if len(accounts) > 1:
        return ValidationError(
            _("Several accounts use this address: log in with your password."),
            code="ambiguous",
        )
    user = accounts[0] if accounts else None
    if user is not None and (user.is_staff or is_officer(user)):
        return ValidationError(
            _("This address belongs to a city account: log in with your password."),
            code="officer",
        )
    if user is not None and user.has_usable_password():
        return ValidationError(
            _("This address already has an account with a password: log in with it."),
            code="has_password",
        )
    if _login_state(accounts) != link.login_state:
        return ValidationError(
            _(
                "This link was already used. Ask for a new one on the report "
                "page if you need it."
            ),
            code="used",
        )
    if user is not None and not user.is_active:
        return ValidationError(_("This account is disabled."), code="inactive")
    return None


def email_link_check(*, link: EmailLink) -> None:
    """Raises ValidationError when the link may not log in now (for the page that
    asks to confirm; nothing is written)."""
    refusal = _refusal(_accounts_of(link.email), link)
    if refusal is not None:
        raise refusal


def email_link_use(*, link: EmailLink):
    """The citizen account the link logs in, created if there is none. Marks the
    link used (a new last login) in the same transaction, so that two clicks at
    once log in only one of them. Raises ValidationError when refused."""
    try:
        with transaction.atomic():
            accounts = _accounts_of(link.email, lock=True)
            refusal = _refusal(accounts, link)
            if refusal is not None:
                raise refusal
            if accounts:
                user = accounts[0]
                user.last_login = timezone.now()
                user.save(update_fields=["last_login"])
            else:
                user = get_user_model()(username=link.email, email=link.email)
                user.set_unusable_password()
                user.last_login = timezone.now()
                user.save()
    except IntegrityError as exc:
        # Another click of the same link created the account a moment ago.
        raise ValidationError(_("This link was already used."), code="used") from exc
    return user


def email_link_send(*, email: str, next_url: str) -> None:
    """Email the sign-in link (from a task: the request does not wait for SMTP).
    An address whose account has a password gets a reminder to log in with it
    instead: the page that asked says the same for every address."""
    email = email.strip().lower()
    accounts = _accounts_of(email)
    with translation.override(settings.LANGUAGE_CODE):
        if any(account.has_usable_password() for account in accounts):
            context = {"login": settings.WARGA_SITE_URL + reverse("accounts:login")}
            template = "transparency/email/has_password_{}.txt"
        else:
            token = email_link_token(email=email, next_url=next_url)
            context = {
                "link": settings.WARGA_SITE_URL
                + reverse("transparency:email-link-open", kwargs={"token": token}),
                "hours": EMAIL_LINK_MAX_AGE // 3600,
            }
            template = "transparency/email/sign_in_{}.txt"
        subject = render_to_string(template.format("subject"), context)
        body = render_to_string(template.format("body"), context)
    send_mail(" ".join(subject.split()), body, None, [email])
