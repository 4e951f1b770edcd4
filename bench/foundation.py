"""Foundation figures: point → kelurahan, the photo pipeline, and intake.

    make bench        (or: .venv/bin/python bench/foundation.py)

Runs against a throwaway SQLite database in a temporary folder; prints a table and
writes bench/results/foundation.json. The full city-scale benchmark comes later.
"""

import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = tempfile.mkdtemp(prefix="warga-bench-")
os.environ.update(
    DJANGO_SETTINGS_MODULE="config.settings.local",
    DATABASE_URL=f"sqlite:///{WORK}/bench.sqlite3",
    MEDIA_ROOT=f"{WORK}/media",
    DEBUG="0",
)

import django  # noqa: E402

django.setup()

import logging  # noqa: E402

logging.getLogger("django-q").setLevel(logging.WARNING)  # no line per queued task

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from PIL import Image  # noqa: E402

from complaints.models import Category, Channel  # noqa: E402
from complaints.services.intake import PhotoUpload, report_submit  # noqa: E402
from complaints.services.photos import photo_process  # noqa: E402
from officers.models import Membership  # noqa: E402
from routing.locator import OutsideJakarta, locate_kelurahan  # noqa: E402
from routing.models import Unit  # noqa: E402


def phone_photo(rng: random.Random) -> bytes:
    """A 12-megapixel JPEG of about 1.5 MB, like a phone's."""
    small = Image.effect_noise((400, 300), 60).convert("RGB")
    big = small.resize((4000, 3000), Image.Resampling.BICUBIC)
    out = io.BytesIO()
    big.save(out, "JPEG", quality=80)
    return out.getvalue()


