from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficersConfig(AppConfig):
    name = "officers"
    verbose_name = _("Officers")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from officers.middleware import officer_session_start

        user_logged_in.connect(officer_session_start, dispatch_uid="officer-session")
