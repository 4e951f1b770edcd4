"""django-q2 entry points for the back-office: thin, safe to run twice."""


def sla_sweep() -> str:
    """Warn and escalate late reports (scheduled every ten minutes)."""
    from officers.services.sla import sla_sweep as sweep

    result = sweep()
    return f"{result.warnings} warnings, {result.escalations} escalations"


def audit_samples_draw() -> int:
    """Queue last month's audit samples for the supervisors (scheduled monthly)."""
    from officers.services.audit import audit_samples_draw as draw

    return draw()
