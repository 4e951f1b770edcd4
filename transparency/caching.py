"""Caching of public pages: in the visitor's browser, at a CDN, and on the server.

An anonymous visitor's page is the same for everyone who speaks their language, so
browsers and a CDN may keep it for a short while. A logged-in citizen's page carries
their own buttons, and a page that shows a flash message or hands out a CSRF token is
personal too: those must never be shared.

The view only says how long its page may be kept (``public_cache``); the middleware
decides at the very end, after the session, CSRF and messages middleware have set
their cookies, because only then is it known whether the response is personal.

On the server
-------------
The same anonymous pages are also kept in the shared cache (Redis in a deployment of
several nodes, see docs/deployment.md), so that a crowd asking for the same page costs
one rendering, not one per visitor. A request can be answered from it only if it
carries no session cookie (so nothing personal can be in it), asks with GET,
and its URL names a view marked by ``public_cache``. The key is the path, the sorted
query string and the language; a hit skips every middleware below this one and the
view.

Invalidation. Every change that a public page can show (a report filed or moved, an
event on its timeline, a comment, a support, a photo, a survey) bumps a *generation*
number when it is saved and again when its transaction commits (so a page rendered
from the old data between the two is dropped too). Pages of one report
(``report_kwarg``) depend on that report's generation; every other page (lists,
map, statistics, home) on the city's. A stored page remembers the generation it was
made at and is thrown away when it no longer matches; reading both takes one
round-trip to the cache. ``WARGA_PAGE_CACHE_SECONDS`` bounds how old a page may get
even if a change were missed (a bulk ``update()`` sends no signal), and 0 turns the
server-side cache off (the test suite does, but for the tests of this module).
"""

from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language_from_request

MAX_AGE_ATTRIBUTE = "warga_public_max_age"
REPORT_KWARG_ATTRIBUTE = "warga_public_report_kwarg"
CITY_GENERATION = "warga:page:generation"
PAGE_PREFIX = "warga:page:"


