"""What a reporter tells a 311 client never comes back out of /open311/v2/."""

from urllib.parse import urlencode

import pytest

from complaints.models import Report
from tests.factories import MONAS
from tests.open311.spec import BASE

pytestmark = pytest.mark.usefixtures("ref")
PRIVATE = {
    "email": "siti.rahayu@example.com",
    "first_name": "Siti",
    "last_name": "Rahayu-Wibowo",
    "phone": "+62 812 3456 7890",
    "address_string": "Jl. Kebon Sirih Dalam No. 17 RT 04 RW 02",
    "account_id": "acct-98765",
    "device_id": "device-abcdef",
}


def test_the_reporters_details_never_appear_in_what_anyone_reads(api, connector):
    _connector, key = connector
    filed = api.post(
        f"{BASE}/requests.json",
        urlencode(
            {
                "api_key": key,
                "service_code": "sampah",
                "lat": MONAS[0],
                "long": MONAS[1],
                "description": "Sampah menumpuk di trotoar.",
                **PRIVATE,
            }
        ),
        content_type="application/x-www-form-urlencoded",
    )
    assert filed.status_code == 201
    report = Report.objects.get()
    assert report.reporter_email == PRIVATE["email"]  # kept, in the back-office
    ticket = report.ticket
    token = filed.json()[0]["token"]

    pages = [
        f"{BASE}/requests/{ticket}.json",
        f"{BASE}/requests/{ticket}.xml",
        f"{BASE}/requests.json",
        f"{BASE}/requests.xml",
        f"{BASE}/requests.json?service_request_id={ticket}",
        f"{BASE}/requests.xml?status=open&service_code=sampah",
        f"{BASE}/tokens/{token}.json",
        f"{BASE}/tokens/{token}.xml",
    ]
    for page in pages:
        response = api.get(page)
        assert response.status_code == 200, page
        body = response.content.decode()
        assert ticket in body, page
        for secret in (*PRIVATE.values(), "Siti Rahayu", "Kebon Sirih", key):
            assert secret not in body, (page, secret)
        # The exact point is not there either: only the rounded one.
        assert str(MONAS[0]) not in body and str(MONAS[1]) not in body, page
    [request] = api.get(f"{BASE}/requests/{ticket}.json").json()
    assert (request["lat"], request["long"]) == (-6.175, 106.827)
    assert request["address"] == "Gambir, Gambir, Jakarta Pusat"
