"""A small city whose reporters' details are easy to spot, for the privacy crawls.

Every report carries a distinctive name, username, email, phone, typed address and
an exact point to six decimals; together they sit in every state a report goes
through (new, accepted, disposed, coordinated, done, disputed, closed, rejected,
merged), anonymous and not, with comments, supports, follows and photos. The
reports come in through every door: the web form, an officer's desk, the REST API
and Open311, so that what each door stores is what the crawls look for.

``world_build`` runs the side effects (receipts, emails to followers and
supporters) as they run after a commit.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.test import Client
from rest_framework.test import APIClient

from complaints.models import Category, Channel, Comment, Report
from complaints.services.comments import comment_add
from complaints.services.follows import follow_add
from complaints.services.intake import report_submit
from complaints.services.photos import PhotoUpload
from complaints.services.support import support_add
from complaints.services.webhooks import webhook_register
from complaints.workflow import Action, transition
from officers.models import Membership
from routing.models import Area, Unit
from tests.factories import (
    KUNINGAN_TIMUR_CODE,
    image_bytes,
    integrator,
    officer,
    upload,
    user,
)

HOME = "KEL-" + KUNINGAN_TIMUR_CODE  # Kuningan Timur, Setiabudi
KECAMATAN = "KEC-31.74.02"  # Setiabudi's office, where one report is disposed
GAMBIR = "KEL-31.71.01.1001"  # a unit with nothing to do with these reports
PUBLIC_DECIMALS = 3  # complaints.public.PUBLIC_COORDINATE_DECIMALS


@dataclass
class Reporter:
    """What one report's reporter told the city; only ``public_name`` is public."""

    key: str
    name: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    public_name: str = ""
    point: tuple[float, float] = (0.0, 0.0)
    username: str = ""
    account_names: tuple[str, ...] = ()

    @property
    def personal(self) -> list[str]:
        """The strings that must never be public (the public name is public)."""
        return [
            v
            for v in (
                self.name,
                self.email,
                self.phone,
                self.address,
                self.username,
                *self.account_names,
            )
            if v
        ]

    @property
    def coordinates(self) -> list[str]:
        """The exact point in the textual forms a page could write it: as given,
        to six, five and four decimals, rounded and cut off."""
        forms = set()
        for value in self.point:
            forms.add(repr(value))
            for places in (6, 5, 4):
                forms.add(f"{value:.{places}f}")
                forms.add(_truncated(value, places))
        return sorted(forms)

    @property
    def public_point(self) -> tuple[float, float]:
        return (
            round(self.point[0], PUBLIC_DECIMALS),
            round(self.point[1], PUBLIC_DECIMALS),
        )


def _truncated(value: float, places: int) -> str:
    text = f"{value:.8f}"
    whole, fraction = text.split(".")
    return f"{whole}.{fraction[:places]}"


@dataclass
class World:
    reports: dict[str, Report]  # by key
    reporters: dict[str, Reporter]  # by the same key
    keys: dict[str, str]  # API key by who holds it
    integrators: dict[str, object]
    others: list[str]  # personal data of officers and non-reporting citizens
    citizens: dict[str, object] = field(default_factory=dict)
    officers: dict[str, object] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # Open311 tokens

    def ticket(self, key: str) -> str:
        return self.reports[key].ticket

    @property
    def secrets(self) -> set[str]:
        """Every personal string of the world, exact points included."""
        found = set(self.others)
        for reporter in self.reporters.values():
            found.update(reporter.personal)
            found.update(reporter.coordinates)
        return found

    @property
    def personal_secrets(self) -> set[str]:
        found = set(self.others)
        for reporter in self.reporters.values():
            found.update(reporter.personal)
        return found

    @property
    def coordinate_secrets(self) -> set[str]:
        return {c for r in self.reporters.values() for c in r.coordinates}


