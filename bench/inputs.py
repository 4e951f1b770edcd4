"""What the load asks for, read from the seeded database: printed as JSON.

Run by bench/city.py in a Django process of its own (DJANGO_SETTINGS_MODULE and
DATABASE_URL set): real tickets, the busiest kelurahan and its officer's session,
the supervisor's session, an integrator's key, and the links to deep list pages.
"""

import json
import random

import django


def main() -> None:
    django.setup()
    from django.contrib.auth import get_user_model
    from django.db.models import Count, Max, Min
    from django.test import Client
    from django.utils import timezone
    from shapely.geometry import shape

    from complaints.models import Integrator, Report
    from officers.services import membership_ensure
    from routing.models import Unit
    from transparency.paging import Cursor

    rng = random.Random(11)
    bounds = Report.objects.aggregate(low=Min("id"), high=Max("id"))
    wanted = {rng.randint(bounds["low"], bounds["high"]) for _ in range(400)}
    tickets = list(
        Report.objects.filter(id__in=wanted).values_list("ticket", flat=True)[:200]
    )
    busiest = (
        Report.objects.filter(handling_unit__kind=Unit.Kind.KELURAHAN)
        .exclude(status__in=[Report.Status.CLOSED, Report.Status.REJECTED])
        .values("handling_unit")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    unit = Unit.objects.select_related("area__parent__parent").get(
        pk=busiest["handling_unit"]
    )
    user_model = get_user_model()
    officer, _ = user_model.objects.get_or_create(
        username="bench.officer", defaults={"first_name": "Petugas Bench"}
    )
    membership_ensure(user=officer, unit=unit)
    supervisor = user_model.objects.get(username="supervisor")

    def session_of(user) -> str:
        client = Client()
        client.force_login(user)
        return client.cookies["sessionid"].value

    minx, miny, maxx, maxy = shape(unit.area.boundary).bounds
    api_key = Integrator.objects.get(channel__code="qlue").user.auth_token.key
    # Page 2,000 and the 19 after it, as reached by following "Older" links.
    newest_first = Report.objects.order_by("-created_at", "-id")
    deep = [
        f"/reports/?before={Cursor.of(newest_first[offset])}"
        for offset in range(2000 * 25, 2020 * 25, 25)
    ]
    print(
        json.dumps(
            {
                "tickets": tickets,
                "full_year": timezone.localdate().year - 1,
                "busiest_kelurahan": unit.code,
                "busiest_kota": unit.area.parent.parent.code,
                "kelurahan_bbox": f"{minx:.5f},{miny:.5f},{maxx:.5f},{maxy:.5f}",
                "officer_session": session_of(officer),
                "supervisor_session": session_of(supervisor),
                "api_key": api_key,
                "deep_pages": deep,
            }
        )
    )
