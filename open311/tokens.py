"""The ``token`` of a filed request: the ticket, signed (django.core.signing).

GET tokens/{token} gives the service_request_id back. A token cannot be forged or
altered, and it says nothing the service_request_id does not; no row is stored.
"""

from django.core import signing

SALT = "open311.token"


def token_for(ticket: str) -> str:
    return signing.dumps(ticket, salt=SALT)


def ticket_of(token: str) -> str | None:
    """The ticket a token was made for, or None for anything that is not one."""
    try:
        ticket = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError, UnicodeError):
        return None
    return ticket if isinstance(ticket, str) else None
