"""django-q2 entry points of the public portal."""

from transparency.services import email_link_send as _email_link_send


def email_link_send(email: str, next_url: str) -> None:
    _email_link_send(email=email, next_url=next_url)
