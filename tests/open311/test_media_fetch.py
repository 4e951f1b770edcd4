"""photo_fetch: the photo a channel links to, downloaded safely."""

import shutil
import socket
import ssl
import subprocess
import time

import pytest
from django.core.exceptions import ValidationError

from complaints.services import photos
from complaints.services.photos import photo_fetch
from tests.factories import image_bytes
from tests.open311.conftest import MediaServer


def test_a_photo_is_downloaded_with_its_name(media_server):
    fetched = photo_fetch(url=media_server.url("/photo.jpg"))

    assert fetched.name == "photo.jpg"
    assert fetched.data == media_server.routes["/photo.jpg"][2]


def test_a_redirect_is_followed_and_checked_again(media_server):
    media_server.routes["/short"] = (302, {"Location": "/photo.jpg"}, b"")

    fetched = photo_fetch(url=media_server.url("/short"))

    assert fetched.data == image_bytes()
    assert media_server.hits == {"/short": 1, "/photo.jpg": 1}


def fake_dns(monkeypatch, names: dict[str, str]) -> None:
    """Resolve ``names`` to the given addresses, and connect to any of them on
    127.0.0.1 (where the test server is)."""
    real_resolve = socket.getaddrinfo

    def resolve(host, port, *args, **kwargs):
        if host in names:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (names[host], port))]
        return real_resolve(host, port, *args, **kwargs)

    def connect(address, timeout):
        sock = socket.socket()
        sock.settimeout(timeout)
        sock.connect(("127.0.0.1", address[1]))
        return sock

    monkeypatch.setattr(photos.socket, "getaddrinfo", resolve)
    monkeypatch.setattr(photos.socket, "create_connection", connect)


def test_a_redirect_to_a_forbidden_address_is_refused(
    media_server, settings, monkeypatch
):
    settings.WARGA_MEDIA_FETCH_PRIVATE = False
    fake_dns(monkeypatch, {"public.test": "8.8.8.8", "internal.test": "10.0.0.1"})
    media_server.routes["/away"] = (
        302,
        {"Location": media_server.url("/photo.jpg", host="internal.test")},
        b"",
    )
    assert photo_fetch(url=media_server.url("/photo.jpg", host="public.test"))

    with pytest.raises(ValidationError, match="internal.test is not a public"):
        photo_fetch(url=media_server.url("/away", host="public.test"))
    assert media_server.hits == {"/photo.jpg": 1, "/away": 1}


def test_endless_redirects_are_refused(media_server):
    media_server.routes["/loop"] = (302, {"Location": "/loop"}, b"")
    with pytest.raises(ValidationError, match="Too many redirects"):
        photo_fetch(url=media_server.url("/loop"))
    assert media_server.hits == {"/loop": 4}


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/photo.jpg",
        "http://localhost/photo.jpg",
        "http://10.1.2.3/photo.jpg",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/photo.jpg",
        "http://[::ffff:127.0.0.1]/photo.jpg",
        "http://0.0.0.0/photo.jpg",
        "http://224.0.0.1/photo.jpg",
    ],
)
def test_loopback_private_link_local_and_reserved_addresses_are_refused(url):
    with pytest.raises(ValidationError, match="is not a public address"):
        photo_fetch(url=url)


@pytest.mark.parametrize(
    "address, public",
    [
        ("8.8.8.8", True),
        ("2001:4860:4860::8888", True),
        ("100.64.0.1", False),
        ("64:ff9b::7f00:1", False),  # NAT64 of 127.0.0.1
        ("2002:7f00:1::1", False),  # 6to4 of 127.0.0.1
    ],
)
def test_addresses_hidden_inside_ipv6_are_checked(monkeypatch, address, public):
    monkeypatch.setattr(
        photos.socket,
        "getaddrinfo",
        lambda *a, **k: [(None, None, None, "", (address, 80))],
    )

    def no_network(*args, **kwargs):
        raise OSError("no network in tests")

    monkeypatch.setattr(photos.socket, "create_connection", no_network)
    expected = "cannot be reached" if public else "is not a public address"
    with pytest.raises(ValidationError, match=expected):
        photo_fetch(url="http://media.example/photo.jpg")


