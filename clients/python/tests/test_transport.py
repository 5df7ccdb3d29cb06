"""What a proxy in front of the API does on a bad day, served by a real local HTTP server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from edgeproof import ApiError, Client, parse_devices

HTML = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>"


class _Proxy(BaseHTTPRequestHandler):
    seen: list[str] = []

    def _answer(self) -> None:
        type(self).seen.append(f"{self.command} {self.path}")
        length = int(self.headers.get("content-length") or 0)
        if length:
            self.rfile.read(length)
        self.send_response(502)
        self.send_header("content-type", "text/html")
        self.send_header("content-length", str(len(HTML)))
        self.end_headers()
        self.wfile.write(HTML)

    do_GET = _answer
    do_POST = _answer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture()
def proxy() -> Iterator[str]:
    _Proxy.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_an_html_502_is_bad_response_never_a_json_error_and_a_get_is_retried(proxy: str) -> None:
    client = Client(proxy, "t", retries=2)
    client._http.retry_delay = 0.01
    with pytest.raises(ApiError) as caught:
        client.whoami()
    assert (caught.value.status, caught.value.code) == (502, "bad_response")
    assert "text/html" in caught.value.message and "502 Bad Gateway" in caught.value.message
    assert _Proxy.seen == ["GET /v1/whoami"] * 3


def test_a_post_without_idempotency_is_not_repeated(proxy: str) -> None:
    client = Client(proxy, "t", retries=2)
    with pytest.raises(ApiError):
        client._http.request("POST", "/v1/approvals", json_body={})
    assert _Proxy.seen == ["POST /v1/approvals"]


def test_nothing_listening_is_unreachable() -> None:
    with pytest.raises(ApiError) as caught:
        Client("http://127.0.0.1:9", "t", retries=0).whoami()
    assert (caught.value.status, caught.value.code) == (0, "unreachable")


def test_device_filters() -> None:
    assert parse_devices("platform=android,tier=low,tier=mid") == {"platform": "android", "tiers": ["low", "mid"], "pick": "one-per-tier"}
    assert parse_devices({"ids": ["x"]}) == {"ids": ["x"]}
    with pytest.raises(ValueError, match="colour=red"):
        parse_devices("colour=red")
