"""The reference data a public list shows on every row and offers in its filter form
(categories, channels, areas, units), read once per process and kept in memory.

A page of 25 reports joined to all of them made PostgreSQL spend 50-100 ms planning
a ten-table join, and the filter form read ~750 rows at each request. These tables
change a few times a year, through the admin or ``load_reference``.

Invalidation: a token in the shared cache names the data's current state. A save or
delete of a category, channel, area or unit sets a new token (at once, and again when
its transaction commits, so that a snapshot read between the two is dropped too);
each process compares its snapshot's token with the shared one at each use (one
round-trip to the cache, once per request) and reloads when they differ; the process
that made the change drops its own at once. A change that sends no signal
(a bulk ``update()``, a data load outside Django) is picked up within ``MAX_AGE``.

The objects are shared by every request of the process: read them, never change them.
"""

import threading
import time
import uuid
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import transaction
from django.utils.html import format_html
from django.utils.translation import get_language

from complaints.models import Category, Channel, Report
from routing.models import Area, Unit

TOKEN_KEY = "warga:reference:token"
MAX_AGE = 300  # seconds
# Kept a month, not forever: the database cache stores "forever" as the year 9999,
# which PostgreSQL reads back past the year 10,000 in WIB and psycopg refuses. A
# token that expires is simply made anew (a reload, once).
TOKEN_SECONDS = 30 * 24 * 3600


@dataclass
class Reference:
    token: str
    loaded_at: float
    categories: list  # as the filter offers them (sort order, name)
    channels: list
    areas: list  # by name
    units: list  # by name, inactive ones too (a report keeps its old unit)
    category_by_id: dict
    channel_by_id: dict
    area_by_id: dict
    unit_by_id: dict
    # Rendered <option> lists, per (filter, language): see options().
    rendered: dict = field(default_factory=dict)

    def choices(self, name: str) -> list:
        """The objects the public filter ``name`` offers, in its order."""
        if name == "category":
            return self.categories
        if name == "channel":
            return self.channels
        if name == "unit":
            return [u for u in self.units if u.is_active]
        level = {
            "kota": Area.Level.KOTA,
            "kecamatan": Area.Level.KECAMATAN,
            "kelurahan": Area.Level.KELURAHAN,
        }[name]
        return [a for a in self.areas if a.level == level]


_snapshot: Reference | None = None
_lock = threading.Lock()
# Whether this thread compared its snapshot with the shared token during the
# current request (reset when a request starts).
_checked = threading.local()


def reference() -> Reference:
    """The current reference data (see the module's docstring)."""
    global _snapshot
    snapshot = _snapshot
    if (
        snapshot is not None
        and getattr(_checked, "token", None) == snapshot.token
        and time.monotonic() - snapshot.loaded_at <= MAX_AGE
    ):
        return snapshot
    token = cache.get(TOKEN_KEY)
    if token is None:
        cache.add(TOKEN_KEY, uuid.uuid4().hex, timeout=TOKEN_SECONDS)
        token = cache.get(TOKEN_KEY)
    snapshot = _snapshot
    if (
        snapshot is None
        or token is None  # a cache that keeps nothing: never trust a snapshot
        or snapshot.token != token
        or time.monotonic() - snapshot.loaded_at > MAX_AGE
    ):
        with _lock:
            snapshot = _load(token or "")
            _snapshot = snapshot
    _checked.token = token
    return snapshot


def _load(token: str) -> Reference:
    categories = list(
        Category.objects.only("id", "code", "name", "name_en", "sort_order")
    )
    channels = list(Channel.objects.only("id", "code", "name", "sort_order"))
    areas = list(
        Area.objects.only("id", "code", "name", "level", "parent_id").order_by("name")
    )
    units = list(Unit.objects.only("id", "code", "name", "is_active").order_by("name"))
    area_by_id = {a.pk: a for a in areas}
    parent_field = Area._meta.get_field("parent")
    for area in areas:
        parent_field.set_cached_value(area, area_by_id.get(area.parent_id))
    return Reference(
        token=token,
        loaded_at=time.monotonic(),
        categories=categories,
        channels=channels,
        areas=areas,
        units=units,
        category_by_id={c.pk: c for c in categories},
        channel_by_id={c.pk: c for c in channels},
        area_by_id=area_by_id,
        unit_by_id={u.pk: u for u in units},
    )


def options(name: str, *, empty_label, parents: bool = False) -> list:
    """The ``<option>``s of the public filter ``name``, rendered once per snapshot
    and language: (value, start of the tag, rest), " selected" goes between."""
    ref = reference()
    key = (name, get_language())
    found = ref.rendered.get(key)
    if found is None:
        found = [("", '<option value=""', format_html(">{}</option>", empty_label))]
        for item in ref.choices(name):
            parent = item.parent if parents else None
            start = format_html('<option value="{}"', item.code)
            if parent is not None:
                start += format_html(' data-parent="{}"', parent.code)
            found.append((item.code, start, format_html(">{}</option>", str(item))))
        ref.rendered[key] = found
    return found


_REPORT_FIELDS = {
    name: Report._meta.get_field(name)
    for name in ("category", "channel", "area", "handling_unit")
}


def attach(reports) -> None:
    """Gives each report (and the report it duplicates, when loaded) its category,
    channel, area (with its parents) and handling unit, without a query. An id the
    snapshot does not know is left to load as usual."""
    ref = reference()
    sources = {
        "category": ref.category_by_id,
        "channel": ref.channel_by_id,
        "area": ref.area_by_id,
        "handling_unit": ref.unit_by_id,
    }
    for report in reports:
        parent = (
            Report.parent.field.get_cached_value(report, None)
            if report.parent_id
            else None
        )
        for row, names in ((report, _REPORT_FIELDS), (parent, ("handling_unit",))):
            if row is None:
                continue
            for name in names:
                model_field = _REPORT_FIELDS[name]
                if model_field.attname in row.get_deferred_fields():
                    continue
                found = sources[name].get(getattr(row, model_field.attname))
                if found is not None:
                    model_field.set_cached_value(row, found)


def reference_changed(**kwargs) -> None:
    """Receiver of the reference models' saves and deletes (apps.ready)."""
    global _snapshot
    _snapshot = None
    cache.set(TOKEN_KEY, uuid.uuid4().hex, timeout=TOKEN_SECONDS)
    transaction.on_commit(
        lambda: cache.set(TOKEN_KEY, uuid.uuid4().hex, timeout=TOKEN_SECONDS)
    )


def _request_started(**kwargs) -> None:
    _checked.token = None


def invalidation_connect() -> None:
    from django.core.signals import request_started
    from django.db.models.signals import post_delete, post_save

    request_started.connect(_request_started, dispatch_uid="reference-request")
    for model in (Category, Channel, Area, Unit):
        for signal in (post_save, post_delete):
            signal.connect(
                reference_changed,
                sender=model,
                dispatch_uid=f"reference-{model.__name__}-{id(signal)}",
            )