def timed(fn, n: int) -> list[float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def row(name: str, samples: list[float], unit: str = "ms") -> dict:
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    scale = 1e6 if unit == "µs" else 1e3
    return {
        "name": name,
        "n": len(samples),
        "per_second": round(len(samples) / sum(samples), 1),
        "p50": round(statistics.median(samples) * scale, 2),
        "p95": round(pick(0.95) * scale, 2),
        "p99": round(pick(0.99) * scale, 2),
        "unit": unit,
    }


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("load_reference", stdout=io.StringIO())
    rng = random.Random(7)
    results = []

    points = [
        (rng.uniform(-6.36, -6.09), rng.uniform(106.69, 106.97)) for _ in range(20000)
    ]

    stream = iter(points * 2)

    def locate_one():
        lat, lng = next(stream)
        try:
            locate_kelurahan(latitude=lat, longitude=lng)
        except OutsideJakarta:
            pass

    locate_kelurahan(latitude=-6.2, longitude=106.83)  # build the index once
    results.append(
        row("point → kelurahan (random points)", timed(locate_one, 20000), "µs")
    )

    photo = phone_photo(rng)
    results.append(
        row(
            f"photo pipeline, 12 MP JPEG {len(photo) / 1e6:.1f} MB",
            timed(lambda: photo_process(data=photo), 20),
        )
    )

    category = Category.objects.get(code="sampah")
    channel = Channel.objects.get(code="phone")
    clerk = get_user_model().objects.create_user("bench-officer")
    Membership.objects.create(
        user=clerk, unit=Unit.objects.get(code="KEL-31.74.02.1008")
    )

    def submit():
        report_submit(
            actor=clerk,
            channel=channel,
            category=category,
            title="Sampah",
            description="Bench",
            latitude=-6.2297,
            longitude=106.8295,
            photos=[PhotoUpload("p.jpg", photo)],
        )

    results.append(row("intake with one 12 MP photo (SQLite)", timed(submit, 20)))

    from complaints.workflow import Action, transition  # noqa: E402

    plain = [
        report_submit(
            actor=clerk,
            channel=channel,
            category=category,
            title="Sampah",
            description="Bench",
            latitude=-6.2297,
            longitude=106.8295,
        ).report.pk
        for _ in range(200)
    ]
    queue = iter(plain)

    def accept():
        transition(actor=clerk, report_id=next(queue), action=Action.ACCEPT)

    results.append(row("workflow: accept a report (SQLite)", timed(accept, 200)))
    results += back_office(rng)

    print(f"{'measure':<44} {'n':>6} {'per s':>9} {'p50':>9} {'p95':>9} {'p99':>9}")
    for r in results:
        times = " ".join(f"{r[q]:>7}{r['unit']:>2}" for q in ("p50", "p95", "p99"))
        print(f"{r['name']:<44} {r['n']:>6} {r['per_second']:>9} {times}")
    out = ROOT / "bench" / "results" / "foundation.json"
    out.write_text(json.dumps({"results": results}, indent=2, ensure_ascii=False))
    print(f"written {out.relative_to(ROOT)}")


def back_office(rng: random.Random) -> list[dict]:
    """The back-office pages over a year of demo reports: the SLA sweep, the
    busiest kelurahan's inbox, the monitoring board and the KPI league."""
    from django.test import override_settings

    # Pages render without collectstatic: plain static storage, no manifest.
    plain = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    with override_settings(STORAGES=plain):
        return _back_office(rng)


def _back_office(rng: random.Random) -> list[dict]:
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    from complaints.models import Report
    from officers.selectors.performance import Period, performance_table
    from officers.services.sla import sla_sweep

    count = int(os.environ.get("WARGA_BENCH_REPORTS", "10000"))
    started = time.perf_counter()
    call_command("seed_demo", reports=count, stdout=io.StringIO())
    seeded = time.perf_counter() - started
    out = [
        {
            "name": f"seed_demo: {count} reports + sweep, audits, surveys",
            "n": count,
            "per_second": round(count / seeded, 1),
            "p50": round(seeded, 1),
            "p95": round(seeded, 1),
            "p99": round(seeded, 1),
            "unit": "s",
        }
    ]
    out.append(row("SLA sweep, nothing new to record", timed(sla_sweep, 5)))
    busiest = (
        Report.objects.values("handling_unit__code")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()["handling_unit__code"]
    )
    user_model = get_user_model()
    clerk = user_model.objects.create_user("bench-busiest")
    Membership.objects.create(user=clerk, unit=Unit.objects.get(code=busiest))
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(clerk)
    for tab in ("new", "overdue", "done"):
        out.append(
            row(
                f"inbox of the busiest unit, tab {tab}",
                timed(lambda tab=tab: client.get("/office/", {"tab": tab}), 20),
            )
        )
    watcher = user_model.objects.get(username="monitoring")
    client.force_login(watcher)
    out.append(
        row(
            "monitoring board, all units",
            timed(lambda: client.get("/office/monitoring/"), 10),
        )
    )
    year = Period(timezone.localdate().year)
    out.append(
        row(
            f"KPI league, kota level, {year} (selector)",
            timed(lambda: performance_table(period=year, level="kota"), 3),
        )
    )
    out.append(
        row(
            f"KPI dashboard page, kelurahan level, {year}",
            timed(
                lambda: client.get(
                    "/office/performance/", {"period": str(year), "level": "kelurahan"}
                ),
                3,
            ),
        )
    )
    return out + _portal()


def _portal() -> list[dict]:
    """The public portal over the same year of reports, as an anonymous visitor."""
    from django.test import Client

    from complaints.models import Report

    client = Client(HTTP_HOST="127.0.0.1")
    report = Report.objects.filter(latitude__isnull=False).order_by("-id").first()
    kelurahan = report.area
    jakarta = {"bbox": "106.60,-6.40,107.00,-6.05", "zoom": "11"}
    around = {
        "bbox": f"{report.longitude - 0.004},{report.latitude - 0.003},"
        f"{report.longitude + 0.004},{report.latitude + 0.003}",
        "zoom": "16",
    }
    pages = [
        ("portal home", "/", {}),
        ("report list, first page", "/reports/", {}),
        (
            "report list, red in Jakarta Selatan",
            "/reports/",
            {"colour": "red", "kota": "31.74"},
        ),
        ("report list, page 300", "/reports/", {"page": "300"}),
        ("report page", report.get_absolute_url(), {}),
        ("map clusters, all of Jakarta", "/reports/map.json", jakarta),
        (
            "map clusters, all of Jakarta, red only",
            "/reports/map.json",
            {**jakarta, "colour": "red"},
        ),
        ("map, zoomed on one street", "/reports/map.json", around),
        (
            "nearby open reports (form)",
            "/reports/nearby.json",
            {
                "category": report.category.code,
                "lat": report.latitude,
                "lng": report.longitude,
            },
        ),
        ("statistics, this year", "/stats/", {}),
        (
            f"statistics, kelurahan {kelurahan.name}",
            "/stats/",
            {"kelurahan": kelurahan.code},
        ),
    ]
    out = []
    for name, url, params in pages:
        assert client.get(url, params).status_code == 200, url
        out.append(row(name, timed(lambda u=url, p=params: client.get(u, p), 20)))
    for fmt in ("csv", "geojson"):
        rows = Report.objects.count()

        def export(fmt=fmt):
            response = client.get(f"/reports/export.{fmt}")
            for _chunk in response.streaming_content:
                pass

        samples = timed(export, 3)
        result = row(f"export.{fmt}, all {rows} reports (rows/s)", samples)
        result["per_second"] = round(rows * len(samples) / sum(samples))
        out.append(result)
    return out


if __name__ == "__main__":
    main()
