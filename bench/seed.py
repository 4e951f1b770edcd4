"""Ten years of Jakarta in PostgreSQL: a million reports bulk-loaded with COPY.

    .venv/bin/python bench/seed.py --reports 1000000     (DATABASE_URL: PostgreSQL)

`bench/city.py` calls this; it is a module of its own so that the seeding can be read
(and rerun) apart from the measuring.

What is made, and how it is distributed:

- **Where**: every kelurahan, weighted by population. The reference data has no
  population per kelurahan, so a kota's population (BPS, 2020 census) is shared among
  its kelurahan by land area; a point is drawn inside the kelurahan's boundary for
  the reports that carry one.
- **When**: over ten years with volume growing linearly (the last year has about a
  fifth of all reports, as channels were added and citizens took to them); reports
  older than a month are settled (closed, rejected or merged, with a small tail
  still open, which the monitoring room chases), recent ones follow the demo's
  status mix.
- **What and how**: categories and channels weighted as Jakarta's are (garbage,
  roads and parking first; Qlue and JAKI the busiest channels), routed by the
  real routing rules, with the timeline the workflow would have written (the same
  plan as `seed_demo`): submitted and routed events, then accept, dispose,
  coordinate, follow-up with a proof photo, complete, dispute, confirm or
  auto-close; custody and coordination rows; surveys for half the closed reports;
  supports and comments on a share of them.

Rows go in with ``COPY … FROM STDIN`` in batches of 20,000 reports, one transaction
per batch (memory stays flat, and a crash loses one batch). Ids are allocated here,
so that events and photos can point at their report without a round trip; the
sequences are moved past them at the end. The photos are a dozen files shared by
all reports (the benchmark measures the database and the pages, not the disk).
"""

import argparse
import json
import math
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from shapely import contains_xy  # noqa: E402
from shapely.geometry import shape  # noqa: E402

from complaints.management.commands.seed_demo import (  # noqa: E402
    COMMENTS,
    DEFAULT_TITLES,
    PUBLIC_NAMES,
    STATUS_WEIGHTS,
    TITLES,
    reporter_details,
)
from complaints.management.commands.seed_demo import (  # noqa: E402
    Command as Demo,
)
from complaints.models import (  # noqa: E402
    Category,
    Channel,
    Comment,
    Coordination,
    Custody,
    Report,
    ReportEvent,
    ReportPhoto,
    SatisfactionSurvey,
    Support,
    TicketCounter,
)
from routing.models import Area, Unit  # noqa: E402
from routing.selectors import Router  # noqa: E402

S = Report.Status
BATCH = 20_000
YEARS = 10
# Population of each kota, BPS 2020 census (Sensus Penduduk 2020).
KOTA_POPULATION = {
    "31.01": 27_749,  # Kepulauan Seribu
    "31.71": 1_056_896,  # Jakarta Pusat
    "31.72": 1_778_981,  # Jakarta Utara
    "31.73": 2_434_511,  # Jakarta Barat
    "31.74": 2_226_812,  # Jakarta Selatan
    "31.75": 3_037_139,  # Jakarta Timur
}
# Jakarta's most reported problems first (Qlue's published top categories).
CATEGORY_WEIGHTS = {
    "sampah": 22,
    "jalan-rusak": 16,
    "parkir-liar": 14,
    "saluran-air": 10,
    "banjir": 8,
    "pkl-liar": 8,
    "lampu-jalan": 6,
    "pohon-tumbang": 4,
}
CATEGORY_WEIGHT_OTHER = 2
CHANNEL_WEIGHTS = {"qlue": 40, "jaki": 30, "web": 10, "lapor": 8, "twitter": 5}
CHANNEL_WEIGHT_OTHER = 2
# Reports older than this are settled; the status mix of settled reports.
SETTLED_AFTER = timedelta(days=30)
SETTLED_WEIGHTS = {
    S.CLOSED: 86,
    S.REJECTED: 6,
    S.MERGED: 3,
    S.IN_PROCESS: 2,
    S.COORDINATED: 1,
    S.NEW: 1,
    S.DISPOSED: 1,
}


