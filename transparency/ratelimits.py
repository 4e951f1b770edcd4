"""Limits on what one citizen (or one address, or one IP) may do per hour.

The rates are settings (``WARGA_RATE_*``), read on each request. Every attempt
counts, accepted or not. Over the limit the view answers 429 and saves nothing.
"""

import ipaddress

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited

# What is limited -> (the setting holding its rate, what it is counted by).
LIMITS = {
    "comment": ("WARGA_RATE_COMMENTS", "user"),
    "support": ("WARGA_RATE_SUPPORTS", "user"),
    "follow": ("WARGA_RATE_FOLLOWS", "user"),
    "email-link-ip": (
        "WARGA_RATE_EMAIL_LINKS_PER_IP",
        lambda _group, request: client_ip(request),
    ),
    "email-link-address": ("WARGA_RATE_EMAIL_LINKS_PER_ADDRESS", "post:email"),
    "report-ip": ("WARGA_RATE_REPORTS_PER_IP", lambda _g, request: client_ip(request)),
    "report-user": ("WARGA_RATE_REPORTS_PER_USER", "user"),
    "officer-report-ip": (
        "WARGA_RATE_OFFICER_REPORTS_PER_IP",
        lambda _group, request: client_ip(request),
    ),
    "officer-report-user": ("WARGA_RATE_OFFICER_REPORTS_PER_USER", "user"),
    "login-ip": ("WARGA_RATE_LOGINS_PER_IP", lambda _g, request: client_ip(request)),
}


def client_ip(request) -> str:
    """The visitor's address: from the header the reverse proxy sets when
    ``RATELIMIT_IP_META_KEY`` names its request.META key (``HTTP_X_REAL_IP``), else
    REMOTE_ADDR. django-ratelimit's own ``ip`` key reads the same setting but fails
    with a 500 when the header is missing; here a request without it (one that did
    not come through the proxy) counts under REMOTE_ADDR. IPv6 addresses count
    per /64, as django-ratelimit does."""
    header = getattr(settings, "RATELIMIT_IP_META_KEY", None)
    candidates = [request.META.get(header, "")] if header else []
    candidates.append(request.META.get("REMOTE_ADDR", ""))
    for candidate in candidates:
        try:
            address = ipaddress.ip_address(str(candidate).strip())
        except ValueError:
            continue
        if address.version == 6:
            network = ipaddress.ip_network(f"{address}/64", strict=False)
            return str(network.network_address)
        return str(address)
    return ""


def over_limit(request, *, limit: str, value: str | None = None) -> bool:
    """Count this request against ``limit``; True once it is over. ``value`` is
    what to count by when the key is not read from the request (a cleaned
    address)."""
    setting, key = LIMITS[limit]
    if value is not None:
        key = lambda _group, _request: value  # noqa: E731
    return is_ratelimited(
        request,
        group=f"warga.{limit}",
        key=key,
        rate=getattr(settings, setting),
        increment=True,
    )


def over_limits(request, *, limits: list[str]) -> bool:
    """Count this request against each of ``limits`` (all of them, so that every
    count sees every attempt); True once any is over. A limit counted ``"user"``
    is skipped for an anonymous visitor: they would all share one count."""
    over = False
    for limit in limits:
        if LIMITS[limit][1] == "user" and not request.user.is_authenticated:
            continue
        over = over_limit(request, limit=limit) or over
    return over


def too_many_requests(request, *, back: str = ""):
    """The 429 answer: a page (with a link ``back``) for a browser,
    ``{"errors": ...}`` for JSON."""
    message = _(
        "You have done this too many times in a short while. Please wait a bit "
        "and try again later."
    )
    accept = request.headers.get("Accept", "")
    if "application/json" in accept or request.content_type == "application/json":
        return JsonResponse({"errors": {"__all__": [message]}}, status=429)
    return render(
        request,
        "transparency/notice.html",
        {"title": _("Too many requests"), "message": message, "back": back},
        status=429,
    )