def public_cache(*, max_age: int = 60, report_kwarg: str | None = None):
    """Marks a view's page as public for ``max_age`` seconds when the visitor is
    anonymous. ``report_kwarg``: the page shows one report, whose ticket is this
    keyword argument of the URL, and changes only with it."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            setattr(response, MAX_AGE_ATTRIBUTE, max_age)
            return response

        setattr(wrapped, MAX_AGE_ATTRIBUTE, max_age)
        setattr(wrapped, REPORT_KWARG_ATTRIBUTE, report_kwarg)
        return wrapped

    return decorator


def _report_generation_key(ticket: str) -> str:
    return f"{PAGE_PREFIX}report:{ticket.strip().upper()}"


# A generation is kept a month, not forever: the database cache stores "forever" as
# the year 9999, which PostgreSQL reads back past the year 10,000 in WIB and psycopg
# refuses. One that expires starts again from nothing; the pages cached under its
# old numbers expired long before (WARGA_PAGE_CACHE_SECONDS).
GENERATION_SECONDS = 30 * 24 * 3600


def _bump(ticket: str | None) -> None:
    keys = [CITY_GENERATION] + ([_report_generation_key(ticket)] if ticket else [])
    for key in keys:
        # incr is atomic in Redis; add() first, as incr fails on a missing key.
        cache.add(key, 0, timeout=GENERATION_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between the two calls
            cache.set(key, 1, timeout=GENERATION_SECONDS)


def public_pages_changed(*, ticket: str | None) -> None:
    """What the public sees of the report ``ticket`` (and so of the city) changed:
    drop its cached pages now, and again once the change is committed."""
    if not settings.WARGA_PAGE_CACHE_SECONDS:
        return
    _bump(ticket)
    transaction.on_commit(lambda: _bump(ticket))


class PublicCacheMiddleware:
    """Answers anonymous requests for public pages from the shared cache, stores
    such pages, and marks every public page cacheable, or private when anything
    personal is in it. Placed above the session middleware, so that it sees every
    cookie set."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        stored = self._lookup(request)
        if isinstance(stored, HttpResponse):
            return stored
        response = self.get_response(request)
        max_age = getattr(response, MAX_AGE_ATTRIBUTE, None)
        if max_age is None:
            return response
        user = getattr(request, "user", None)
        personal = (
            request.method not in ("GET", "HEAD")
            or (user is not None and user.is_authenticated)
            or bool(response.cookies)
            or response.status_code != 200
        )
        if personal:
            patch_cache_control(response, private=True, no_cache=True)
        else:
            if stored is not None and not response.streaming:
                self._store(response, *stored)
            patch_cache_control(response, public=True, max_age=max_age)
        patch_vary_headers(response, ["Cookie", "Accept-Language"])
        return response

    # -- the server-side store ------------------------------------------------------

    @staticmethod
    def _lookup(request):
        """A stored response, or (key, generation) to store the page under, or
        None when this request may not be answered from or stored in the cache."""
        timeout = settings.WARGA_PAGE_CACHE_SECONDS
        if not timeout or request.method != "GET":
            return None
        if (
            settings.SESSION_COOKIE_NAME in request.COOKIES
            or "messages" in request.COOKIES
        ):
            return None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        max_age = getattr(match.func, MAX_AGE_ATTRIBUTE, None)
        if max_age is None:
            return None
        generation_key = CITY_GENERATION
        report_kwarg = getattr(match.func, REPORT_KWARG_ATTRIBUTE, None)
        if report_kwarg:
            generation_key = _report_generation_key(match.kwargs.get(report_kwarg, ""))
        query = "&".join(sorted(request.META.get("QUERY_STRING", "").split("&")))
        language = get_language_from_request(request)
        key = f"{PAGE_PREFIX}{language}:{request.path}?{query}"
        found = cache.get_many([generation_key, key])
        generation = found.get(generation_key, 0)
        page = found.get(key)
        if page is not None and page["generation"] == generation:
            response = HttpResponse(page["content"], content_type=page["content_type"])
            for header, value in page["headers"].items():
                response[header] = value
            patch_cache_control(response, public=True, max_age=max_age)
            patch_vary_headers(response, ["Cookie", "Accept-Language"])
            response["X-Warga-Cache"] = "hit"
            return response
        return key, generation

    @staticmethod
    def _store(response, key: str, generation: int) -> None:
        page = {
            "generation": generation,
            "content": response.content,
            "content_type": response["Content-Type"],
            "headers": {
                header: response[header]
                for header in ("Content-Language", "Content-Disposition")
                if response.has_header(header)
            },
        }
        cache.set(key, page, timeout=settings.WARGA_PAGE_CACHE_SECONDS)


# -- what invalidates ---------------------------------------------------------------


def _report_changed(sender, instance, **kwargs) -> None:
    public_pages_changed(ticket=instance.ticket)


def _part_of_report_changed(sender, instance, **kwargs) -> None:
    # The report is loaded already where these are made (report=report); a bare
    # report_id costs one query here, inside the change's own transaction.
    report = getattr(instance, "report", None)
    public_pages_changed(ticket=getattr(report, "ticket", None))


def invalidation_connect() -> None:
    """Connects the signals that drop cached public pages (apps.ready)."""
    from django.db.models.signals import post_delete, post_save

    from complaints.models import (
        Comment,
        Coordination,
        Report,
        ReportEvent,
        ReportPhoto,
        SatisfactionSurvey,
        Support,
    )

    for signal in (post_save, post_delete):
        signal.connect(
            _report_changed, sender=Report, dispatch_uid=f"page-Report-{id(signal)}"
        )
        for model in (
            ReportEvent,
            Comment,
            Support,
            ReportPhoto,
            SatisfactionSurvey,
            Coordination,
        ):
            signal.connect(
                _part_of_report_changed,
                sender=model,
                dispatch_uid=f"page-{model.__name__}-{id(signal)}",
            )
