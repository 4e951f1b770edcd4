import threading

import pytest
from django.db import connection

from complaints.models import Category, Channel
from complaints.services.intake import report_submit
from tests.factories import KUNINGAN, officer


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_never_share_a_ticket_number(ref):
    category = Category.objects.get(code="sampah")
    channel = Channel.objects.get(code="desk-kelurahan")
    clerk = officer()
    tickets, failures = [], []
    start = threading.Barrier(8)

    def submit(n: int) -> None:
        try:
            start.wait()
            for i in range(5):
                result = report_submit(
                    actor=clerk,
                    channel=channel,
                    category=category,
                    title=f"Laporan {n}-{i}",
                    description="Uji serentak",
                    latitude=KUNINGAN[0],
                    longitude=KUNINGAN[1],
                )
                tickets.append(result.report.ticket)
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert len(tickets) == 40
    assert len(set(tickets)) == 40
    numbers = sorted(int(t[-6:]) for t in tickets)
    assert numbers == list(range(numbers[0], numbers[0] + 40))  # no gaps either
