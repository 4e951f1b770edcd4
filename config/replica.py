"""Which reads of a request may go to the read replica.

Installed only when REPLICA_DATABASE_URL is set (config/settings/base.py). A
request is a *public read* when it is an anonymous GET or HEAD of one of the
public pages or endpoints named in ``PUBLIC_VIEWS``: the transparency portal, the
public map, list, report, statistics and export, Open311 reads and the public API
reference and statistics. Only those read from "replica"; a signed-in visitor, an
integrator with a key, the back-office, the admin and everything else read from
"default", and every write goes to "default" (``config.routers``).

Read-your-writes: once a request has written, its later reads stay on "default";
and after a POST (any unsafe method) the browser gets a short-lived cookie
(``PIN_COOKIE``) that keeps its next requests on "default" for
WARGA_REPLICA_PIN_SECONDS, longer than the replication lag, so a citizen who has
just filed or commented sees it on the next page.

The state lives in a context variable, so that it follows the request through
threads and ``sync_to_async`` and is gone when the request ends. Outside a
request (workers, commands, the shell) every read goes to "default".
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA_DB_ALIAS = "replica"
PIN_COOKIE = "warga_primary"
SAFE_METHODS = frozenset({"GET", "HEAD"})

# View names (namespace:name) whose anonymous GETs read from the replica. Pages a
# citizen reaches right after a write of their own (the "report filed" page, the
# Open311 token that answers a POST) are not here: they must see the primary.
PUBLIC_VIEWS = frozenset(
    {
        "transparency:home",
        "transparency:track",
        "transparency:report-list",
        "transparency:report-detail",
        "transparency:nearby",
        "transparency:map-data",
        "transparency:stats",
        "transparency:export-csv",
        "transparency:export-geojson",
        "routing:locate",
        "routing:kelurahan-boundaries",
        "open311:discovery",
        "open311:services",
        "open311:service",
        "open311:requests",
        "open311:request",
        "api:stats",
        "api:stats-headline",
        "api:category-list",
        "api:category-detail",
        "api:channel-list",
        "api:area-list",
        "api:area-detail",
        "api:unit-list",
        "api:unit-detail",
    }
)


@dataclass
class ReadState:
    public: bool = False
    wrote: bool = False


_state: ContextVar[ReadState | None] = ContextVar("warga_read_state", default=None)


def read_alias() -> str:
    """The alias a read goes to now."""
    state = _state.get()
    if state is None or not state.public or state.wrote:
        return DEFAULT_DB_ALIAS
    # Inside a transaction the reads belong with the writes they guard.
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return REPLICA_DB_ALIAS


def note_write() -> None:
    """A write went to the primary: later reads of this request stay there."""
    state = _state.get()
    if state is not None:
        state.wrote = True


@contextmanager
def request_reads(*, public: bool) -> Iterator[ReadState]:
    """The read state of one request (the middleware's; tests use it directly)."""
    state = ReadState(public=public)
    token = _state.set(state)
    try:
        yield state
    finally:
        _state.reset(token)


def _read_as(state: ReadState, chunks: Iterable) -> Iterator:
    iterator = iter(chunks)
    while True:
        token = _state.set(state)
        try:
            chunk = next(iterator)
        except StopIteration:
            return
        finally:
            _state.reset(token)
        yield chunk


def is_public_read(request) -> bool:
    """An anonymous GET/HEAD of a public page, not pinned to the primary."""
    if request.method not in SAFE_METHODS or PIN_COOKIE in request.COOKIES:
        return False
    match = getattr(request, "resolver_match", None)
    if match is None or match.view_name not in PUBLIC_VIEWS:
        return False
    # Credentials of any kind: an integrator's token or key, a signed-in user.
    if "HTTP_AUTHORIZATION" in request.META or "api_key" in request.GET:
        return False
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


class ReplicaReadsMiddleware:
    """Marks public reads (below the authentication middleware, which it needs)
    and pins a browser that has just posted to the primary for a while."""

    def __init__(self, get_response):
        if REPLICA_DB_ALIAS not in settings.DATABASES:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        with request_reads(public=False) as state:
            response = self.get_response(request)
        if response.streaming and not response.is_async and state.public:
            # A streamed export reads while the server sends it, after this
            # returns: its reads keep the request's choice.
            response.streaming_content = _read_as(state, response.streaming_content)
        # Only after a POST (or PUT, PATCH, DELETE): the visitor's own action. A
        # GET that happens to write (a counter, a table kept up to date) must
        # not give a public page a cookie, which would make it private.
        if request.method not in SAFE_METHODS:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.WARGA_REPLICA_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        state = _state.get()
        if state is not None:
            state.public = is_public_read(request)
