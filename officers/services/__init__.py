"""Writes for the back-office, one module per concern."""

from officers.services.memberships import (
    membership_ensure,
    notifications_mark_read,
    roles_ensure,
)

__all__ = ["membership_ensure", "notifications_mark_read", "roles_ensure"]
