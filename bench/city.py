"""City scale: a million reports in PostgreSQL, served as in production, under load.

    make bench                      (BENCH_REPORTS=1000000 by default)

1. **PostgreSQL**: a cluster of its own in ``.bench/pg`` (Debian's PostgreSQL 15,
   installed if missing, run as the ``postgres`` user when we are root), kept between
   runs, on a private Unix socket. Durability stays on (fsync, synchronous commit):
   intake is measured as it would be in production.
2. **Data**: migrations, Jakarta's reference data, the demo users, then
   ``BENCH_REPORTS`` reports bulk-loaded with COPY (bench/seed.py), then the
   precomputed aggregates rebuilt from the event history. A second run finds
   ``.bench/seeded.json`` for the same count and reuses the database; any other
   count (or an interrupted seed) starts the database again.
3. **Redis** (Debian's ``redis-server``, installed if missing), memory only, on a
   socket in ``.bench/redis``: the shared cache (pages, sessions, rate limits) and
   the task broker, as docs/deployment.md recommends.
4. **Server**: gunicorn (``BENCH_WORKERS`` sync workers, 4 by default for 2 cores)
   with the production settings (``DEBUG=False``, persistent connections,
   whitenoise) plus the floor view and a header counting SQL queries
   (bench/settings.py).
5. **Load**: bench/load.py in separate processes on loopback, a fixed number of
   requests per endpoint, after a few unmeasured warm-up requests.
6. **Result**: one table (requests/s, p50, p95, p99, queries per request, ratio of
   requests/s to the floor's, target and whether it was met), and the same as JSON
   in ``bench/results/city.json``.

``BENCH_SCALE`` multiplies every request count (0.1 for a quick look);
``BENCH_SEED_ONLY=1`` stops after the data; ``BENCH_STATE`` moves ``.bench``;
``BENCH_KEEP_POSTGRES=1`` leaves the cluster running (its URL is in
``.bench/database_url``).
"""

import io
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATE = Path(os.environ.get("BENCH_STATE", ROOT / ".bench"))
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
PYTHON = sys.executable
REPORTS = int(os.environ.get("BENCH_REPORTS", "1000000"))
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
DB_NAME = "warga_bench"
IS_ROOT = os.geteuid() == 0


def say(text: str) -> None:
    print(text, flush=True)


# -- PostgreSQL -------------------------------------------------------------------


def _as_postgres(*command: str, **kwargs) -> subprocess.CompletedProcess:
    if IS_ROOT:
        command = ("runuser", "-u", "postgres", "--", *command)
    return subprocess.run(command, check=True, **kwargs)


