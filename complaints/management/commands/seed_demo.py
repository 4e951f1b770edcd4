"""Demo data: officers for every role, a citizen, an integrator and N reports.

Reports are bulk-inserted with plausible timelines (as if the workflow had run),
which is what makes large N fast; live reports only ever change through the
workflow services.
"""

import io
import os
import random
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw
from rest_framework.authtoken.models import Token
from shapely import contains_xy
from shapely.geometry import shape
from tqdm import tqdm

from complaints.models import (
    Category,
    Channel,
    Comment,
    Coordination,
    Custody,
    Integrator,
    Report,
    ReportEvent,
    ReportPhoto,
    SatisfactionSurvey,
    Support,
    TicketCounter,
)
from complaints.services.map_cells import map_cells_rebuild
from officers.models import Membership
from officers.permissions import MONITORING_ROOM_GROUP, SUPERVISOR_GROUP
from officers.services import membership_ensure
from routing.models import Area, Unit
from routing.selectors import Router
from transparency.aggregates import aggregates_rebuild

DEMO_PASSWORD_DEFAULT = "warga-demo-2026"
BATCH = 2000
S = Report.Status
# Share of each status among demo reports, roughly Jakarta's: most are closed.
STATUS_WEIGHTS = {
    S.CLOSED: 62,
    S.DONE: 8,
    S.IN_PROCESS: 11,
    S.NEW: 8,
    S.COORDINATED: 3,
    S.DISPOSED: 2,
    S.REOPENED: 2,
    S.REJECTED: 3,
    S.MERGED: 1,
}
TITLES = {
    "jalan-rusak": ["Jalan berlubang dalam", "Aspal mengelupas", "Trotoar ambles"],
    "sampah": ["Sampah menumpuk di pinggir jalan", "Sampah belum diangkut 3 hari"],
    "parkir-liar": ["Parkir liar di bahu jalan", "Mobil parkir di trotoar"],
    "pohon-tumbang": ["Pohon tumbang menutup jalan", "Dahan besar rawan patah"],
    "banjir": ["Genangan setinggi lutut", "Banjir di permukiman warga"],
    "saluran-air": ["Got mampet dan bau", "Saluran air tersumbat sampah"],
    "pkl-liar": ["PKL berjualan di trotoar", "Lapak PKL menutup jalan"],
    "lampu-jalan": ["Lampu jalan mati sejak seminggu", "PJU berkedip"],
}
DEFAULT_TITLES = ["Mohon ditindaklanjuti", "Masalah di lingkungan kami"]
# Reporters' private details: the privacy tests look for these on public pages.
REPORTER_FIRST = ["Budi", "Siti", "Andi", "Dewi", "Rina", "Agus", "Wulan", "Yusuf"]
REPORTER_LAST = ["Hartawan", "Kusumadewi", "Simatupang", "Wiraatmaja", "Lubis"]
STREETS = ["Jl. Kenanga", "Jl. Cempaka Putih", "Gg. Mawar", "Jl. Flamboyan"]
COMMENTS = [
    "Di depan rumah saya juga sama, mohon segera.",
    "Sudah dua minggu begini, bahaya untuk pengendara motor.",
    "Terima kasih, sudah diperbaiki tadi pagi.",
    "Tadi malam makin parah setelah hujan.",
]
# Names some reporters chose to show publicly.
PUBLIC_NAMES = ["Warga Peduli", "Pak RT", "Ibu Kader", "Pesepeda Pagi"]


def reporter_details(rng: random.Random, number: int) -> dict:
    first, last = rng.choice(REPORTER_FIRST), rng.choice(REPORTER_LAST)
    return {
        "reporter_name": f"{first} {last}",
        "reporter_email": f"{first}.{last}.{number}@contoh.id".lower(),
        "reporter_phone": f"+62812{number:07d}",
        "address": (
            f"{rng.choice(STREETS)} No. {rng.randint(1, 99)} "
            f"RT {rng.randint(1, 15):03d}/RW {rng.randint(1, 12):03d}"
        ),
        "public_name": rng.choice(PUBLIC_NAMES) if rng.random() < 0.3 else "",
    }


def demo_password() -> str:
    return os.environ.get("WARGA_DEMO_PASSWORD") or DEMO_PASSWORD_DEFAULT


