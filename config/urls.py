from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path, register_converter
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from complaints.converters import TicketConverter
from config import views
from transparency.views.accounts import login_rate_limited

register_converter(TicketConverter, "ticket")

handler404 = "config.views.not_found"
handler500 = "config.views.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # The admin's login counted per client IP like the site's (django-axes locks
    # out wrong passwords on both).
    path("admin/login/", login_rate_limited(admin.site.login)),
    path("admin/", admin.site.urls),
    # Without a CSRF token, so that an anonymous page carries nothing personal and
    # can be cached; a forged request can only switch the visitor's language.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("api/v1/", include("config.api_urls")),
    path("akun/", include("transparency.account_urls")),
    path("wilayah/", include("routing.urls")),
    path("office/", include("officers.urls")),
    path("open311/v2/", include("open311.urls")),
    path("", include("complaints.urls")),
    path("", include("transparency.urls")),
]

if settings.WARGA_SERVE_MEDIA:
    urlpatterns.append(
        re_path(
            rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.+)$",
            views.media,
            name="media",
        )
    )
