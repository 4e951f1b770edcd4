"""What citizens say and follow on a report page: comments, follows of a report
or a kelurahan, the unsubscribe link in their emails, and signing in by email."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from django_q.tasks import async_task

from complaints.services.comments import comment_add
from complaints.services.follows import (
    follow_add,
    follow_of_unsubscribe_token,
    follow_remove,
    follow_unsubscribe,
)
from routing.models import Area
from transparency.forms import CommentForm, EmailLinkForm
from transparency.ratelimits import over_limit, too_many_requests
from transparency.selectors import report_public_get
from transparency.services import email_link_check, email_link_read, email_link_use
from transparency.views.reports import _report_page

# ValidationError codes that say "not now" rather than "bad input".
CONFLICT_CODES = {"closed"}


def _safe_next(request, value: str | None, *, default: str) -> str:
    """A page on this site to return to, or ``default``."""
    value = value or ""
    if value.startswith("/") and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return default


def _notice(request, *, title: str, message: str, status: int, back: str = ""):
    return render(
        request,
        "transparency/notice.html",
        {"title": title, "message": message, "back": back},
        status=status,
    )


def _status_of(exc: ValidationError) -> int:
    return 409 if getattr(exc, "code", None) in CONFLICT_CODES else 400


@require_POST
def comment_create(request, ticket: str):
    """A logged-in citizen (or an officer, as their unit) comments on a report."""
    page = reverse("transparency:report-detail", kwargs={"ticket": ticket})
    if not request.user.is_authenticated:
        return redirect_to_login(page)
    report = report_public_get(ticket=ticket)
    if over_limit(request, limit="comment"):
        return too_many_requests(request, back=report.get_absolute_url())
    form = CommentForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            comment = comment_add(
                actor=request.user,
                report=report,
                body=form.cleaned_data["body"],
                display_name=form.cleaned_data["display_name"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            status = _status_of(exc)
        else:
            messages.success(request, _("Thank you: your comment is published."))
            return HttpResponseRedirect(
                f"{report.get_absolute_url()}#comment-{comment.pk}"
            )
    messages.error(request, _("Your comment was not published."))
    return _report_page(request, report, comment_form=form, status=status)


def _report_follow(request, ticket: str, *, add: bool):
    page = reverse("transparency:report-detail", kwargs={"ticket": ticket})
    if not request.user.is_authenticated:
        return redirect_to_login(page)
    report = report_public_get(ticket=ticket)
    if over_limit(request, limit="follow"):
        return too_many_requests(request, back=report.get_absolute_url())
    try:
        if add:
            follow_add(actor=request.user, report=report)
        else:
            follow_remove(actor=request.user, report=report)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return _report_page(request, report, status=_status_of(exc))
    if add:
        messages.success(
            request, _("You follow this report: we will email you when it moves.")
        )
    else:
        messages.success(request, _("You no longer follow this report."))
    return HttpResponseRedirect(report.get_absolute_url())


@require_POST
def report_follow(request, ticket: str):
    return _report_follow(request, ticket, add=True)


@require_POST
def report_unfollow(request, ticket: str):
    return _report_follow(request, ticket, add=False)


def _area_follow(request, code: str, *, add: bool):
    back = _safe_next(
        request, request.POST.get("next"), default=reverse("transparency:home")
    )
    if not request.user.is_authenticated:
        return redirect_to_login(back)
    area = get_object_or_404(Area, code=code, level=Area.Level.KELURAHAN)
    if over_limit(request, limit="follow"):
        return too_many_requests(request, back=back)
    try:
        if add:
            follow_add(actor=request.user, area=area)
        else:
            follow_remove(actor=request.user, area=area)
    except ValidationError as exc:
        return _notice(
            request,
            title=_("Not followed"),
            message=exc.messages[0],
            status=_status_of(exc),
            back=back,
        )
    if add:
        messages.success(
            request,
            _(
                "You follow Kelurahan %(name)s: we will email you about its new "
                "reports and when they move."
            )
            % {"name": area.name},
        )
    else:
        messages.success(
            request, _("You no longer follow Kelurahan %(name)s.") % {"name": area.name}
        )
    return HttpResponseRedirect(back)


@require_POST
def area_follow(request, code: str):
    return _area_follow(request, code, add=True)


@require_POST
def area_unfollow(request, code: str):
    return _area_follow(request, code, add=False)


# No CSRF token: a one-click unsubscribe comes from the mail app (RFC 8058: a POST
# with the body "List-Unsubscribe=One-Click"), and the signed token in the address
# is the only credential needed. A GET only asks: mail scanners open every link.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """The link at the end of every email to a follower: ends that one follow."""
    try:
        if request.method == "POST":
            follow = follow_unsubscribe(token=token)
        else:
            follow = follow_of_unsubscribe_token(token=token)
    except signing.BadSignature:
        return _notice(
            request,
            title=_("Invalid link"),
            message=_(
                "This unsubscribe link is not valid. Copy the whole link from "
                "the email, or unfollow from the report page."
            ),
            status=400,
        )
    if request.method == "GET" and follow is not None:
        return render(request, "transparency/unsubscribe.html", {"follow": follow})
    return render(request, "transparency/unsubscribed.html", {"follow": follow})


# No CSRF token, so that an anonymous report page carries nothing personal and can
# be cached. A forged request can only send a sign-in link to an address the forger
# chose, which the limits per IP and per address already bound.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def email_link_request(request):
    """A visitor without an account asks for a sign-in link by email."""
    source = request.POST if request.method == "POST" else request.GET
    back = _safe_next(request, source.get("next"), default=reverse("transparency:home"))
    if request.method == "GET":
        form = EmailLinkForm(initial={"next": back})
        return render(request, "transparency/email_link.html", {"form": form})
    if over_limit(request, limit="email-link-ip"):
        return too_many_requests(request, back=back)
    form = EmailLinkForm(request.POST)
    if not form.is_valid():
        return render(
            request, "transparency/email_link.html", {"form": form}, status=400
        )
    email = form.cleaned_data["email"]
    if over_limit(request, limit="email-link-address", value=email):
        return too_many_requests(request, back=back)
    transaction.on_commit(
        lambda: async_task("transparency.tasks.email_link_send", email, back),
        robust=True,
    )
    messages.success(
        request,
        _(
            "We sent a link to %(email)s. Open it within 24 hours to comment, "
            "support or follow."
        )
        % {"email": email},
    )
    return HttpResponseRedirect(back)


def _is_account_of(user, email: str) -> bool:
    return email in {user.get_username().lower(), (user.email or "").lower()}


# A GET only asks: mail scanners and link previews open links, and a login must
# not happen behind the citizen's back (nor use up their link). The POST needs the
# CSRF token of the page, so another site cannot log a visitor into its account.
@never_cache
@require_http_methods(["GET", "POST"])
def email_link_open(request, token: str):
    """The link from the email: after the citizen confirms, log them in (creating
    their account the first time) and return to the page they came from."""
    try:
        link = email_link_read(token=token)
    except signing.SignatureExpired:
        return _notice(
            request,
            title=_("Link expired"),
            message=_(
                "This link is more than 24 hours old. Ask for a new one on the "
                "report page."
            ),
            status=400,
        )
    except signing.BadSignature:
        return _notice(
            request,
            title=_("Invalid link"),
            message=_(
                "This sign-in link is not valid. Copy the whole link from the "
                "email, or ask for a new one."
            ),
            status=400,
        )
    next_url = _safe_next(request, link.next_url, default=reverse("transparency:home"))
    if request.user.is_authenticated:
        if _is_account_of(request.user, link.email):
            return HttpResponseRedirect(next_url)
        return render(
            request,
            "transparency/email_link_open.html",
            {"email": link.email, "other_account": True},
            status=409,
        )
    try:
        if request.method == "GET":
            email_link_check(link=link)
            return render(
                request, "transparency/email_link_open.html", {"email": link.email}
            )
        user = email_link_use(link=link)
    except ValidationError as exc:
        return _notice(
            request,
            title=_("Cannot sign in with this link"),
            message=exc.messages[0],
            status=400,
            back=reverse("accounts:login"),
        )
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(
        request, _("You are logged in as %(email)s.") % {"email": link.email}
    )
    return HttpResponseRedirect(next_url)