# The exact points: inside Kuningan Timur, six decimals, chosen so that none of
# their four-decimal forms is a prefix of a public (three-decimal) value.
REPORTERS = [
    Reporter(
        key="web_named",
        name="Sekarningrum Wulandari-Prasetyo",
        phone="0813-7766-5544",
        public_name="Warga Setiabudi Timur",
        point=(-6.229763, 106.829481),
        username="sekarningrum.wp87",
        email="sekarningrum.wp87@contoh.id",
        account_names=("Sekarningrum", "Wulandari-Prasetyo"),
    ),
    Reporter(
        # The same citizen, anonymous this time: not even her public name.
        key="web_anonymous",
        name="Sekarningrum Wulandari-Prasetyo",
        phone="0813-7766-5544",
        point=(-6.229582, 106.829637),
        username="sekarningrum.wp87",
        email="sekarningrum.wp87@contoh.id",
        account_names=("Sekarningrum", "Wulandari-Prasetyo"),
    ),
    Reporter(
        key="api_anonymous",
        name="Bambang Hartono Sutrisno",
        email="bambang.hartono.s@contoh.id",
        phone="+62 857 1122 3344",
        address="Jl. Casablanca Gg. Mawar No. 7A RT 03/RW 05",
        point=(-6.229417, 106.829318),
    ),
    Reporter(
        key="api_disposed",
        name="Yohana Simatupang-Lubis",
        email="yohana.simatupang@contoh.id",
        phone="0821-5566-7788",
        address="Apartemen Taman Rasuna Tower 9 Lt. 17 No. 1709",
        public_name="Bu Yohana",
        point=(-6.229871, 106.829752),
    ),
    Reporter(
        key="phone_coordinated",
        name="Raden Ayu Kusumawardhani",
        email="ra.kusumawardhani@contoh.id",
        phone="0812-3344-9911",
        address="Jl. Karet Pedurenan Gg. Haji Naim No. 21",
        public_name="Ibu Ratna Kuningan",
        point=(-6.229638, 106.829429),
    ),
    Reporter(
        key="open311_done",
        name="Teuku Iskandarsyah-Muda",
        email="teuku.iskandarsyah@contoh.id",
        phone="+62 811 6677 8899",
        address="Menara Imperium Lt. 3 Kuningan",
        point=(-6.229524, 106.829863),
    ),
    Reporter(
        key="api_closed",
        name="Gusti Ngurah Pradnyana",
        email="gusti.pradnyana@contoh.id",
        phone="0856-4455-6677",
        address="Jl. Prof. Dr. Satrio Kav. 18 belakang musala",
        public_name="Pak Gusti",
        point=(-6.229386, 106.829574),
    ),
    Reporter(
        # No account: the web form with contact details only.
        key="web_rejected",
        name="Made Sudarsana Wirawan",
        email="made.sudarsana.w@contoh.id",
        phone="0878-9900-1122",
        point=(-6.229719, 106.829386),
    ),
    Reporter(
        key="phone_merged",
        name="Fransiska Hutagalung-Siregar",
        email="fransiska.hutagalung@contoh.id",
        phone="0819-2233-4455",
        address="Kos Melati Jl. Guru Mughni No. 44",
        point=(-6.229463, 106.829716),
    ),
]


def _photo(point: tuple[float, float]) -> bytes:
    """A phone's photo, its EXIF carrying the exact point."""

    def dms(value: float) -> tuple[float, float, float]:
        value = abs(value)
        degrees = int(value)
        minutes = int((value - degrees) * 60)
        seconds = round((value - degrees - minutes / 60) * 3600, 4)
        return (float(degrees), float(minutes), seconds)

    return image_bytes(gps=(dms(point[0]), dms(point[1])), taken="2026:11:20 08:15:00")


def _account(reporter: Reporter):
    first, last = reporter.account_names
    return user(
        username=reporter.username,
        email=reporter.email,
        first_name=first,
        last_name=last,
    )


def _named(account, first: str, last: str):
    account.first_name, account.last_name = first, last
    account.save(update_fields=["first_name", "last_name"])
    return account