@pytest.mark.parametrize(
    "url, message",
    [
        ("ftp://example.com/photo.jpg", "Only http:// and https://"),
        ("file:///etc/passwd", "Only http:// and https://"),
        ("photo.jpg", "Only http:// and https://"),
        ("http://[::1/photo.jpg", "not a valid URL"),
        ("http://example.com:99999/photo.jpg", "not a valid URL"),
        ("http://user:secret@example.com/photo.jpg", "user name or password"),
        ("http://" + "a" * 2000 + ".com/", "longer than 2000"),
        ("http://no-such-host.invalid/photo.jpg", "cannot be found"),
    ],
)
def test_urls_that_are_not_plain_web_addresses_are_refused(url, message):
    with pytest.raises(ValidationError, match=message):
        photo_fetch(url=url)


def test_a_server_that_is_not_there_is_refused(media_server):
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    with pytest.raises(ValidationError, match="cannot be reached"):
        photo_fetch(url=f"http://127.0.0.1:{port}/photo.jpg")


def test_an_error_answer_is_refused(media_server):
    with pytest.raises(ValidationError, match="HTTP 404"):
        photo_fetch(url=media_server.url("/missing.jpg"))


def test_a_photo_larger_than_the_upload_limit_is_refused(media_server, settings):
    settings.WARGA_MAX_PHOTO_BYTES = 100
    with pytest.raises(ValidationError, match="larger than"):
        photo_fetch(url=media_server.url("/photo.jpg"))


def test_a_large_photo_without_a_declared_length_is_cut_off(media_server, settings):
    settings.WARGA_MAX_PHOTO_BYTES = 1000
    media_server.routes["/endless.jpg"] = (200, {"Content-Length": None}, b"x" * 5000)
    media_server.routes["/small.jpg"] = (200, {"Content-Length": None}, b"x" * 1000)

    with pytest.raises(ValidationError, match="larger than"):
        photo_fetch(url=media_server.url("/endless.jpg"))
    assert photo_fetch(url=media_server.url("/small.jpg")).data == b"x" * 1000


def test_a_server_too_slow_to_answer_is_given_up(settings):
    settings.WARGA_MEDIA_FETCH_PRIVATE = True
    settings.WARGA_MEDIA_FETCH_TIMEOUT = 1
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # accepts the connection, never answers
        port = silent.getsockname()[1]
        with pytest.raises(ValidationError, match="within 1 seconds"):
            photo_fetch(url=f"http://127.0.0.1:{port}/photo.jpg")


def test_a_server_that_sends_a_byte_at_a_time_is_given_up(media_server, settings):
    settings.WARGA_MEDIA_FETCH_TIMEOUT = 1

    def drip(out):
        try:
            for _ in range(30):
                out.write(b"x")
                out.flush()
                time.sleep(0.1)
        except OSError:
            pass  # the client hung up, as it should

    media_server.routes["/drip.jpg"] = (200, {"Content-Length": "30"}, drip)
    started = time.monotonic()
    with pytest.raises(ValidationError, match="within 1 seconds"):
        photo_fetch(url=media_server.url("/drip.jpg"))
    assert time.monotonic() - started < 2


@pytest.fixture
def https_server(tmp_path):
    """A server with a certificate for media.test, from a CA of its own."""
    # `make test` installs openssl; without it this test fails, never skips.
    assert shutil.which("openssl"), "the openssl command makes the certificate"
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes"),
            *("-keyout", str(key), "-out", str(cert), "-days", "1"),
            *("-subj", "/CN=media.test", "-addext", "subjectAltName=DNS:media.test"),
        ],
        check=True,
        capture_output=True,
    )
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    server = MediaServer(tls=tls)
    server.cert = cert
    yield server
    server.stop()


def test_https_checks_the_certificate_of_the_name_not_the_address(
    https_server, settings, monkeypatch
):
    settings.WARGA_MEDIA_FETCH_PRIVATE = False
    fake_dns(monkeypatch, {"media.test": "8.8.8.8", "other.test": "8.8.4.4"})
    url = https_server.url("/photo.jpg", host="media.test", scheme="https")

    # Our certificate authority is unknown to the system's: refused.
    with pytest.raises(ValidationError, match="secure connection to media.test"):
        photo_fetch(url=url)

    real_context = ssl.create_default_context
    monkeypatch.setattr(
        photos.ssl,
        "create_default_context",
        lambda: real_context(cafile=str(https_server.cert)),
    )
    assert photo_fetch(url=url).data == image_bytes()
    # The same server and certificate under another name: refused.
    other = https_server.url("/photo.jpg", host="other.test", scheme="https")
    with pytest.raises(ValidationError, match="secure connection to other.test"):
        photo_fetch(url=other)
