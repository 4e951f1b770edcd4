"""URL converter for ticket numbers: anything else is a 404 before any query."""


class TicketConverter:
    regex = r"[A-Za-z0-9-]{1,24}"

    def to_python(self, value: str) -> str:
        return value.upper()

    def to_url(self, value: str) -> str:
        return value