def _api(key: str) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _proof() -> list[PhotoUpload]:
    return [PhotoUpload("after.jpg", image_bytes(color=(10, 200, 10)))]


def world_build() -> World:
    """Seed the world (call inside ``django_capture_on_commit_callbacks(
    execute=True)`` to send its emails)."""
    by_key = {r.key: r for r in REPORTERS}
    for reporter in REPORTERS:
        public = f"{reporter.public_point[0]:f}", f"{reporter.public_point[1]:f}"
        for form in reporter.coordinates:
            assert not any(form in p for p in public), (form, public)

    # The people around the reports: officers (never named in public) and citizens
    # who comment, support and follow (never named but by their chosen name).
    clerk = _named(officer(unit_code=HOME), "Hendrawan", "Kusumo-Adiputro")
    head = _named(
        officer(unit_code=HOME, role=Membership.Role.HEAD),
        "Listyaningsih",
        "Purbodiningrat",
    )
    kecamatan_clerk = _named(officer(unit_code=KECAMATAN), "Zulkarnain", "Batubara")
    commenter = user(
        username="pengamat.kuningan.22",
        email="pengamat.kuningan.22@contoh.id",
        first_name="Wirasena",
        last_name="Tjokroaminoto",
    )
    supporter = user(
        username="dukung.warga.31",
        email="dukung.warga.31@contoh.id",
        first_name="Kartikasari",
        last_name="Handayaningrat",
    )
    follower = user(
        username="ikuti.laporan.47",
        email="ikuti.laporan.47@contoh.id",
        first_name="Purnamasidi",
        last_name="Reksodiputro",
    )
    area_follower = user(
        username="ikuti.wilayah.58",
        email="ikuti.wilayah.58@contoh.id",
        first_name="Anggraeniwati",
        last_name="Soerjosoemarno",
    )
    follow_add(actor=area_follower, area=Area.objects.get(code=KUNINGAN_TIMUR_CODE))
    people = [clerk, head, kecamatan_clerk, commenter, supporter, follower]
    others = []
    for person in [*people, area_follower]:
        others += [person.email, person.username, person.get_full_name()]
        others += [person.first_name, person.last_name]

    connector, connector_key = integrator(channel_code="qlue")
    twin_connector, twin_key = integrator(channel_code="qlue")  # same channel
    other_channel, other_channel_key = integrator(channel_code="jaki")
    home_system, home_key = integrator(channel_code=None, unit_code=HOME)
    kecamatan_system, kecamatan_key = integrator(channel_code=None, unit_code=KECAMATAN)
    gambir_system, gambir_key = integrator(channel_code=None, unit_code=GAMBIR)
    keys = {
        "connector": connector_key,
        "twin_connector": twin_key,
        "other_channel": other_channel_key,
        "home_system": home_key,
        "kecamatan_system": kecamatan_key,
        "gambir_system": gambir_key,
    }
    integrators = {
        "connector": connector,
        "twin_connector": twin_connector,
        "other_channel": other_channel,
        "home_system": home_system,
        "kecamatan_system": kecamatan_system,
        "gambir_system": gambir_system,
    }

    # Every integrator hears of the reports it may read: the webhook payloads are
    # crawled too (nobody listens on port 1: each delivery fails at once).
    for n, holder in enumerate(integrators.values()):
        webhook_register(actor=holder.user, url=f"http://127.0.0.1:1/hook-{n}")

    sampah = Category.objects.get(code="sampah")
    reports: dict[str, Report] = {}

    # -- the web form ---------------------------------------------------------
    sekar = _account(by_key["web_named"])
    for key in ("web_named", "web_anonymous"):
        r = by_key[key]
        reports[key] = report_submit(
            actor=sekar,
            channel=Channel.objects.get(code="web"),
            category=sampah,
            title="Sampah menumpuk di dekat taman",
            description="Sudah tiga hari tidak diangkut.",
            latitude=r.point[0],
            longitude=r.point[1],
            reporter_name=r.name,
            reporter_phone=r.phone,
            public_name=r.public_name,
            photos=[PhotoUpload("evidence.jpg", _photo(r.point))],
        ).report
    r = by_key["web_rejected"]
    reports["web_rejected"] = report_submit(
        actor=None,
        channel=Channel.objects.get(code="web"),
        category=sampah,
        title="Tumpukan karung di pinggir jalan",
        description="Menghalangi pejalan kaki.",
        latitude=r.point[0],
        longitude=r.point[1],
        reporter_name=r.name,
        reporter_email=r.email,
        reporter_phone=r.phone,
        photos=[PhotoUpload("evidence.jpg", _photo(r.point))],
    ).report

    # -- an officer's desk (phone calls) -----------------------------------------
    for key in ("phone_coordinated", "phone_merged"):
        r = by_key[key]
        reports[key] = report_submit(
            actor=clerk,
            channel=Channel.objects.get(code="phone"),
            category=sampah,
            title="Sampah di saluran air",
            description="Saluran tersumbat sampah plastik.",
            latitude=r.point[0],
            longitude=r.point[1],
            address=r.address,
            reporter_name=r.name,
            reporter_email=r.email,
            reporter_phone=r.phone,
            public_name=r.public_name,
        ).report

    # -- the REST API (the Qlue connector) --------------------------------------
    api = _api(connector_key)
    for n, key in enumerate(("api_anonymous", "api_disposed", "api_closed")):
        r = by_key[key]
        answer = api.post(
            "/api/v1/reports/",
            {
                "category": "sampah",
                "title": "Sampah berserakan di trotoar",
                "description": "Bau menyengat setiap sore.",
                "latitude": r.point[0],
                "longitude": r.point[1],
                "address": r.address,
                "reporter_name": r.name,
                "reporter_email": r.email,
                "reporter_phone": r.phone,
                "public_name": r.public_name,
                "external_id": f"QLUE-PRIV-{n}",
                "photos": [upload(_photo(r.point))],
            },
            format="multipart",
        )
        assert answer.status_code == 201, answer.content
        reports[key] = Report.objects.get(ticket=answer.json()["ticket"])

    # -- Open311 (the same connector's api_key) ----------------------------------
    r = by_key["open311_done"]
    first, last = r.name.split(" ", 1)
    filed = APIClient(HTTP_ACCEPT_LANGUAGE="en").post(
        "/open311/v2/requests.json",
        urlencode(
            {
                "api_key": connector_key,
                "service_code": "sampah",
                "lat": r.point[0],
                "long": r.point[1],
                "address_string": r.address,
                "description": "Sampah tidak diangkut sejak Senin.",
                "email": r.email,
                "first_name": first,
                "last_name": last,
                "phone": r.phone,
                "account_id": "acct-teuku-77",
                "device_id": "device-teuku-iphone",
            }
        ),
        content_type="application/x-www-form-urlencoded",
    )
    assert filed.status_code == 201, filed.content
    [answer] = filed.json()
    reports["open311_done"] = Report.objects.get(ticket=answer["service_request_id"])
    tokens = {"open311_done": answer["token"]}
    others += ["acct-teuku-77", "device-teuku-iphone"]

    for key, report in reports.items():
        assert report.handling_unit.code == HOME, (key, report.area.code)
        assert (report.latitude, report.longitude) == by_key[key].point, key

    # -- who follows and supports, before anything moves ------------------------
    follow_add(actor=follower, report=reports["web_anonymous"])
    follow_add(actor=follower, report=reports["api_disposed"])
    for key in ("web_named", "api_anonymous", "open311_done"):
        support_add(actor=supporter, report=reports[key])

    def act(actor, key, action, **params):
        return transition(
            actor=actor, report_id=reports[key].pk, action=action, **params
        )

    # -- the reports move through their states ---------------------------------
    # web_named: accepted, done with proof, disputed by its reporter (reopened).
    act(clerk, "web_named", Action.ACCEPT, note="Kami tangani.")
    act(clerk, "web_named", Action.COMPLETE, photos=_proof(), note="Sudah diangkut.")
    act(sekar, "web_named", Action.DISPUTE, note="Masih ada sisa sampah.")
    # web_anonymous: accepted, a follow-up with proof, a reply to the reporter.
    act(clerk, "web_anonymous", Action.ACCEPT)
    act(
        clerk,
        "web_anonymous",
        Action.FOLLOW_UP,
        note="Truk dijadwalkan besok.",
        photos=_proof(),
    )
    act(clerk, "web_anonymous", Action.REPLY, note="Terima kasih atas laporannya.")
    # api_anonymous stays new.
    # api_disposed: sent on to the kecamatan.
    act(
        clerk,
        "api_disposed",
        Action.DISPOSE,
        unit=Unit.objects.get(code=KECAMATAN),
        note="Kewenangan kecamatan.",
    )
    # phone_coordinated: accepted, then worked together with the kecamatan.
    act(clerk, "phone_coordinated", Action.ACCEPT)
    act(
        clerk,
        "phone_coordinated",
        Action.COORDINATE,
        units=[Unit.objects.get(code=KECAMATAN)],
    )
    # open311_done: done, waiting for the reporter.
    act(clerk, "open311_done", Action.ACCEPT)
    act(clerk, "open311_done", Action.COMPLETE, photos=_proof())
    # api_closed: done and confirmed by the connector for its reporter.
    act(clerk, "api_closed", Action.ACCEPT)
    act(clerk, "api_closed", Action.COMPLETE, photos=_proof())
    transition(
        actor=connector.user,
        report_id=reports["api_closed"].pk,
        action=Action.CONFIRM,
    )
    # web_rejected: rejected by the unit head.
    act(
        head,
        "web_rejected",
        Action.REJECT,
        reason=Report.RejectionReason.values[0],
        note="Bukan wewenang kelurahan.",
    )
    # phone_merged: a duplicate of web_named (its reporter now hears about it).
    act(clerk, "phone_merged", Action.MERGE, parent=reports["web_named"].ticket)

    # -- comments: a citizen under a chosen name, the unit, the reporter ---------
    for key in ("web_named", "web_anonymous", "api_anonymous", "phone_coordinated"):
        comment_add(
            actor=commenter,
            report=reports[key],
            body="Di depan rumah saya juga begini.",
            display_name="Pengamat Jalan",
        )
    comment_add(actor=clerk, report=reports["web_anonymous"], body="Segera kami cek.")
    comment_add(
        actor=sekar,
        report=reports["web_named"],
        body="Mohon dicek lagi.",
        display_name="Warga Setiabudi Timur",
    )
    assert Comment.objects.count() == 6

    for key in reports:
        reports[key] = Report.objects.get(pk=reports[key].pk)
    statuses = {k: r.status for k, r in reports.items()}
    S = Report.Status
    assert statuses == {
        "web_named": S.REOPENED,
        "web_anonymous": S.IN_PROCESS,
        "web_rejected": S.REJECTED,
        "phone_coordinated": S.COORDINATED,
        "phone_merged": S.MERGED,
        "api_anonymous": S.NEW,
        "api_disposed": S.DISPOSED,
        "api_closed": S.CLOSED,
        "open311_done": S.DONE,
    }, statuses
    return World(
        reports=reports,
        reporters=by_key,
        keys=keys,
        integrators=integrators,
        others=[o for o in others if o],
        citizens={
            "sekar": sekar,
            "commenter": commenter,
            "supporter": supporter,
            "follower": follower,
            "area_follower": area_follower,
        },
        officers={"clerk": clerk, "head": head, "kecamatan_clerk": kecamatan_clerk},
        tokens=tokens,
    )


def browser(user=None, **extra) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en", **extra)
    if user is not None:
        client.force_login(user)
    return client