class Table:
    """One table's COPY: its columns, and a row from a dict of the values given
    (every other column takes the field's default)."""

    def __init__(self, model, *, skip=()):
        self.model = model
        self.fields = [
            f for f in model._meta.concrete_fields if f.attname not in set(skip)
        ]
        self.columns = [f.column for f in self.fields]
        self.names = [f.attname for f in self.fields]
        self.defaults = {}
        for f in self.fields:
            if f.has_default() and not callable(f.default):
                self.defaults[f.attname] = f.default
            elif f.null:
                self.defaults[f.attname] = None
            elif isinstance(f, models.CharField | models.TextField):
                self.defaults[f.attname] = ""
        self.json = {f.attname for f in self.fields if isinstance(f, models.JSONField)}
        self.rows: list[tuple] = []

    def add(self, **values) -> None:
        for name in self.json:
            if name in values:
                values[name] = json.dumps(values[name])
            else:
                values[name] = "{}"
        defaults = self.defaults
        self.rows.append(
            tuple(values[n] if n in values else defaults[n] for n in self.names)
        )

    def flush(self, cursor) -> int:
        if not self.rows:
            return 0
        columns = ", ".join(f'"{c}"' for c in self.columns)
        with cursor.copy(
            f'COPY "{self.model._meta.db_table}" ({columns}) FROM STDIN'
        ) as copy:
            for row in self.rows:
                copy.write_row(row)
        count = len(self.rows)
        self.rows = []
        return count


def next_id(model) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{model._meta.db_table}"')
        return cursor.fetchone()[0] + 1


def sequences_reset(*tables: type[models.Model]) -> None:
    with connection.cursor() as cursor:
        for model in tables:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'(SELECT COALESCE(MAX(id), 1) FROM "{table}"))'
            )


def weighted(items, weights_by_code, other):
    return items, [weights_by_code.get(item.code, other) for item in items]