class Command(BaseCommand):
    help = "Create demo users and an integrator, and bulk-create N demo reports."

    def add_arguments(self, parser):
        parser.add_argument("--reports", type=int, default=200)
        parser.add_argument(
            "--only-if-empty",
            action="store_true",
            help="Create reports only when there are none yet (for `make run`).",
        )
        parser.add_argument("--seed", type=int, default=2611)

    def handle(self, *args, **options):
        if not Area.objects.filter(level=Area.Level.KELURAHAN).exists():
            raise CommandError("Run `manage.py load_reference` first.")
        logins, api_key = self._users()
        count = options["reports"]
        if count < 0:
            raise CommandError("--reports must be 0 or more.")
        if options["only_if_empty"] and Report.objects.exists():
            count = 0
        if count:
            rng = random.Random(options["seed"])
            self._reports(
                count,
                rng,
                demo_citizen=get_user_model().objects.get(username="warga@example.com"),
            )
            self._surveys(rng)
            self._conversation(rng)
            self._monitoring(rng)
            # Bulk-inserted, past the services that keep the map's counts.
            map_cells_rebuild()
            aggregates_rebuild()
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(f"Demo logins (password: {demo_password()})")
        )
        for role, username in logins:
            self.stdout.write(f"  {role:<28} {username}")
        self.stdout.write(self.style.SUCCESS(f"Demo integrator API key: {api_key}"))
        self.stdout.write(
            f"  (Qlue connector; Bina Marga's work orders: {self.unit_api_key})"
        )
        self.stdout.write("API documentation: /api/v1/docs/  Open311: /open311/v2/")
        self.stdout.write(f"Reports in the database: {Report.objects.count()}")

    # -- what the back-office watches -----------------------------------------

    @staticmethod
    def _surveys(rng: random.Random) -> None:
        """Half of the closed reports rated by their reporter (IKM, 1-4 each)."""
        closed = Report.objects.filter(
            status=S.CLOSED, survey__isnull=True
        ).values_list("pk", "handling_unit_id", "closed_at")
        surveys = []
        for report_id, unit_id, closed_at in closed.iterator():
            if rng.random() < 0.5:
                # Each unit has its own temper: some are rated better than others.
                lean = 2 + (unit_id % 3) * 0.5
                scores = {
                    f"u{i}": min(4, max(1, round(rng.gauss(lean, 0.7))))
                    for i in range(1, 10)
                }
                surveys.append(
                    SatisfactionSurvey(
                        report_id=report_id,
                        unit_id=unit_id,
                        created_at=closed_at,
                        **scores,
                    )
                )
        SatisfactionSurvey.objects.bulk_create(surveys, batch_size=BATCH)

    @staticmethod
    def _conversation(rng: random.Random) -> None:
        """Neighbours who comment on and support each other's reports; a few
        comments hidden by the handling unit, with the reason shown."""
        user_model = get_user_model()
        neighbours = []
        for first, last in zip(REPORTER_FIRST, reversed(REPORTER_LAST), strict=False):
            email = f"tetangga.{first}.{last}@contoh.id".lower()
            account, _created = user_model.objects.get_or_create(
                username=email,
                defaults={"email": email, "first_name": f"{first} {last}"},
            )
            neighbours.append(account)
        open_or_done = Report.objects.exclude(
            status__in=[S.REJECTED, S.MERGED]
        ).values_list("pk", "created_at", "handling_unit_id")
        comments, supports = [], []
        for report_id, created_at, unit_id in open_or_done.iterator():
            if rng.random() < 0.5:
                continue
            for who in rng.sample(neighbours, rng.randint(1, 3)):
                supports.append(Support(report_id=report_id, user=who))
            for _ in range(rng.randint(0, 2)):
                hidden = rng.random() < 0.1
                at = created_at + timedelta(hours=rng.randint(1, 72))
                comments.append(
                    Comment(
                        report_id=report_id,
                        author=rng.choice(neighbours),
                        display_name=rng.choice(["", "", *PUBLIC_NAMES]),
                        body=rng.choice(COMMENTS) if not hidden else "Dasar petugas …",
                        created_at=at,
                        hidden_at=at + timedelta(hours=2) if hidden else None,
                        hidden_by_unit_id=unit_id if hidden else None,
                        hidden_reason="Kata-kata kasar" if hidden else "",
                    )
                )
        Support.objects.bulk_create(supports, batch_size=BATCH, ignore_conflicts=True)
        Comment.objects.bulk_create(comments, batch_size=BATCH)

    @staticmethod
    def _monitoring(rng: random.Random) -> None:
        """Warnings for the late demo reports (as the schedule would raise them)
        and this and last month's audit samples."""
        from officers.services.audit import audit_samples_draw
        from officers.services.sla import sla_sweep

        sla_sweep()
        today = timezone.localdate().replace(day=1)
        last_month = (today - timedelta(days=1)).replace(day=1)
        for month in (last_month, today):
            audit_samples_draw(month=month, size=3, rng=rng)

    # -- people ---------------------------------------------------------------

    @transaction.atomic
    def _users(self) -> tuple[list[tuple[str, str]], str]:
        user_model = get_user_model()
        # Hash once: the default hasher takes about a second per password here.
        hashed = make_password(demo_password())

        def user(username, **extra):
            account, created = user_model.objects.get_or_create(
                username=username, defaults={**extra, "password": hashed}
            )
            return account

        gambir = Unit.objects.get(code="KEL-31.71.01.1001")
        gambir_kec = Unit.objects.get(code="KEC-31.71.01")
        sudin = Unit.objects.get(code="SUDIN-DBM-31.74")
        officer = user("petugas.gambir", first_name="Petugas Gambir")
        membership_ensure(user=officer, unit=gambir)
        membership_ensure(user=officer, unit=gambir_kec)
        head = user("lurah.gambir", first_name="Lurah Gambir")
        membership_ensure(user=head, unit=gambir, role=Membership.Role.HEAD)
        agency = user("petugas.binamarga.jaksel", first_name="Petugas Bina Marga")
        membership_ensure(user=agency, unit=sudin)
        monitoring = user("monitoring", first_name="Ruang Monitoring", is_staff=True)
        monitoring.groups.add(Group.objects.get(name=MONITORING_ROOM_GROUP))
        supervisor = user("supervisor", first_name="Biro Pemerintahan", is_staff=True)
        supervisor.groups.add(Group.objects.get(name=SUPERVISOR_GROUP))
        user("admin", is_staff=True, is_superuser=True)
        user("warga@example.com", email="warga@example.com", first_name="Siti Warga")

        api_user = user("integrator.qlue", first_name="Qlue connector")
        Integrator.objects.get_or_create(
            user=api_user,
            defaults={
                "name": "Qlue (demo)",
                "channel": Channel.objects.get(code="qlue"),
            },
        )
        wanted = os.environ.get("WARGA_DEMO_API_KEY", "").strip()
        token = Token.objects.filter(user=api_user).first()
        if wanted and (token is None or token.key != wanted):
            Token.objects.filter(user=api_user).delete()
            token = Token.objects.create(user=api_user, key=wanted[:40])
        elif token is None:
            token = Token.objects.create(user=api_user)
        # A unit's own system: Bina Marga's work orders read and work its reports.
        works_user = user("integrator.binamarga", first_name="Bina Marga work orders")
        Integrator.objects.get_or_create(
            user=works_user,
            defaults={"name": "Sudin Bina Marga Jakarta Selatan (demo)", "unit": sudin},
        )
        self.unit_api_key = Token.objects.get_or_create(user=works_user)[0].key
        logins = [
            ("officer, Kelurahan Gambir", officer.username),
            ("unit head (lurah), Gambir", head.username),
            ("officer, Sudin Bina Marga", agency.username),
            ("monitoring room", monitoring.username),
            ("supervisor (admin)", supervisor.username),
            ("superuser", "admin"),
            ("citizen", "warga@example.com"),
        ]
        return logins, token.key

    # -- reports --------------------------------------------------------------

    def _reports(self, count: int, rng: random.Random, *, demo_citizen) -> None:
        categories = list(Category.objects.filter(is_active=True))
        channels = list(Channel.objects.filter(is_active=True, is_offline=False))
        offline = list(Channel.objects.filter(is_active=True, is_offline=True))
        kelurahan = list(
            Area.objects.filter(level=Area.Level.KELURAHAN).select_related(
                "parent__parent__parent"
            )
        )
        shapes = {area.id: shape(area.boundary) for area in kelurahan}
        gambir = next(a for a in kelurahan if a.code == "31.71.01.1001")
        photos = self._photo_pool(rng)
        prefix = settings.WARGA_TICKET_PREFIX
        router = Router.load()
        units = {u.id: u for u in Unit.objects.all()}
        offices = {(u.kind, u.area_id): u for u in units.values()}
        branches = [u for u in units.values() if u.kind == Unit.Kind.SUKU_DINAS]
        routes: dict[tuple[int, int], Unit] = {}
        counters = {c.period: c.last_number for c in TicketCounter.objects.all()}
        parents = list(
            Report.objects.exclude(status__in=[S.MERGED, S.REJECTED])
            .order_by("-id")
            .values_list("id", "ticket")[:500]
        )
        statuses, weights = zip(*STATUS_WEIGHTS.items(), strict=True)
        now = timezone.now()
        window = timedelta(days=settings.WARGA_DISPUTE_WINDOW_DAYS)
        progress = tqdm(total=count, desc="demo reports", unit="report", disable=None)
        made = 0
        while made < count:
            size = min(BATCH, count - made)
            reports, plans = [], []
            for _ in range(size):
                # Some work for the demo officers of Kelurahan Gambir.
                area = gambir if rng.random() < 0.05 else rng.choice(kelurahan)
                category = rng.choice(categories)
                key = (category.id, area.id)
                if key not in routes:
                    routes[key] = router.unit_for(category=category, kelurahan=area)
                unit = routes[key]
                status = rng.choices(statuses, weights)[0]
                # Old reports are settled; recent ones are still moving.
                age = timedelta(seconds=rng.randint(60, 365 * 24 * 3600))
                if status in (S.NEW, S.DISPOSED, S.REOPENED, S.DONE):
                    age = timedelta(seconds=rng.randint(60, 6 * 24 * 3600))
                created = now - age
                period = timezone.localtime(created).strftime("%y%m")
                counters[period] = counters.get(period, 0) + 1
                channel = (
                    rng.choice(offline) if rng.random() < 0.1 else rng.choice(channels)
                )
                lat = lng = None
                if channel.carries_gps or rng.random() < 0.5:
                    lng, lat = self._point_in(shapes[area.id], rng)
                titles = TITLES.get(category.code, DEFAULT_TITLES)
                plan = self._plan(
                    rng, status, created, now, unit, area, offices, branches, window
                )
                report = Report(
                    ticket=f"{prefix}-{period}-{counters[period]:06d}",
                    title=rng.choice(titles),
                    description=f"{rng.choice(titles)}. Lokasi di sekitar "
                    f"{area.name}, mohon segera ditangani petugas.",
                    category=category,
                    channel=channel,
                    status=status,
                    latitude=lat,
                    longitude=lng,
                    location_source=(
                        Report.LocationSource.CHANNEL
                        if lat is not None
                        else Report.LocationSource.AREA
                    ),
                    area=area,
                    handling_unit=plan["holder"],
                    disposed_from=plan.get("disposed_from"),
                    # A few are the demo citizen's own, to confirm or dispute.
                    reporter=demo_citizen if rng.random() < 0.04 else None,
                    **reporter_details(rng, made + len(reports)),
                    created_at=created,
                    assigned_at=plan.get("assigned_at", created),
                    response_due_at=plan.get(
                        "response_due_at",
                        created + timedelta(hours=category.response_hours),
                    ),
                    completion_due_at=created
                    + timedelta(days=category.completion_days),
                    first_response_at=plan.get("first_response_at"),
                    completed_at=plan.get("completed_at"),
                    closed_at=plan.get("closed_at"),
                    dispute_count=plan.get("disputes", 0),
                    rejection_reason=plan.get("rejection_reason", ""),
                    version=len(plan["steps"]),
                )
                reports.append(report)
                plans.append(plan)
            self._write(reports, plans, photos, rng, counters, parents)
            parents.extend(
                (r.id, r.ticket)
                for r in reports
                if r.status not in (S.MERGED, S.REJECTED)
            )
            made += size
            progress.update(size)
        progress.close()

    @staticmethod
    def _plan(rng, status, created, now, unit, area, offices, branches, window):
        """The steps a report in ``status`` went through, with their times, as if
        the workflow had run: (action, from, to, acting unit, target unit, data)."""
        steps, at, holder, plan = [], created, unit, {}

        def later(hours=(1, 48)):
            nonlocal at
            at = min(now, at + timedelta(hours=rng.uniform(*hours)))
            return at

        def step(action, before, after, acting, target=None, data=None, note=""):
            steps.append((action, before, after, acting, target, data or {}, note, at))

        if status in (S.IN_PROCESS, S.COORDINATED, S.DONE, S.REOPENED, S.CLOSED):
            later()
            step("accept", S.NEW, S.IN_PROCESS, holder)
            plan["first_response_at"] = at
            previous = S.IN_PROCESS
            if status == S.COORDINATED or (
                status != S.IN_PROCESS and rng.random() < 0.2
            ):
                city = area.parent.parent_id
                partner = rng.choice(
                    [b for b in branches if b.area_id == city] or branches
                )
                later()
                step(
                    "coordinate",
                    S.IN_PROCESS,
                    S.COORDINATED,
                    holder,
                    partner,
                    {"units": [partner.name]},
                )
                plan["coordinating"] = partner
                previous = S.COORDINATED
            if status != S.IN_PROCESS and status != S.COORDINATED:
                later()
                step(
                    "follow_up",
                    previous,
                    previous,
                    holder,
                    data={"unit": holder.name},
                    note="Petugas sudah menangani di lokasi.",
                )
                plan["proof_step"] = len(steps) - 1
                later()
                step("complete", previous, S.DONE, holder)
                plan["completed_at"] = at
                plan.pop("coordinating", None)
                if status == S.REOPENED:
                    later((1, 24))
                    step(
                        "dispute",
                        S.DONE,
                        S.REOPENED,
                        None,
                        data={"count": 1},
                        note="Belum beres, masih sama seperti sebelumnya.",
                    )
                    plan["disputes"], plan["completed_at"] = 1, None
                elif status == S.CLOSED:
                    if rng.random() < 0.4:
                        later((1, 48))
                        step("confirm", S.DONE, S.CLOSED, None)
                    else:
                        at = min(now, at + window)
                        step("auto_close", S.DONE, S.CLOSED, None)
                    plan["closed_at"] = at
        elif status == S.DISPOSED:
            target = offices.get(("kecamatan", area.parent_id)) or holder
            later()
            step(
                "dispose",
                S.NEW,
                S.DISPOSED,
                holder,
                target,
                note="Kewenangan kecamatan.",
            )
            plan["first_response_at"] = at
            plan["disposed_from"], holder = holder, target
            plan["assigned_at"] = at
            plan["response_due_at"] = at + timedelta(hours=24)
        elif status == S.REJECTED:
            reason = rng.choice(Report.RejectionReason.values)
            later()
            step("reject", S.NEW, S.REJECTED, holder, data={"reason": reason})
            plan["first_response_at"], plan["rejection_reason"] = at, reason
        elif status == S.MERGED:
            later()
            step("merge", S.NEW, S.MERGED, holder)
        plan["steps"], plan["holder"] = steps, holder
        return plan

    def _write(self, reports, plans, photos, rng, counters, parents) -> None:
        with transaction.atomic():
            # Duplicates point at an original: insert the originals first, so that
            # a duplicate can name one from this very batch.
            originals = [r for r in reports if r.status != S.MERGED]
            Report.objects.bulk_create(originals, batch_size=BATCH)
            candidates = parents + [
                (r.id, r.ticket) for r in originals if r.status != S.REJECTED
            ]
            for report, plan in zip(reports, plans, strict=True):
                if report.status == S.MERGED:
                    report.parent_id, plan["parent"] = rng.choice(candidates)
            Report.objects.bulk_create(
                [r for r in reports if r.status == S.MERGED], batch_size=BATCH
            )
            events, proofs, custody, coordination = [], [], [], []
            for report, plan in zip(reports, plans, strict=True):
                events.append(
                    ReportEvent(
                        report=report,
                        kind=ReportEvent.Kind.SUBMITTED,
                        to_status=S.NEW,
                        created_at=report.created_at,
                        data={"channel": report.channel.code},
                    )
                )
                first = plan["steps"][0][3] if plan["steps"] else report.handling_unit
                events.append(
                    ReportEvent(
                        report=report,
                        kind=ReportEvent.Kind.ROUTED,
                        unit=first,
                        created_at=report.created_at,
                        data={
                            "reason": "area" if first.kind == "kelurahan" else "rule"
                        },
                    )
                )
                for index, (
                    action,
                    before,
                    after,
                    acting,
                    target,
                    data,
                    note,
                    at,
                ) in enumerate(plan["steps"]):
                    if action == "merge":
                        data = {"parent": plan["parent"]}
                    event = ReportEvent(
                        report=report,
                        kind=ReportEvent.Kind.ACTION,
                        action=action,
                        from_status=before,
                        to_status=after,
                        unit=acting,
                        target_unit=target,
                        note=note,
                        data=data,
                        created_at=at,
                    )
                    events.append(event)
                    if index == plan.get("proof_step"):
                        proofs.append((report, event))
                ended = report.closed_at or (
                    plan["steps"][-1][7]
                    if report.status in (S.REJECTED, S.MERGED)
                    else None
                )
                if plan.get("disposed_from"):
                    custody.append(
                        Custody(
                            report=report,
                            unit=plan["disposed_from"],
                            started_at=report.created_at,
                            ended_at=plan["steps"][0][7],
                        )
                    )
                    custody.append(
                        Custody(
                            report=report,
                            unit=report.handling_unit,
                            started_at=plan["steps"][0][7],
                        )
                    )
                else:
                    custody.append(
                        Custody(
                            report=report,
                            unit=report.handling_unit,
                            started_at=report.created_at,
                            ended_at=ended,
                        )
                    )
                if plan.get("coordinating"):
                    coordination.append(
                        Coordination(
                            report=report,
                            unit=plan["coordinating"],
                            invited_at=report.first_response_at,
                        )
                    )
            ReportEvent.objects.bulk_create(events, batch_size=BATCH)
            Custody.objects.bulk_create(custody, batch_size=BATCH)
            Coordination.objects.bulk_create(coordination, batch_size=BATCH)
            ReportPhoto.objects.bulk_create(
                [
                    ReportPhoto(
                        report=r,
                        image=image,
                        thumbnail=thumb,
                        width=640,
                        height=480,
                        original_format="JPEG",
                        sha256=digest,
                        position=0,
                    )
                    for r in reports
                    for image, thumb, digest in [rng.choice(photos)]
                ]
                + [
                    ReportPhoto(
                        report=r,
                        kind=ReportPhoto.Kind.PROOF,
                        event=event,
                        image=image,
                        thumbnail=thumb,
                        width=640,
                        height=480,
                        original_format="JPEG",
                        sha256=digest + "-proof",
                        position=1,
                    )
                    for r, event in proofs
                    for image, thumb, digest in [rng.choice(photos)]
                ],
                batch_size=BATCH,
            )
            for period, last in counters.items():
                TicketCounter.objects.update_or_create(
                    period=period, defaults={"last_number": last}
                )

    @staticmethod
    def _point_in(polygon, rng: random.Random) -> tuple[float, float]:
        minx, miny, maxx, maxy = polygon.bounds
        for _ in range(200):
            x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            if contains_xy(polygon, x, y):
                return round(x, 6), round(y, 6)
        point = polygon.representative_point()
        return point.x, point.y

    @staticmethod
    def _photo_pool(rng: random.Random) -> list[tuple[str, str, str]]:
        """A dozen generated pictures, stored once and shared by demo reports."""
        pool = []
        for index in range(12):
            image = Image.new(
                "RGB", (640, 480), tuple(rng.randint(60, 200) for _ in range(3))
            )
            draw = ImageDraw.Draw(image)
            for _ in range(12):
                x, y = rng.randint(0, 600), rng.randint(0, 440)
                draw.rectangle(
                    [x, y, x + rng.randint(20, 200), y + rng.randint(20, 120)],
                    fill=tuple(rng.randint(0, 255) for _ in range(3)),
                )
            draw.text((20, 20), f"Warga demo {index + 1}", fill=(255, 255, 255))
            out, thumb = io.BytesIO(), io.BytesIO()
            image.save(out, "JPEG", quality=80)
            image.resize((320, 240)).save(thumb, "JPEG", quality=80)
            name = f"demo/photo-{index + 1}.jpg"
            thumb_name = f"demo/photo-{index + 1}-thumb.jpg"
            for path, data in ((name, out), (thumb_name, thumb)):
                if not default_storage.exists(path):
                    default_storage.save(path, ContentFile(data.getvalue()))
            pool.append((name, thumb_name, f"demo-{index + 1}"))
        return pool
