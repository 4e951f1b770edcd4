from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        # HEIC/HEIF (iPhone photos) become readable by Pillow.
        from pillow_heif import register_heif_opener

        register_heif_opener()
