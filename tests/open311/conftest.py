import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from rest_framework.test import APIClient

from tests.factories import image_bytes, integrator


@pytest.fixture
def api():
    """A 311 client: no key for reading, English messages."""
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def connector(ref):
    """A channel connector (Qlue) and its api_key."""
    return integrator(channel_code="qlue")


class MediaServer:
    """A web server on 127.0.0.1 that serves what a test puts in ``routes``:
    path → (status, headers, body), the body as bytes or a function that writes
    it to the connection; a header set to None is not sent (without
    Content-Length the body ends when the connection closes). It counts the
    requests per path."""

    def __init__(self, *, tls=None) -> None:
        self.routes: dict[str, tuple[int, dict, bytes]] = {
            "/photo.jpg": (200, {"Content-Type": "image/jpeg"}, image_bytes()),
        }
        self.hits: dict[str, int] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.hits[self.path] = server.hits.get(self.path, 0) + 1
                status, headers, body = server.routes.get(
                    self.path, (404, {}, b"not found")
                )
                self.send_response(status)
                if not callable(body):
                    headers = {"Content-Length": str(len(body)), **headers}
                for name, value in headers.items():
                    if value is not None:  # None: not sent
                        self.send_header(name, value)
                self.end_headers()
                if callable(body):
                    body(self.wfile)
                else:
                    self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:  # an ssl.SSLContext: serve https
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str, *, host: str = "127.0.0.1", scheme="http") -> str:
        return f"{scheme}://{host}:{self.port}{path}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def media_server(settings):
    """The local server, with fetching from private addresses allowed."""
    settings.WARGA_MEDIA_FETCH_PRIVATE = True
    server = MediaServer()
    yield server
    server.stop()
