"""Caching headers for public pages.

An anonymous visitor's page is the same for everyone who speaks their language, so
browsers and a CDN may keep it for a short while. A logged-in citizen's page carries
their own buttons and must never be shared.
"""

from functools import wraps

from django.utils.cache import patch_cache_control, patch_vary_headers


def public_cache(*, max_age: int = 60):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            personal = (
                request.user.is_authenticated
                # A flash message or a new CSRF token makes this copy personal.
                or bool(response.cookies)
                or response.status_code != 200
            )
            if personal:
                patch_cache_control(response, private=True, no_cache=True)
            else:
                patch_cache_control(response, public=True, max_age=max_age)
            patch_vary_headers(response, ["Cookie", "Accept-Language"])
            return response

        return wrapped

    return decorator
