"""Nothing lost under faults, on a real PostgreSQL that is really killed.

The suite's own PostgreSQL runs with fsync off (scripts/with-postgres.sh): fast,
and not durable. These tests start a second cluster of their own, with PostgreSQL's
durable defaults (fsync, synchronous_commit, full_page_writes on), migrate it, and
drive the real processes:

- Intake: integrator clients file reports through the API under gunicorn, each with
  an ``Idempotency-Key`` and retrying on any failure, while PostgreSQL (postmaster
  and every backend) is killed with SIGKILL and restarted, twice. Afterwards every
  report acknowledged (201, or 200 for a retry of one already filed) exists exactly
  once, under the ticket the client was given, with its photo on disk, and no
  retry filed a duplicate.
- A django-q2 worker killed (SIGKILL) in the middle of sending a notification: the
  ORM broker hands the unacknowledged task out again, it runs again, and the email
  goes out once.

The figures are printed (``pytest -s``) and quoted in the closing notes.
"""

import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import psycopg
import pytest
import requests
from django.conf import settings
from PIL import Image

# One worker runs both, so the cluster is set up once.
pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("durable-postgres")]

ROOT = Path(settings.BASE_DIR)
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
CLIENTS = 4
REPORTS_PER_CLIENT = 20
# Kill PostgreSQL when this many reports have been acknowledged.
KILL_AFTER = (20, 50)
DEADLINE_SECONDS = 240


