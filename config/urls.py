from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path, register_converter

from complaints.converters import TicketConverter
from config import views

register_converter(TicketConverter, "ticket")

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("complaints.api_urls")),
    path("akun/", include("transparency.account_urls")),
    path("wilayah/", include("routing.urls")),
    path("office/", include("officers.urls")),
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
