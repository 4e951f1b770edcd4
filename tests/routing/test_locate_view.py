import pytest
from django.urls import reverse

from tests.factories import BANDUNG, MONAS

pytestmark = pytest.mark.usefixtures("ref")
URL = reverse("routing:locate")


def test_the_map_learns_which_kelurahan_a_pin_is_in(
    client, django_assert_max_num_queries
):
    client.get(URL, {"lat": MONAS[0], "lng": MONAS[1]})  # builds the index once
    with django_assert_max_num_queries(1):
        response = client.get(URL, {"lat": MONAS[0], "lng": MONAS[1]})
    assert response.status_code == 200
    assert response.json() == {
        "code": "31.71.01.1001",
        "kelurahan": "Gambir",
        "kecamatan": "Gambir",
        "kota": "Kota Administrasi Jakarta Pusat",
        "exact": True,
    }


@pytest.mark.parametrize(
    "query, field",
    [
        ({"lat": BANDUNG[0], "lng": BANDUNG[1]}, "location"),
        ({"lat": "nan", "lng": "106.8"}, "lat"),
        ({"lat": "abc", "lng": "106.8"}, "lat"),
        ({"lat": "-95", "lng": "106.8"}, "lat"),
        ({"lng": "106.8"}, "lat"),
    ],
    ids=["outside-jakarta", "nan", "text", "out-of-range", "missing"],
)
def test_bad_points_get_a_400_with_the_reason(client, query, field):
    response = client.get(URL, query)
    assert response.status_code == 400
    assert field in response.json()["errors"]
