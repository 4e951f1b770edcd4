"""Caching headers for public pages.

An anonymous visitor's page is the same for everyone who speaks their language, so
browsers and a CDN may keep it for a short while. A logged-in citizen's page carries
their own buttons, and a page that shows a flash message or hands out a CSRF token is
personal too: those must never be shared.

The view only says how long its page may be kept (``public_cache``); the middleware
decides at the very end, after the session, CSRF and messages middleware have set
their cookies, because only then is it known whether the response is personal.
"""

from functools import wraps

from django.utils.cache import patch_cache_control, patch_vary_headers

MAX_AGE_ATTRIBUTE = "warga_public_max_age"


def public_cache(*, max_age: int = 60):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            setattr(response, MAX_AGE_ATTRIBUTE, max_age)
            return response

        return wrapped

    return decorator


class PublicCacheMiddleware:
    """Marks public pages cacheable, or private when anything personal is in them.
    Placed above the session middleware, so that it sees every cookie set."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        max_age = getattr(response, MAX_AGE_ATTRIBUTE, None)
        if max_age is None:
            return response
        user = getattr(request, "user", None)
        personal = (
            (user is not None and user.is_authenticated)
            or bool(response.cookies)
            or response.status_code != 200
        )
        if personal:
            patch_cache_control(response, private=True, no_cache=True)
        else:
            patch_cache_control(response, public=True, max_age=max_age)
        patch_vary_headers(response, ["Cookie", "Accept-Language"])
        return response
