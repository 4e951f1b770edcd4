from django.conf import settings

from officers.permissions import can_monitor, is_officer, is_supervisor


def portal(request) -> dict:
    user = getattr(request, "user", None)
    return {
        "site_name": "Warga",
        "languages": settings.LANGUAGES,
        # Evaluated only by the templates that ask (the top bar, when logged in).
        "is_officer": lambda: is_officer(user),
        "can_monitor": lambda: can_monitor(user),
        "is_supervisor": lambda: is_supervisor(user),
    }
