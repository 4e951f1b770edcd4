"""What the site serves from MEDIA_ROOT (config.views.media), whatever lies there.

Warga stores only JPEGs it re-encoded itself, under names it chose. Should anything
else ever land in the folder (a restored backup, a hand copy, an attacker's file
through another hole), the site still never serves it as a page, a script or an
SVG: other suffixes are not found, and a .jpg is always an image the browser may
not sniff, in a sandbox with no script.
"""

import pytest

pytestmark = pytest.mark.django_db

HTML = b"<html><script>alert(document.cookie)</script></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.fixture
def planted(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    folder = tmp_path / "reports" / "2026" / "11"
    folder.mkdir(parents=True)

    def plant(name: str, data: bytes) -> str:
        (folder / name).write_bytes(data)
        return f"/media/reports/2026/11/{name}"

    return plant


@pytest.mark.parametrize(
    "name, data",
    [
        ("x.svg", SVG),
        ("x.html", HTML),
        ("x.htm", HTML),
        ("x.js", b"alert(1)"),
        ("x.php", b"<?php echo 1; ?>"),
        ("x.png", b"\x89PNG\r\n\x1a\n"),
        ("x.jpg.html", HTML),
        ("x", HTML),
        (".htaccess", b"AddType text/html .jpg"),
    ],
)
def test_a_file_that_is_not_a_jpeg_by_name_is_not_found(client, planted, name, data):
    response = client.get(planted(name, data))
    assert response.status_code == 404
    assert b"alert" not in response.content


@pytest.mark.parametrize("data", [HTML, SVG, b"GIF89a" + HTML])
def test_a_jpeg_name_holding_markup_is_served_as_an_inert_image(client, planted, data):
    response = client.get(planted("poly.jpg", data))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


@pytest.mark.parametrize(
    "path",
    [
        "/media/../manage.py",
        "/media/%2e%2e/manage.py",
        "/media/reports/../../manage.py",
        "/media//etc/passwd",
        "/media/reports/2026/11/",
        "/media/reports/2026/11/missing.jpg",
    ],
)
def test_a_path_outside_the_photos_or_to_nothing_is_not_found(client, planted, path):
    planted("real.jpg", b"\xff\xd8\xff")
    assert client.get(path).status_code == 404


def test_only_reads_are_answered(client, planted):
    url = planted("real.jpg", b"\xff\xd8\xff")
    assert client.post(url).status_code == 405
    assert client.put(url).status_code == 405
