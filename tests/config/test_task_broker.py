"""The task queue on Redis, for real: a citizen's report and a sign-in request
queue Warga's tasks in Redis, a django-q2 cluster started as a separate process
(as on a worker machine) takes them from there, and each runs exactly once with
its effect: the receipt and the sign-in link are mailed, the report is marked.

The rest of the suite runs tasks in the request (``sync`` in the test settings),
which never touches the broker. This runs in ``make test-redis``
(scripts/with-postgres.sh and scripts/with-redis.sh): the worker process shares the
test database, which an in-memory SQLite database cannot be."""

import email
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_q.brokers import get_broker
from django_q.conf import Conf
from django_q.models import OrmQ, Task

from complaints.models import Category, Report
from tests.factories import MONAS, image_bytes, upload

ROOT = Path(__file__).resolve().parent.parent.parent
TASKS = {
    "complaints.tasks.report_send_receipt",
    "complaints.tasks.webhooks_report_submitted",
    "transparency.tasks.email_link_send",
}

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"),
        reason="needs a Redis server: runs in `make test-redis` "
        "(scripts/with-redis.sh sets REDIS_URL)",
    ),
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="the worker process shares the test database: needs PostgreSQL "
        "(runs in `make test-redis`, under scripts/with-postgres.sh)",
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("ref"),
]


def mails_in(folder: Path) -> list[email.message.Message]:
    """The messages Django's file-based email backend wrote to ``folder``."""
    found = []
    for path in sorted(folder.iterdir()):
        for text in path.read_text().split("\n" + "-" * 79 + "\n"):
            if text.strip():
                found.append(email.message_from_string(text))
    return found


def start_cluster(tmp_path: Path) -> tuple[subprocess.Popen, Path]:
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    log = (tmp_path / "qcluster.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.config.worker_settings",
            "WARGA_WORKER_DATABASE_NAME": connection.settings_dict["NAME"],
            "WARGA_WORKER_MAIL_DIR": str(mail_dir),
        },
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped whole below
    )
    return worker, mail_dir


def stop_cluster(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)  # qcluster stops its workers itself
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)


def test_tasks_go_through_redis_to_a_worker_process_and_run_once(tmp_path, monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", False)  # queue for real, as in production
    broker = get_broker()
    assert type(broker).__module__ == "django_q.brokers.redis_broker"
    broker.purge_queue()
    client = Client()

    filed = client.post(
        reverse("complaints:report-create"),
        {
            "category": Category.objects.get(code="sampah").pk,
            "title": "Sampah menumpuk di depan pasar",
            "description": "Sudah tiga hari tidak diangkut.",
            "latitude": MONAS[0],
            "longitude": MONAS[1],
            "reporter_name": "Budi",
            "reporter_email": "budi@example.com",
            "photos": [upload(image_bytes(), "IMG_0001.JPG")],
        },
    )
    asked = client.post(
        reverse("transparency:email-link"), {"email": "siti@example.com"}
    )

    assert filed.status_code == 302
    assert asked.status_code == 302
    report = Report.objects.get()
    # Queued in Redis (the receipt, the webhooks' fan-out, the sign-in link), not
    # in the database, and nothing ran in the request.
    assert broker.queue_size() == 3
    assert OrmQ.objects.count() == 0
    assert mail.outbox == []
    assert report.receipt_sent_at is None

    worker, mail_dir = start_cluster(tmp_path)
    health = None
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and worker.poll() is None:
            if health is None:
                state = client.get("/healthz").json()["worker"]
                health = state if state["state"] == "running" else None
            done = Task.objects.filter(func__in=TASKS).count() == len(TASKS)
            if done and health is not None and broker.queue_size() == 0:
                break
            time.sleep(0.2)
    finally:
        stop_cluster(worker)
    log = (tmp_path / "qcluster.log").read_text()

    tasks = list(Task.objects.filter(func__in=TASKS).values("func", "success"))
    assert sorted(t["func"] for t in tasks) == sorted(TASKS), log
    assert all(t["success"] for t in tasks), log
    assert broker.queue_size() == 0
    # /healthz on a web node saw the cluster through Redis.
    assert health["clusters"] >= 1
    report.refresh_from_db()
    assert report.receipt_sent_at is not None
    sent = mails_in(mail_dir)
    receipts = [m for m in sent if m["To"] == "budi@example.com"]
    links = [m for m in sent if m["To"] == "siti@example.com"]
    assert len(receipts) == 1, log
    assert report.ticket in receipts[0]["Subject"]
    assert len(links) == 1, log
    assert "/akun/email-link/" in links[0].get_payload(decode=True).decode()
