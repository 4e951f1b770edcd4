"""Officers' sessions end after a working day of idleness; citizens' do not.

An officer's session opens a back-office that reads reporters' contact details, on
shared office computers: it lasts WARGA_OFFICER_SESSION_SECONDS (8 hours) after
the last request, not Django's two weeks. Whether a session is an officer's is
decided once, at login (``officer_session_start``, connected in
officers/apps.py), so that a request costs no query for it; a citizen who becomes
an officer keeps a citizen's session until the next login.
"""

import time

from django.conf import settings

from officers.permissions import is_officer

# The session key holding when the expiry was last pushed back (a Unix time);
# present only in officers' sessions.
SEEN_KEY = "_warga_officer_seen"
# Pushing the expiry back saves the session: at most once per this many seconds
# (or a tenth of the idle time, when that is shorter).
REFRESH_SECONDS = 300


def _extend(session, seconds: int, now: float) -> None:
    session[SEEN_KEY] = now
    session.set_expiry(seconds)


def officer_session_start(sender, request, user, **kwargs):
    """``user_logged_in`` receiver: an officer's new session gets the short
    expiry."""
    session = getattr(request, "session", None)
    if session is not None and is_officer(user):
        _extend(session, settings.WARGA_OFFICER_SESSION_SECONDS, time.time())


class OfficerSessionExpiryMiddleware:
    """Pushes an officer's session expiry back on each request (at most once per
    REFRESH_SECONDS), so the session ends after WARGA_OFFICER_SESSION_SECONDS of
    idleness. Reads only a session the view already loaded: no extra query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.accessed:
            return response
        seen = session.get(SEEN_KEY)
        if seen is None:
            return response
        seconds = settings.WARGA_OFFICER_SESSION_SECONDS
        now = time.time()
        if now - seen >= min(REFRESH_SECONDS, seconds // 10):
            _extend(session, seconds, now)
        return response
