"""Who may use /open311/v2/, and how often.

Reading is open to everyone (it shows only what the public portal shows), limited
per client IP. Filing (POST requests) takes an ``api_key``: the DRF token of an
active integrator that has a channel, the same key as ``Authorization: Token`` on
/api/v1/. The spec answers 403 to a missing or bad key. Filing is limited per key.
"""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import BaseAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import (
    AuthenticationFailed,
    NotAuthenticated,
    PermissionDenied,
)
from rest_framework.permissions import BasePermission
from rest_framework.throttling import SimpleRateThrottle

from complaints.selectors import integrator_of
from transparency.ratelimits import client_ip


class ApiKeyAuthentication(BaseAuthentication):
    """The spec's ``api_key`` field of a POST (also read from the query string,
    where some clients put it). Other methods carry no key."""

    def authenticate(self, request):
        if request.method != "POST":
            return None
        data = request.data
        key = data.get("api_key") if isinstance(data, dict) else None
        key = key or request.query_params.get("api_key")
        if not key:
            return None
        well_formed = (
            isinstance(key, str) and len(key) <= 40 and key.isascii() and key.isalnum()
        )
        token = (
            Token.objects.select_related("user").filter(key=key).first()
            if well_formed
            else None
        )
        if token is None or not token.user.is_active:
            raise AuthenticationFailed(
                _("Invalid api_key received: the request was not filed.")
            )
        return token.user, token

    def authenticate_header(self, request) -> None:
        return None  # no challenge to offer: DRF then answers 403, as the spec does


class CanFileRequests(BasePermission):
    """A POST needs the key of an active integrator with a channel to file into."""

    def has_permission(self, request, view) -> bool:
        if request.method != "POST":
            return True
        if not request.user.is_authenticated:
            raise NotAuthenticated(
                _("No api_key received: send the api_key an administrator gave you.")
            )
        integrator = integrator_of(request.user)
        if integrator is None:
            raise PermissionDenied(
                _("This api_key does not belong to an active integrator.")
            )
        if integrator.channel_id is None:
            raise PermissionDenied(
                _("This api_key's integrator has no channel to file requests into.")
            )
        return True


class ReadRateThrottle(SimpleRateThrottle):
    """Reads, per client IP (the proxy's header when configured)."""

    scope = "open311_read"

    def get_rate(self) -> str:
        return settings.WARGA_OPEN311_RATE_GET

    def get_cache_key(self, request, view) -> str | None:
        if request.method == "POST":
            return None
        ident = client_ip(request) or self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class FilingRateThrottle(SimpleRateThrottle):
    """POSTs, per api_key (its account); per client IP while it has none."""

    scope = "open311_file"

    def get_rate(self) -> str:
        return settings.WARGA_OPEN311_RATE_POST

    def get_cache_key(self, request, view) -> str | None:
        if request.method != "POST":
            return None
        if request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = client_ip(request) or self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
