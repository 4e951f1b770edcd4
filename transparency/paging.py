"""Pages of the public list that cost the same at the millionth report as at the first.

A page-number link (``?page=2000``) makes the database count and skip 50,000 rows
(``OFFSET``) before it finds the 25 to show, and the count of every matching report
is a scan of its own. Instead, a page is named by the report it starts after
(*keyset* pagination): ``?before=<cursor>`` shows the 25 reports received just
before the cursor's, ``?after=<cursor>`` the 25 just after; both walk the
``created_at`` index from that point and read 26 rows. The cursor is the report's
receipt time (microseconds since the epoch) and id, which together order every
report; it is not secret (both are public), only opaque.

The number of matching reports is counted up to ``COUNT_CAP``; past it the page
says "more than 10,000", which reads at most that many index entries.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Q, QuerySet

COUNT_CAP = 10_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class BadCursor(ValueError):
    pass


@dataclass(frozen=True)
class Cursor:
    created_at: datetime
    id: int

    def __str__(self) -> str:
        micros = (self.created_at - EPOCH) // timedelta(microseconds=1)
        return f"{micros}.{self.id}"

    @classmethod
    def parse(cls, text: str) -> "Cursor":
        micros, dot, ident = (text or "").partition(".")
        if not (dot and micros.lstrip("-").isdigit() and ident.isdigit()):
            raise BadCursor(text)
        if len(micros) > 19 or len(ident) > 19:
            raise BadCursor(text)
        try:
            created = EPOCH + timedelta(microseconds=int(micros))
        except OverflowError as exc:
            raise BadCursor(text) from exc
        return cls(created, int(ident))

    @classmethod
    def of(cls, report) -> "Cursor":
        return cls(report.created_at, report.id)


@dataclass(frozen=True)
class KeysetPage:
    object_list: list
    newer: Cursor | None  # the link to the newer page starts after this
    older: Cursor | None  # and the link to the older page before this
    is_first: bool


def keyset_page(
    reports: QuerySet,
    *,
    before: Cursor | None = None,
    after: Cursor | None = None,
    size: int = 25,
) -> KeysetPage:
    """One page of ``reports``, newest first: the first page, the one before
    ``before`` (older), or the one after ``after`` (newer)."""
    if after is not None:
        rows = list(
            # The plain bound lets the database start from the cursor in the
            # created_at index; the OR alone made it read every newer report.
            reports.filter(
                Q(created_at__gte=after.created_at),
                Q(created_at__gt=after.created_at)
                | Q(created_at=after.created_at, id__gt=after.id),
            ).order_by("created_at", "id")[: size + 1]
        )
        more_newer = len(rows) > size
        rows = list(reversed(rows[:size]))
        return KeysetPage(
            rows,
            newer=Cursor.of(rows[0]) if rows and more_newer else None,
            older=Cursor.of(rows[-1]) if rows else after,
            is_first=not more_newer,
        )
    ordered = reports.order_by("-created_at", "-id")
    if before is not None:
        ordered = ordered.filter(
            Q(created_at__lte=before.created_at),
            Q(created_at__lt=before.created_at)
            | Q(created_at=before.created_at, id__lt=before.id),
        )
    rows = list(ordered[: size + 1])
    more_older = len(rows) > size
    rows = rows[:size]
    return KeysetPage(
        rows,
        newer=Cursor.of(rows[0]) if rows and before is not None else before,
        older=Cursor.of(rows[-1]) if more_older else None,
        is_first=before is None,
    )


def count_capped(reports: QuerySet, *, cap: int | None = None) -> tuple[int, bool]:
    """How many reports match, counting at most ``cap`` (COUNT_CAP) + 1 of them:
    (count, more than cap)."""
    cap = COUNT_CAP if cap is None else cap
    found = reports.order_by().values("id")[: cap + 1].count()
    return min(found, cap), found > cap
