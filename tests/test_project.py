"""The project as a whole: health, settings, migrations, demo data."""

import os
import subprocess
import sys
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command

from complaints.models import Comment, Report, ReportEvent, ReportPhoto, Support
from complaints.services.notifications import report_receipt_send
from complaints.tasks import report_send_receipt
from tests.factories import officer

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_healthz_reports_the_database_and_the_worker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    data = response.json()
    assert data["database"]["state"] == "ok"
    assert data["worker"]["state"] in {"running", "stopped"}
    assert "queued_tasks" in data["worker"]


def test_models_and_migrations_do_not_drift(db):
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


def test_production_settings_pass_the_deploy_check():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-123456",
        "DATABASE_URL": "postgres://warga@localhost/warga",
        "ALLOWED_HOSTS": "warga.example.go.id",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DATABASE_URL="postgres://warga@localhost/warga",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.usefixtures("ref")
def test_seed_demo_makes_reports_with_timelines_and_photos_and_can_run_again(
    monkeypatch,
):
    monkeypatch.setenv("WARGA_DEMO_API_KEY", "demo-key-for-scripts")
    out = StringIO()
    call_command("seed_demo", reports=120, stdout=out)
    call_command("seed_demo", reports=50, only_if_empty=True, stdout=out)

    assert Report.objects.count() == 120
    assert ReportPhoto.objects.filter(kind="evidence").count() == 120
    # Every report that reached "done" has a proof photo tied to its follow-up.
    done_once = Report.objects.filter(completed_at__isnull=False)
    assert not done_once.exclude(
        photos__kind="proof", photos__event__isnull=False
    ).exists()
    # Every status shows up, each with a readable timeline.
    assert set(Report.objects.values_list("status", flat=True)) >= {
        "new",
        "in_process",
        "done",
        "closed",
        "rejected",
    }
    assert not Report.objects.filter(events__isnull=True).exists()
    closed = Report.objects.filter(status="closed").first()
    assert list(closed.events.values_list("kind", flat=True))[:2] == [
        "submitted",
        "routed",
    ]
    assert closed.events.filter(to_status="closed").exists()
    assert closed.custody.get().ended_at == closed.closed_at
    assert Report.objects.values("ticket").distinct().count() == 120
    assert Report.objects.values("area").distinct().count() > 50
    # The back-office has something to show: late reports warned about, audit
    # samples queued, and citizens' ratings of closed reports.
    from complaints.models import SatisfactionSurvey
    from officers.models import AuditSample, SlaWarning

    assert SlaWarning.objects.filter(report__status="new").exists()
    from django.utils import timezone

    from officers.selectors.monitoring import monitoring_board

    now = timezone.now()
    board = monitoring_board(now=now, since=now - timedelta(days=30))
    assert sum(row.overdue for row in board) > 0
    assert sum(row.warnings for row in board) > 0
    assert AuditSample.objects.exists()
    assert SatisfactionSurvey.objects.exists()
    # The portal shows neighbours talking: comments (a few hidden, with the
    # reason) and supports.
    assert Comment.objects.filter(hidden_at__isnull=True).exists()
    assert Comment.objects.exclude(hidden_reason="").exists()
    assert Support.objects.exists()
    text = out.getvalue()
    for login in (
        "petugas.gambir",
        "lurah.gambir",
        "monitoring",
        "supervisor",
        "warga@example.com",
    ):
        assert login in text
    assert "demo-key-for-scripts" in text


@pytest.mark.usefixtures("ref")
def test_the_receipt_goes_out_once_even_if_the_task_runs_twice():
    from complaints.models import Category, Channel
    from complaints.services.intake import report_submit
    from tests.factories import KUNINGAN

    report = report_submit(
        actor=officer(),
        channel=Channel.objects.get(code="phone"),
        category=Category.objects.get(code="sampah"),
        title="Sampah",
        description="Menumpuk",
        latitude=KUNINGAN[0],
        longitude=KUNINGAN[1],
        reporter_email="siti@example.com",
    ).report
    mail.outbox.clear()

    report_send_receipt(report.id)
    report_send_receipt(report.id)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["siti@example.com"]
    assert report_receipt_send(report_id=report.id) is False
    assert ReportEvent.objects.filter(report=report).count() == 2
