"""Project-level endpoints: health, uploaded media and the error pages."""

import sys
from pathlib import Path

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.template import loader
from django.utils._os import safe_join
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request):
    """Database and worker state for load balancers and the monitoring room."""
    from django_q.brokers import get_broker
    from django_q.status import Stat

    body: dict = {"status": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        body["database"] = {"state": "ok", "vendor": connection.vendor}
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        body["status"] = "error"
        body["database"] = {"state": "down", "error": exc.__class__.__name__}
        return JsonResponse(body, status=503)
    try:
        # The broker in use (the database, or Redis on several machines).
        broker = get_broker()
        clusters = Stat.get_all(broker=broker)
        body["worker"] = {
            "state": "running" if clusters else "stopped",
            "clusters": len(clusters),
            "queued_tasks": broker.queue_size(),
        }
    except Exception as exc:  # noqa: BLE001
        body["worker"] = {"state": "unknown", "error": exc.__class__.__name__}
    if body["worker"]["state"] != "running":
        body["status"] = "degraded"
    return JsonResponse(body)


# Photos are always re-encoded JPEGs; nothing else is ever served from media.
_SAFE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


@require_GET
def media(request, path: str):
    """Serve an uploaded photo with a fixed, safe content type."""
    try:
        full = Path(safe_join(str(settings.MEDIA_ROOT), path))
    except Exception as exc:  # SuspiciousFileOperation on "../"
        raise Http404 from exc
    content_type = _SAFE_TYPES.get(full.suffix.lower())
    if content_type is None or not full.is_file():
        raise Http404
    response = FileResponse(full.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=86400"
    return response


def not_found(request, exception=None):
    """A 404 in the integrators' format under /api/ (an id the URL pattern does not
    take, such as a negative number, never reaches a view); the site's page
    elsewhere."""
    from django.utils.translation import gettext as _
    from django.views.defaults import page_not_found

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return page_not_found(request, exception)


# Seconds a client is asked to wait before trying again when the database is down.
RETRY_AFTER_SECONDS = 5


def server_error(request):
    """A lost database connection (restarting, failing over) is a 503 that says to
    try again, with ``Retry-After``; anything else is the usual 500. Rendered
    without the request's context, as Django's own page is: nothing here may need
    the database."""
    from django.utils.translation import gettext as _
    from django.views.defaults import server_error as django_server_error

    if not isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return django_server_error(request)
    if request.path.startswith(("/api/", "/open311/")):
        response = JsonResponse(
            {
                "detail": _(
                    "The service is briefly unavailable: send the request again."
                )
            },
            status=503,
        )
    else:
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