class CitySeeder:
    def __init__(self, *, total: int, seed: int, out=sys.stdout):
        self.total = total
        self.rng = random.Random(seed)
        self.out = out
        self.now = timezone.now()

    # -- reference ------------------------------------------------------------

    def _reference(self) -> None:
        rng = self.rng
        kelurahan = list(
            Area.objects.filter(level=Area.Level.KELURAHAN).select_related(
                "parent__parent__parent"
            )
        )
        self.shapes = {a.id: shape(a.boundary) for a in kelurahan}
        land = {}
        for area in kelurahan:
            kota = area.parent.parent.code
            land[kota] = land.get(kota, 0.0) + self.shapes[area.id].area
        self.kelurahan = kelurahan
        self.kelurahan_weights = [
            KOTA_POPULATION.get(a.parent.parent.code, 0)
            * self.shapes[a.id].area
            / land[a.parent.parent.code]
            for a in kelurahan
        ]
        # Cumulative weights: rng.choices with cum_weights is the fast path.
        self.kelurahan_cum = list(_cumulative(self.kelurahan_weights))
        self.categories, weights = weighted(
            list(Category.objects.filter(is_active=True)),
            CATEGORY_WEIGHTS,
            CATEGORY_WEIGHT_OTHER,
        )
        self.category_cum = list(_cumulative(weights))
        self.channels, weights = weighted(
            list(Channel.objects.filter(is_active=True, is_offline=False)),
            CHANNEL_WEIGHTS,
            CHANNEL_WEIGHT_OTHER,
        )
        self.channel_cum = list(_cumulative(weights))
        self.offline = list(Channel.objects.filter(is_active=True, is_offline=True))
        self.router = Router.load()
        units = {u.id: u for u in Unit.objects.all()}
        self.offices = {(u.kind, u.area_id): u for u in units.values()}
        self.branches = [u for u in units.values() if u.kind == Unit.Kind.SUKU_DINAS]
        self.routes: dict[tuple[int, int], Unit] = {}
        self.photos = Demo._photo_pool(rng)
        self.neighbours = self._neighbours()
        self.recent = list(STATUS_WEIGHTS.items())
        self.settled = list(SETTLED_WEIGHTS.items())
        self.counters = {c.period: c.last_number for c in TicketCounter.objects.all()}
        self.window = timedelta(days=settings.WARGA_DISPUTE_WINDOW_DAYS)

    @staticmethod
    def _neighbours() -> list[int]:
        user_model = get_user_model()
        ids = []
        for number in range(40):
            email = f"tetangga.kota.{number}@contoh.id"
            account, _created = user_model.objects.get_or_create(
                username=email, defaults={"email": email}
            )
            ids.append(account.id)
        return ids

    # -- one report -----------------------------------------------------------

    def _when(self):
        """A receipt time over ten years, volume growing linearly to today."""
        span = YEARS * 365 * 24 * 3600
        since_start = span * math.sqrt(self.rng.random())
        return self.now - timedelta(seconds=max(60, span - since_start))

    def _status(self, created):
        rng = self.rng
        if self.now - created > SETTLED_AFTER:
            statuses, weights = zip(*self.settled, strict=True)
            return rng.choices(statuses, weights)[0], created
        statuses, weights = zip(*self.recent, strict=True)
        status = rng.choices(statuses, weights)[0]
        if status in (S.NEW, S.DISPOSED, S.REOPENED, S.DONE):
            # These do not last: a few days at most (as in seed_demo).
            created = self.now - timedelta(seconds=rng.randint(60, 6 * 24 * 3600))
        return status, created

    def _point_in(self, area_id):
        polygon = self.shapes[area_id]
        minx, miny, maxx, maxy = polygon.bounds
        rng = self.rng
        for _ in range(100):
            x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            if contains_xy(polygon, x, y):
                return round(x, 6), round(y, 6)
        point = polygon.representative_point()
        return point.x, point.y

    # -- the whole run --------------------------------------------------------

    def run(self) -> dict:
        started = time.monotonic()
        self._reference()
        tables = {
            "report": Table(Report),
            "event": Table(ReportEvent),
            "custody": Table(Custody),
            "coordination": Table(Coordination),
            "photo": Table(ReportPhoto),
            "survey": Table(SatisfactionSurvey),
            "support": Table(Support),
            "comment": Table(Comment),
        }
        ids = {
            name: next_id(table.model) for name, table in tables.items()
        }  # the next free id of each table
        first_report = ids["report"]
        written = dict.fromkeys(tables, 0)
        made = 0
        while made < self.total:
            size = min(BATCH, self.total - made)
            for _ in range(size):
                self._report(tables, ids, first_report)
            with transaction.atomic():
                connection.ensure_connection()
                with connection.connection.cursor() as cursor:
                    # Reports first: everything else points at them.
                    for name in ("report", *[n for n in tables if n != "report"]):
                        written[name] += tables[name].flush(cursor)
            made += size
            elapsed = time.monotonic() - started
            self.out.write(
                f"\r  {made:>9,} reports, {written['event']:>10,} events "
                f"({made / elapsed:,.0f} reports/s)"
            )
            self.out.flush()
        self.out.write("\n")
        with transaction.atomic():
            for period, last in self.counters.items():
                TicketCounter.objects.update_or_create(
                    period=period, defaults={"last_number": last}
                )
            sequences_reset(*(t.model for t in tables.values()))
        return {"seconds": round(time.monotonic() - started, 1), **written}

    def _report(self, tables, ids, first_report) -> None:  # noqa: PLR0915
        rng, now = self.rng, self.now
        report_id = ids["report"]
        ids["report"] += 1
        area = rng.choices(self.kelurahan, cum_weights=self.kelurahan_cum)[0]
        category = rng.choices(self.categories, cum_weights=self.category_cum)[0]
        key = (category.id, area.id)
        unit = self.routes.get(key)
        if unit is None:
            unit = self.routes[key] = self.router.unit_for(
                category=category, kelurahan=area
            )
        status, created = self._status(self._when())
        if status == S.MERGED and report_id == first_report:
            status = S.CLOSED  # the very first report has nothing to duplicate
        period = timezone.localtime(created).strftime("%y%m")
        self.counters[period] = number = self.counters.get(period, 0) + 1
        channel = (
            rng.choice(self.offline)
            if rng.random() < 0.1
            else rng.choices(self.channels, cum_weights=self.channel_cum)[0]
        )
        lat = lng = None
        if channel.carries_gps or rng.random() < 0.5:
            lng, lat = self._point_in(area.id)
        titles = TITLES.get(category.code, DEFAULT_TITLES)
        plan = Demo._plan(
            rng,
            status,
            created,
            now,
            unit,
            area,
            self.offices,
            self.branches,
            self.window,
        )
        steps = plan["steps"]
        last_change = steps[-1][7] if steps else created
        tables["report"].add(
            id=report_id,
            ticket=f"{settings.WARGA_TICKET_PREFIX}-{period}-{number:06d}",
            title=rng.choice(titles),
            description=f"{rng.choice(titles)}. Lokasi di sekitar {area.name}, "
            "mohon segera ditangani petugas.",
            category_id=category.id,
            channel_id=channel.id,
            status=status,
            latitude=lat,
            longitude=lng,
            location_source=(
                Report.LocationSource.CHANNEL
                if lat is not None
                else Report.LocationSource.AREA
            ),
            area_id=area.id,
            handling_unit_id=plan["holder"].id,
            disposed_from_id=(
                plan["disposed_from"].id if plan.get("disposed_from") else None
            ),
            parent_id=(
                rng.randrange(first_report, report_id) if status == S.MERGED else None
            ),
            **reporter_details(rng, report_id),
            created_at=created,
            updated_at=last_change,
            assigned_at=plan.get("assigned_at", created),
            response_due_at=plan.get(
                "response_due_at", created + timedelta(hours=category.response_hours)
            ),
            completion_due_at=created + timedelta(days=category.completion_days),
            receipt_sent_at=created,
            first_response_at=plan.get("first_response_at"),
            completed_at=plan.get("completed_at"),
            closed_at=plan.get("closed_at"),
            dispute_count=plan.get("disputes", 0),
            rejection_reason=plan.get("rejection_reason", ""),
            version=len(steps),
        )
        events = tables["event"]

        def event(**values):
            event_id = ids["event"]
            ids["event"] += 1
            events.add(id=event_id, report_id=report_id, **values)
            return event_id

        event(
            kind=ReportEvent.Kind.SUBMITTED,
            to_status=S.NEW,
            created_at=created,
            data={"channel": channel.code},
        )
        first = steps[0][3] if steps and steps[0][3] else plan["holder"]
        event(
            kind=ReportEvent.Kind.ROUTED,
            unit_id=first.id,
            created_at=created,
            data={"reason": "area" if first.kind == "kelurahan" else "rule"},
        )
        proof_event = None
        for index, (action, before, after, acting, target, data, note, at) in enumerate(
            steps
        ):
            if action == "merge":
                data = {"parent": "(duplicate)"}
            event_id = event(
                kind=ReportEvent.Kind.ACTION,
                action=action,
                from_status=before,
                to_status=after,
                unit_id=acting.id if acting else None,
                target_unit_id=target.id if target else None,
                note=note,
                data=data,
                created_at=at,
            )
            if index == plan.get("proof_step"):
                proof_event = event_id
        custody = tables["custody"]
        ended = plan.get("closed_at") or (
            steps[-1][7] if status in (S.REJECTED, S.MERGED) and steps else None
        )

        def custody_row(unit_id, start, end):
            custody.add(
                id=ids["custody"],
                report_id=report_id,
                unit_id=unit_id,
                started_at=start,
                ended_at=end,
            )
            ids["custody"] += 1

        if plan.get("disposed_from"):
            custody_row(plan["disposed_from"].id, created, steps[0][7])
            custody_row(plan["holder"].id, steps[0][7], None)
        else:
            custody_row(plan["holder"].id, created, ended)
        if plan.get("coordinating"):
            tables["coordination"].add(
                id=ids["coordination"],
                report_id=report_id,
                unit_id=plan["coordinating"].id,
                invited_at=plan["first_response_at"],
            )
            ids["coordination"] += 1
        image, thumb, digest = rng.choice(self.photos)
        photos = tables["photo"]
        photos.add(
            id=ids["photo"],
            report_id=report_id,
            image=image,
            thumbnail=thumb,
            width=640,
            height=480,
            original_format="JPEG",
            sha256=digest,
            position=0,
            created_at=created,
        )
        ids["photo"] += 1
        if proof_event is not None:
            image, thumb, digest = rng.choice(self.photos)
            photos.add(
                id=ids["photo"],
                report_id=report_id,
                kind=ReportPhoto.Kind.PROOF,
                event_id=proof_event,
                image=image,
                thumbnail=thumb,
                width=640,
                height=480,
                original_format="JPEG",
                sha256=digest + "-proof",
                position=1,
                created_at=steps[plan["proof_step"]][7],
            )
            ids["photo"] += 1
        if status == S.CLOSED and rng.random() < 0.5:
            lean = 2 + (plan["holder"].id % 3) * 0.5
            tables["survey"].add(
                id=ids["survey"],
                report_id=report_id,
                unit_id=plan["holder"].id,
                created_at=plan["closed_at"],
                **{
                    f"u{i}": min(4, max(1, round(rng.gauss(lean, 0.7))))
                    for i in range(1, 10)
                },
            )
            ids["survey"] += 1
        if status not in (S.REJECTED, S.MERGED) and rng.random() < 0.25:
            for user_id in rng.sample(self.neighbours, rng.randint(1, 3)):
                tables["support"].add(
                    id=ids["support"],
                    report_id=report_id,
                    user_id=user_id,
                    created_at=created + timedelta(hours=1),
                )
                ids["support"] += 1
            for _ in range(rng.randint(0, 2)):
                at = created + timedelta(hours=rng.randint(1, 72))
                tables["comment"].add(
                    id=ids["comment"],
                    report_id=report_id,
                    author_id=rng.choice(self.neighbours),
                    display_name=rng.choice(["", "", *PUBLIC_NAMES]),
                    body=rng.choice(COMMENTS),
                    created_at=at,
                )
                ids["comment"] += 1


def _cumulative(weights):
    total = 0.0
    for weight in weights:
        total += weight
        yield total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit(
            "bench/seed.py loads with COPY: point DATABASE_URL at PostgreSQL."
        )
    result = CitySeeder(total=options.reports, seed=options.seed).run()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
