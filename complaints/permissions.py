"""Who may file reports through which door."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission


class IsActiveIntegrator(BasePermission):
    """The API key belongs to an active channel connector."""

    message = _("This API key does not belong to an active integrator.")

    def has_permission(self, request, view) -> bool:
        integrator = getattr(request.user, "integrator", None)
        return bool(integrator and integrator.is_active)