def as_postgres(*command: str) -> list[str]:
    """initdb refuses to run as root: the cluster belongs to the postgres user."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return list(command)


class DurableCluster:
    """A PostgreSQL 15 cluster with the durable defaults, on a private socket."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.data = folder / "data"
        self.log = folder / "postgres.log"
        self.url = f"postgres://warga@/warga_faults?host={folder}"

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        subprocess.run(
            as_postgres(
                str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust",
                "-U", "warga", "-E", "UTF8",
            ),
            check=True,
            capture_output=True,
        )  # fmt: skip
        self.start()
        with psycopg.connect(
            f"host={self.folder} user=warga dbname=postgres", autocommit=True
        ) as connection:
            connection.execute("CREATE DATABASE warga_faults")

    def start(self) -> None:
        done = subprocess.run(
            as_postgres(
                str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),
                "-w", "-t", "60", "-o",
                f"-k {self.folder} -c listen_addresses='' -c max_connections=60",
                "start",
            ),
            capture_output=True,
        )  # fmt: skip
        if done.returncode:
            log = self.log.read_text() if self.log.exists() else ""
            raise AssertionError(f"PostgreSQL did not start:\n{log[-2000:]}")

    def kill(self) -> int:
        """SIGKILL the postmaster and every backend at once; return how many."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        children = subprocess.run(
            ["pgrep", "-P", str(postmaster)], capture_output=True, text=True
        ).stdout.split()
        pids = [postmaster, *map(int, children)]
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 30
        for pid in pids:
            # Until reaped: PostgreSQL refuses to start while the old postmaster's
            # pid still names a process, even a zombie.
            while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
                time.sleep(0.02)
        return len(pids)

    def stop(self) -> None:
        subprocess.run(
            as_postgres(
                str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                "stop",
            ),
            capture_output=True,
        )  # fmt: skip

    def query(self, sql: str, *params) -> list[tuple]:
        with psycopg.connect(f"host={self.folder} user=warga dbname=warga_faults") as c:
            return c.execute(sql, params).fetchall()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def durable(tmp_path_factory):
    """The cluster, migrated, with Jakarta's reference data and a connector key;
    and the environment every process of these tests runs with."""
    if not (PG_BIN / "initdb").exists():
        pytest.fail(f"PostgreSQL server binaries missing in {PG_BIN}")
    folder = Path(tempfile.mkdtemp(prefix="warga-faults-"))
    cluster = DurableCluster(folder)
    cluster.init()
    media = tmp_path_factory.mktemp("faults-media")
    outbox = tmp_path_factory.mktemp("faults-outbox")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": cluster.url,
        "REPLICA_DATABASE_URL": "",
        "REDIS_URL": "",
        "WARGA_Q_REDIS_URL": "",
        "MEDIA_ROOT": str(media),
        "DEBUG": "false",
        "WARGA_API_RATE": "100000/minute",
        "EMAIL_BACKEND": "tests.config.held_mail.EmailBackend",
        "WARGA_TEST_OUTBOX": str(outbox),
        "WARGA_Q_TIMEOUT": "20",
        "WARGA_Q_RETRY": "4",
        "WARGA_WORKERS": "1",
        "PYTHONPATH": str(ROOT),
    }

    def manage(*args: str, **kwargs) -> str:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
            **kwargs,
        ).stdout

    manage("migrate", "--noinput")
    manage("createcachetable")
    manage("load_reference")
    token = manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model\n"
        "from rest_framework.authtoken.models import Token\n"
        "from complaints.models import Channel, Integrator\n"
        "account = get_user_model().objects.create_user(username='faults-connector')\n"
        "Integrator.objects.create(name='Faults', user=account,"
        " channel=Channel.objects.get(code='qlue'))\n"
        "print(Token.objects.create(user=account).key)\n",
    ).split()[-1]
    yield {
        "cluster": cluster,
        "env": env,
        "manage": manage,
        "token": token,
        "media": media,
        "outbox": outbox,
    }
    cluster.stop()
    shutil.rmtree(folder, ignore_errors=True)


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def test_reports_acknowledged_while_postgresql_is_killed_exist_exactly_once(durable):
    cluster, env = durable["cluster"], durable["env"]
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi",
            "--bind", f"127.0.0.1:{port}",
            "--workers", "2",
            "--threads", "2",
            "--timeout", "60",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/api/v1/reports/"
    headers = {
        "Authorization": f"Token {durable['token']}",
        "Accept": "application/json",
    }
    photo = _photo()
    acknowledged: dict[str, tuple[str, int]] = {}  # key -> (ticket, status)
    answers: Counter = Counter()
    lock = threading.Lock()
    started = time.monotonic()
    stop = threading.Event()
    errors: list[str] = []

    def client(number: int) -> None:
        session = requests.Session()
        for n in range(REPORTS_PER_CLIENT):
            key = f"faults-{number}-{n}-{uuid.uuid4().hex[:8]}"
            while time.monotonic() - started < DEADLINE_SECONDS and not stop.is_set():
                try:
                    response = session.post(
                        url,
                        headers={**headers, "Idempotency-Key": key},
                        data={
                            "category": "sampah",
                            "title": f"Sampah {number}-{n}",
                            "description": "Dilaporkan saat basis data dimatikan.",
                            "latitude": "-6.2297",
                            "longitude": "106.8295",
                        },
                        files={"photos": ("bukti.jpg", photo, "image/jpeg")},
                        timeout=30,
                    )
                except requests.RequestException as exc:
                    with lock:
                        answers["no answer"] += 1
                        errors.append(repr(exc))
                    time.sleep(0.2)
                    continue
                with lock:
                    answers[response.status_code] += 1
                if response.status_code in (200, 201):
                    with lock:
                        acknowledged[key] = (
                            response.json()["ticket"],
                            response.status_code,
                        )
                    break
                # 503 (the database is down) says when to come back.
                time.sleep(float(response.headers.get("Retry-After", "0.2")) / 10)

    try:
        _wait_for_server(port, server)
        threads = [
            threading.Thread(target=client, args=(i,), daemon=True)
            for i in range(CLIENTS)
        ]
        for thread in threads:
            thread.start()
        kills = []
        for threshold in KILL_AFTER:
            while len(acknowledged) < threshold and any(t.is_alive() for t in threads):
                time.sleep(0.01)
            filed_before = len(acknowledged)
            killed = cluster.kill()
            time.sleep(1.5)  # down for a while: requests meet a dead database
            cluster.start()
            kills.append((filed_before, killed))
        for thread in threads:
            thread.join(DEADLINE_SECONDS)
    finally:
        stop.set()
        server.terminate()
        server.wait(30)
    server_log = server.stderr.read()

    wanted = CLIENTS * REPORTS_PER_CLIENT
    rows = cluster.query(
        "SELECT idempotency_key, ticket, id FROM complaints_report"
        " WHERE idempotency_key LIKE 'faults-%%'"
    )
    by_key = Counter(key for key, _ticket, _id in rows)
    tickets = {key: ticket for key, ticket, _id in rows}
    photos = cluster.query(
        "SELECT p.image, p.thumbnail FROM complaints_reportphoto p"
        " JOIN complaints_report r ON r.id = p.report_id"
        " WHERE r.idempotency_key LIKE 'faults-%%'"
    )
    missing_files = [
        name
        for pair in photos
        for name in pair
        if not (durable["media"] / name).is_file()
    ]
    server_errors = sum(
        n for code, n in answers.items() if isinstance(code, int) and code >= 500
    )
    print(
        f"\nIntake under SIGKILL: {wanted} reports to file, kills at "
        f"{[before for before, _ in kills]} acknowledged "
        f"({[n for _, n in kills]} processes killed); answers {dict(answers)}; "
        f"acknowledged {len(acknowledged)} "
        f"(201: {sum(1 for _, s in acknowledged.values() if s == 201)}, "
        f"200 replays: {sum(1 for _, s in acknowledged.values() if s == 200)}); "
        f"found afterwards {len(rows)}; duplicates "
        f"{sum(n - 1 for n in by_key.values() if n > 1)}; 5xx seen {server_errors} "
        f"(of which 503 {answers.get(503, 0)}); "
        f"photo files missing {len(missing_files)}; "
        f"{time.monotonic() - started:.1f} s"
    )

    assert len(acknowledged) == wanted, (
        f"clients gave up: {dict(answers)} {errors[:3]} {server_log[-3000:]}"
    )
    assert set(by_key) == set(acknowledged), (
        "a report acknowledged is missing, or extra"
    )
    assert all(n == 1 for n in by_key.values()), "a retry filed a duplicate"
    assert {key: ticket for key, (ticket, _) in acknowledged.items()} == tickets
    assert len(photos) == wanted and missing_files == []
    assert answers.get(500, 0) == 0, server_log[-3000:]
    assert set(answers) <= {200, 201, 503, "no answer"}, dict(answers)
    # The faults did happen: requests met the dead database.
    assert answers.get(503, 0) + answers.get("no answer", 0) > 0


def _wait_for_server(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.stderr.read())
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not answer")


REPORT_WITH_RECEIPT = """
import io
from django.contrib.auth import get_user_model
from PIL import Image
from complaints.models import Category, Channel
from complaints.services.intake import report_submit
from complaints.services.photos import PhotoUpload
photo = io.BytesIO()
Image.new("RGB", (64, 48), (200, 30, 30)).save(photo, "JPEG")
citizen = get_user_model().objects.create_user(
    username="pelapor@example.com", email="pelapor@example.com", first_name="Pelapor"
)
result = report_submit(
    actor=citizen,
    channel=Channel.objects.get(code="web"),
    category=Category.objects.get(code="sampah"),
    title="Sampah menumpuk",
    description="Tanda terima harus sampai sekali saja.",
    latitude=-6.2297,
    longitude=106.8295,
    photos=[PhotoUpload("bukti.jpg", photo.getvalue())],
)
print(result.report.pk, result.report.ticket)
"""


def _wait_until(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_worker_killed_mid_notification_runs_it_again_and_it_goes_out_once(
    durable,
):
    cluster, outbox = durable["cluster"], durable["outbox"]
    report_id, ticket = durable["manage"]("shell", "-c", REPORT_WITH_RECEIPT).split()[
        -2:
    ]
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env={**durable["env"], "WARGA_Q_TIMEOUT": "10", "WARGA_Q_RETRY": "12"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        # The worker starts the receipt and is held just before sending it.
        first = _wait_until(
            lambda: sorted(outbox.glob("sending-*")), 90, "the receipt to start"
        )[0]
        killed_pid = int(first.read_text())
        os.kill(killed_pid, signal.SIGKILL)
        killed_at = time.monotonic()
        # Nobody acknowledged the task: the broker hands it out again, to the
        # worker django-q2 started in place of the dead one.
        second = _wait_until(
            lambda: [p for p in outbox.glob("sending-*") if p != first],
            60,
            "the receipt to run again",
        )[0]
        rerun_after = time.monotonic() - killed_at
        rerun_pid = int(second.read_text())
        (outbox / "release").touch()
        sent_at = _wait_until(
            lambda: cluster.query(
                "SELECT receipt_sent_at FROM complaints_report"
                " WHERE id = %s AND receipt_sent_at IS NOT NULL",
                int(report_id),
            ),
            30,
            "the receipt to be recorded",
        )
        # Longer than the broker's retry: nothing is handed out a third time.
        time.sleep(14)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
    sent = sorted(outbox.glob("sent-*.eml"))
    runs = sorted(outbox.glob("sending-*"))
    print(
        f"\nWorker killed mid-task: pid {killed_pid} killed, the task ran again in "
        f"pid {rerun_pid} after {rerun_after:.1f} s; runs {len(runs)}, "
        f"emails sent {len(sent)}"
    )

    assert rerun_pid != killed_pid
    assert len(runs) == 2 and len(sent) == 1
    message = sent[0].read_text()
    assert "To: pelapor@example.com" in message
    assert ticket in message
    assert sent_at
