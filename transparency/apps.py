from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransparencyConfig(AppConfig):
    name = "transparency"
    verbose_name = _("Public portal")

    def ready(self):
        from transparency.caching import invalidation_connect
        from transparency.selectors import reference

        invalidation_connect()
        reference.invalidation_connect()
