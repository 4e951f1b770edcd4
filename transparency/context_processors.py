from django.conf import settings


def portal(request) -> dict:
    return {"site_name": "Warga", "languages": settings.LANGUAGES}