def postgres_start() -> str:
    """Start (creating it on first use) the benchmark's cluster; its URL."""
    if not (PG_BIN / "initdb").exists():
        say("Installing Debian's PostgreSQL 15 server")
        apt = [] if IS_ROOT else ["sudo"]
        subprocess.run([*apt, "apt-get", "update", "-qq"], check=True)
        subprocess.run(
            [*apt, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install",
             "-y", "-qq", "postgresql"],
            check=True,
        )  # fmt: skip
    pg = STATE / "pg"
    data = pg / "data"
    pg.mkdir(parents=True, exist_ok=True)
    if IS_ROOT:
        shutil.chown(pg, "postgres")
    if not (data / "PG_VERSION").exists():
        _as_postgres(
            str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "warga",
            "-E", "UTF8", stdout=subprocess.DEVNULL,
        )  # fmt: skip
    running = subprocess.run(
        ["runuser", "-u", "postgres", "--"] * IS_ROOT
        + [str(PG_BIN / "pg_ctl"), "-D", str(data), "status"],
        capture_output=True,
    )
    if running.returncode != 0:
        options = " ".join(
            [
                f"-k {pg}",
                "-c listen_addresses=''",
                "-c shared_buffers=2GB",
                "-c effective_cache_size=12GB",
                "-c work_mem=32MB",
                "-c maintenance_work_mem=1GB",
                "-c max_wal_size=8GB",
                "-c random_page_cost=1.1",
                "-c max_connections=100",
            ]
        )
        _as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(pg / "log"), "-w",
            "-o", options, "start", stdout=subprocess.DEVNULL,
        )  # fmt: skip
    url = f"postgres://warga@/{DB_NAME}?host={pg}"
    exists = subprocess.run(
        [str(PG_BIN.parent / "bin" / "psql"), "-h", str(pg), "-U", "warga", "-d",
         "postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname='{DB_NAME}'"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    if not exists:
        _psql(pg, f"CREATE DATABASE {DB_NAME}")
    return url


def _psql(pg: Path, sql: str, database: str = "postgres") -> None:
    subprocess.run(
        [str(PG_BIN / "psql"), "-q", "-h", str(pg), "-U", "warga", "-d", database,
         "-c", sql],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip


def postgres_stop() -> None:
    data = STATE / "pg" / "data"
    if (data / "postmaster.pid").exists():
        _as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "stop",
            stdout=subprocess.DEVNULL,
        )  # fmt: skip


def database_recreate() -> None:
    pg = STATE / "pg"
    _psql(pg, f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    _psql(pg, f"CREATE DATABASE {DB_NAME}")


# -- Redis ----------------------------------------------------------------------------


def redis_start() -> tuple[subprocess.Popen, str]:
    server = Path("/usr/bin/redis-server")
    if not server.exists():
        say("Installing Debian's redis-server")
        apt = [] if IS_ROOT else ["sudo"]
        subprocess.run([*apt, "apt-get", "update", "-qq"], check=True)
        subprocess.run(
            [*apt, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install",
             "-y", "-qq", "redis-server"],
            check=True,
        )  # fmt: skip
    folder = STATE / "redis"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    socket_path = folder / "redis.sock"
    process = subprocess.Popen(
        [str(server), "--port", "0", "--unixsocket", str(socket_path),
         "--unixsocketperm", "700", "--save", "", "--appendonly", "no",
         "--dir", str(folder), "--logfile", str(folder / "log")],
    )  # fmt: skip
    for _ in range(100):
        if socket_path.exists():
            return process, f"unix://{socket_path}?db=0"
        time.sleep(0.1)
    raise SystemExit(f"Redis did not start: see {folder / 'log'}")


# -- the environment every process shares -------------------------------------------


def environment(url: str, redis_url: str) -> dict:
    return {
        **os.environ,
        "REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": url,
        "DATABASE_CONN_MAX_AGE": "600",
        "DJANGO_SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "MEDIA_ROOT": str(STATE / "media"),
        "STATIC_ROOT": str(STATE / "static"),
        "WARGA_SERVE_MEDIA": "1",
        # All the load comes from one address, as an operator would allow a
        # known client: the limiters still run, only their limits are lifted.
        "WARGA_API_RATE": "100000000/minute",
        "WARGA_API_ANON_RATE": "100000000/minute",
        "WARGA_OPEN311_RATE_GET": "100000000/minute",
        "WARGA_OPEN311_RATE_POST": "100000000/minute",
        "PYTHONPATH": str(ROOT),
    }


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


# -- the data ---------------------------------------------------------------------


def prepare(env: dict) -> dict:
    marker = STATE / "seeded.json"
    seeded = json.loads(marker.read_text()) if marker.exists() else {}
    if seeded.get("reports") != REPORTS:
        if seeded or marker.exists() or _has_reports(env):
            say("The seeded database is for another count: starting it again")
        database_recreate()
        marker.unlink(missing_ok=True)
    say("Migrating")
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "createcachetable")
    manage(env, "collectstatic", "--noinput", "-v0")
    if seeded.get("reports") == REPORTS:
        say(f"Reusing the seeded database: {REPORTS:,} reports ({marker})")
    else:
        manage(env, "load_reference")
        manage(env, "seed_demo", "--reports", "0")
        say(f"Seeding {REPORTS:,} reports with COPY")
        started = time.monotonic()
        subprocess.run(
            [PYTHON, "bench/seed.py", "--reports", str(REPORTS)],
            cwd=ROOT, env=env, check=True, stdout=subprocess.PIPE,
        )  # fmt: skip
        loaded = time.monotonic() - started
        say(f"  loaded in {loaded:.0f} s")
        seeded = {
            "reports": REPORTS,
            "load_seconds": round(loaded, 1),
            "commit": _commit(),
            "rebuilt": [],
        }
        marker.write_text(json.dumps(seeded, indent=2))
    # The precomputed figures, from the event history: bulk loading bypassed the
    # services that keep them current. Once per command (a later commit may add
    # one), then VACUUM ANALYZE so that the planner knows the new tables.
    rebuilt = seeded.setdefault("rebuilt", [])
    commands = _commands(env)
    for command in ("rebuild_aggregates", "rebuild_map_cells"):
        if command in commands and command not in rebuilt:
            say(f"manage.py {command}")
            started = time.monotonic()
            manage(env, command)
            seeded[f"{command}_seconds"] = round(time.monotonic() - started, 1)
            say(f"  {seeded[f'{command}_seconds']:.0f} s")
            rebuilt.append(command)
            marker.write_text(json.dumps(seeded, indent=2))
            seeded["analyzed"] = False
    if not seeded.get("analyzed"):
        say("VACUUM ANALYZE")
        _psql(STATE / "pg", "VACUUM ANALYZE", database=DB_NAME)
        seeded["analyzed"] = True
        marker.write_text(json.dumps(seeded, indent=2))
    return seeded


def _has_reports(env: dict) -> bool:
    out = subprocess.run(
        [str(PG_BIN / "psql"), "-h", str(STATE / "pg"), "-U", "warga", "-d", DB_NAME,
         "-tAc", "SELECT to_regclass('complaints_report') IS NOT NULL"],
        capture_output=True, text=True,
    )  # fmt: skip
    return out.stdout.strip() == "t"


def _commands(env: dict) -> set[str]:
    out = subprocess.run(
        [PYTHON, "manage.py", "help", "--commands"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return set(out.stdout.split())


def _commit() -> str:
    out = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
        text=True,
    )  # fmt: skip
    return out.stdout.strip()


# -- what the load asks for -----------------------------------------------------------


def plan_inputs(env: dict) -> dict:
    """Tickets, sessions and keys for the plan, read from the seeded database by a
    Django process of its own (this process stays free of Django)."""
    out = subprocess.run(
        [PYTHON, "-c", "from bench.inputs import main; main()"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(out.stdout)


def phone_photo(path: Path) -> None:
    """A 12-megapixel JPEG of about 1.5 MB, like a phone's, made once."""
    if path.exists():
        return
    from PIL import Image

    rng = random.Random(7)
    small = Image.effect_noise((400, 300), 60).convert("RGB")
    big = small.resize((4000, 3000), Image.Resampling.BICUBIC)
    for quality in (80, 85, 75, 90, 70):
        out = io.BytesIO()
        big.save(out, "JPEG", quality=quality)
        if 1_300_000 <= len(out.getvalue()) <= 1_800_000:
            break
    del rng
    path.write_bytes(out.getvalue())


def n(count: int) -> int:
    return max(10, int(count * SCALE))


def the_plan(inputs: dict, photo: Path) -> list[dict]:
    jakarta = "106.68,-6.38,107.0,-6.08"
    year = inputs["full_year"]
    tickets = inputs["tickets"]
    officer = {"Cookie": f"sessionid={inputs['officer_session']}"}
    supervisor = {"Cookie": f"sessionid={inputs['supervisor_session']}"}
    api = {"Authorization": f"Token {inputs['api_key']}", "Accept": "application/json"}
    reads = [
        ("portal home", ["/"], n(1000), {}),
        ("report list, first page", ["/reports/"], n(1000), {}),
        (
            "report list, filtered",
            [f"/reports/?category=sampah&kota={inputs['busiest_kota']}&colour=green"],
            n(1000),
            {},
        ),
        ("report list, deep page", inputs["deep_pages"], n(1000), {}),
        ("report page", [f"/reports/{t}/" for t in tickets], n(2000), {}),
        (
            "map, all Jakarta",
            [f"/reports/map.json?bbox={jakarta}&zoom=11"],
            n(1000),
            {},
        ),
        (
            "map, all Jakarta, filtered",
            [
                f"/reports/map.json?bbox={jakarta}&zoom=11&category={c}&colour={k}"
                for c in ("sampah", "jalan-rusak", "banjir")
                for k in ("red", "yellow", "green")
            ],
            n(1000),
            {},
        ),
        (
            "map, one kelurahan",
            [f"/reports/map.json?bbox={inputs['kelurahan_bbox']}&zoom=15"],
            n(1000),
            {},
        ),
        (f"/stats/ {year}", [f"/stats/?year={year}"], n(300), {}),
        ("officer inbox, busiest kelurahan", ["/office/"], n(500), officer),
        (
            f"KPI dashboard, all units, {year}",
            [f"/office/performance/?period={year}"],
            n(300),
            supervisor,
        ),
        (
            "API report list, filtered",
            [
                f"/api/v1/reports/?status=closed&category=sampah&kota={inputs['busiest_kota']}"
            ],
            n(1000),
            api,
        ),
        ("Open311 services.json", ["/open311/v2/services.json"], n(2000), {}),
        ("Open311 requests.json", ["/open311/v2/requests.json"], n(1000), {}),
        (
            "Open311 requests/{id}.json",
            [f"/open311/v2/requests/{t}.json" for t in tickets],
            n(2000),
            {},
        ),
    ]

    # The same pages as a visitor who is the first to ask for them meets them: a
    # query parameter the page ignores makes every request a miss of the page cache.
    def fresh(paths, count):
        joined = ["&" if "?" in p else "?" for p in paths]
        return [
            f"{paths[i % len(paths)]}{joined[i % len(paths)]}fresh={i}"
            for i in range(count + 20)
        ]

    for name, paths, count in [
        ("portal home (uncached)", ["/"], n(300)),
        ("report list, first page (uncached)", ["/reports/"], n(300)),
        ("report list, filtered (uncached)", reads[2][1], n(300)),
        ("report list, deep page (uncached)", inputs["deep_pages"], n(300)),
        ("report page (uncached)", [f"/reports/{t}/" for t in tickets], n(300)),
        ("map, all Jakarta (uncached)", reads[5][1], n(300)),
        ("map, all Jakarta, filtered (uncached)", reads[6][1], n(300)),
        (f"/stats/ {year} (uncached)", [f"/stats/?year={year}"], n(100)),
        ("Open311 requests.json (uncached)", ["/open311/v2/requests.json"], n(300)),
        (
            "Open311 requests/{id}.json (uncached)",
            [f"/open311/v2/requests/{t}.json" for t in tickets],
            n(300),
        ),
    ]:
        reads.append((name, fresh(paths, count), count, {}))
    plan = [
        {"name": "floor (trivial view)", "paths": ["/bench/floor"], "n": n(3000),
         "warmup": 50, "expect": 200},
    ]  # fmt: skip
    for name, paths, count, headers in reads:
        plan.append(
            {
                "name": name,
                "paths": paths,
                "n": count,
                "warmup": 20,
                "headers": headers,
                "expect": 200,
            }
        )
    plan.append(
        {
            "name": "intake: API with a 1.5 MB photo",
            "method": "POST",
            "paths": ["/api/v1/reports/"],
            "n": n(300),
            "warmup": 4,
            "headers": api,
            "body": "multipart",
            "idempotency": True,
            "fields": {
                "title": "Jalan berlubang di depan sekolah",
                "description": "Lubang besar, berbahaya untuk motor. {unique}",
                "category": "jalan-rusak",
                "latitude": "-6.2261",
                "longitude": "106.8300",
                "external_id": "bench-{unique}",
                "reporter_name": "Warga Bench",
            },
            "files": {"photos": str(photo)},
            "expect": 201,
        }
    )
    plan.append(
        {
            "name": "Open311 POST requests.json",
            "method": "POST",
            "paths": ["/open311/v2/requests.json"],
            "n": n(300),
            "warmup": 4,
            "body": "form",
            "fields": {
                "api_key": inputs["api_key"],
                "service_code": "sampah",
                "lat": "-6.2261",
                "long": "106.8300",
                "description": "Sampah menumpuk di pinggir jalan {unique}",
                "first_name": "Warga",
            },
            "expect": 201,
        }
    )
    return plan


# -- serving and measuring ------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(env: dict, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(WORKERS), "--worker-class", "sync", "--timeout", "120",
         "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("gunicorn did not start") from None
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer within 60 s")


def worker_pids(server: subprocess.Popen) -> list[int]:
    out = subprocess.run(
        ["pgrep", "-P", str(server.pid)], capture_output=True, text=True
    ).stdout
    return [int(p) for p in out.split()]


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def load(base: str, endpoint: dict, env: dict) -> dict:
    out = subprocess.run(
        [PYTHON, "bench/load.py"],
        cwd=ROOT, input=json.dumps({"base": base, "endpoints": [endpoint]}),
        capture_output=True, text=True, check=True, env=env,
    )  # fmt: skip
    return json.loads(out.stdout)[0]


def percentile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summarise(endpoint: dict, raw: dict) -> dict:
    latencies = sorted(raw["latencies"])
    expected = endpoint["expect"]
    bad = [s for s in raw["statuses"] if s != expected]
    queries = [q for q in raw["queries"] if q is not None]
    return {
        "endpoint": endpoint["name"],
        "path": endpoint["paths"][0],
        "requests": len(latencies),
        "concurrency": raw["concurrency"],
        "per_second": round(len(latencies) / raw["wall_seconds"], 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "queries": (min(queries), max(queries)) if queries else None,
        "unexpected_answers": len(bad),
        "first_unexpected": str(bad[0]) if bad else None,
    }


TARGETS = {
    # name prefix: (p95 ms, minimum share of the floor's requests/s or None)
    "report page": (50, 0.25),
    "Open311 services.json": (50, 0.25),
    "Open311 requests/{id}.json": (50, 0.25),
    "map, all Jakarta": (50, 0.25),
    "map, all Jakarta, filtered": (50, 0.25),
    "map, one kelurahan": (50, 0.25),
    "/stats/": (300, None),
    "KPI dashboard": (300, None),
}


def target_of(name: str) -> tuple[float, float | None] | None:
    if name in TARGETS:
        return TARGETS[name]
    for prefix, target in TARGETS.items():
        if name.startswith(prefix):
            return target
    if name.startswith(("intake", "Open311 POST", "floor", "officer")):
        return None
    return (50, None)  # every other public or API read


def judge(row: dict, floor: float) -> None:
    row["ratio_to_floor"] = round(row["per_second"] / floor, 3) if floor else None
    name = row["endpoint"]
    target = target_of(name)
    if name.startswith("intake"):
        row["target"] = ">= 25 reports/s"
        row["met"] = row["per_second"] >= 25 and not row["unexpected_answers"]
        return
    if target is None:
        row["target"] = None
        row["met"] = None if not row["unexpected_answers"] else False
        return
    p95, share = target
    row["target"] = f"p95 < {p95} ms" + (f", >= {share:.0%} of floor" if share else "")
    row["met"] = (
        row["p95_ms"] < p95
        and (share is None or row["ratio_to_floor"] >= share)
        and not row["unexpected_answers"]
    )


def export_run(base: str, env: dict, server, year: int) -> dict:
    """The CSV export of one year, three times: rows/s, and the peak resident memory
    of the gunicorn worker that served it, sampled every 10 ms."""
    endpoint = {
        "name": f"CSV export, {year}",
        "paths": [f"/reports/export.csv?date_from={year}-01-01&date_to={year}-12-31"],
        "n": 3,
        "concurrency": 1,
        "count_lines": True,
        "expect": 200,
    }
    pids = worker_pids(server)
    before = {pid: rss_mb(pid) for pid in pids}
    peaks = dict(before)
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            for pid in pids:
                peaks[pid] = max(peaks[pid], rss_mb(pid))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    raw = load(base, endpoint, env)
    stop.set()
    sampler.join()
    row = summarise(endpoint, raw)
    rows = max(raw["rows"]) - 1  # the header line
    seconds = statistics.median(raw["latencies"])
    busiest = max(pids, key=lambda pid: peaks[pid] - before[pid])
    row.update(
        rows=rows,
        rows_per_second=round(rows / seconds),
        megabytes=round(max(raw["bytes"]) / 1e6, 1),
        worker_rss_before_mb=round(before[busiest], 1),
        worker_rss_peak_mb=round(peaks[busiest], 1),
        target="> 50,000 rows/s, < 200 MB",
    )
    row["met"] = rows_ok = row["rows_per_second"] >= 50_000
    row["met"] = rows_ok and row["worker_rss_peak_mb"] < 200
    return row


def table(rows: list[dict]) -> str:
    head = (
        f"{'endpoint':<38} {'req/s':>8} {'p50':>7} {'p95':>7} {'p99':>7} "
        f"{'queries':>8} {'×floor':>7}  target"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        queries = r["queries"]
        q = ""
        if queries:
            low, high = queries
            q = f"{low}" if low == high else f"{low}-{high}"
        verdict = {True: "met", False: "MISSED", None: ""}[r.get("met")]
        extra = ""
        if "rows_per_second" in r:
            extra = (
                f" [{r['rows']:,} rows, {r['rows_per_second']:,} rows/s, "
                f"worker RSS {r['worker_rss_before_mb']}→{r['worker_rss_peak_mb']} MB]"
            )
        if r["unexpected_answers"]:
            extra += f" [{r['unexpected_answers']} unexpected: {r['first_unexpected']}]"
        ratio = r.get("ratio_to_floor")
        lines.append(
            f"{r['endpoint'][:38]:<38} {r['per_second']:>8.1f} {r['p50_ms']:>7.1f} "
            f"{r['p95_ms']:>7.1f} {r['p99_ms']:>7.1f} {q:>8} "
            f"{'' if ratio is None else f'{ratio:.3f}':>7}  "
            f"{r.get('target') or ''} {verdict}{extra}"
        )
    return "\n".join(lines)


def main() -> None:
    STATE.mkdir(exist_ok=True)
    url = postgres_start()
    (STATE / "database_url").write_text(url + "\n")
    redis, redis_url = redis_start()
    env = environment(url, redis_url)
    try:
        seeded = prepare(env)
        if os.environ.get("BENCH_SEED_ONLY") == "1":
            return
        inputs = plan_inputs(env)
        photo = STATE / "phone-photo.jpg"
        phone_photo(photo)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        say(f"Serving with gunicorn ({WORKERS} workers) on {base}")
        server = serve(env, port)
        rows = []
        try:
            for endpoint in the_plan(inputs, photo):
                raw = load(base, endpoint, env)
                row = summarise(endpoint, raw)
                rows.append(row)
                say(
                    f"  {row['endpoint']:<38} {row['per_second']:>8.1f}/s "
                    f"p95 {row['p95_ms']:.1f} ms"
                )
            rows.append(export_run(base, env, server, inputs["full_year"]))
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        floor = rows[0]["per_second"]
        for row in rows:
            if "rows_per_second" not in row:
                judge(row, floor)
        report = {
            "date": date.today().isoformat(),
            "commit": _commit(),
            "reports": REPORTS,
            "seed": seeded,
            "server": f"gunicorn, {WORKERS} sync workers, DEBUG=False, "
            "CONN_MAX_AGE=600, Redis cache, sessions and broker",
            "machine": f"{os.cpu_count()} cores",
            "scale": SCALE,
            "rows": rows,
        }
        results = ROOT / "bench" / "results"
        results.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=results, suffix=".tmp")
        with os.fdopen(fd, "w") as handle:
            json.dump(report, handle, indent=2)
        os.replace(tmp, results / "city.json")
        say("")
        say(f"Warga at {REPORTS:,} reports — {report['server']}, {report['machine']}")
        say(table(rows))
        say(f"\nWritten: {results / 'city.json'}")
    finally:
        redis.terminate()
        redis.wait(timeout=30)
        if os.environ.get("BENCH_KEEP_POSTGRES") != "1":
            postgres_stop()


if __name__ == "__main__":
    main()
