"""Fixtures of the portal services' tests: a local web server whose pages live or die."""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer

import pytest

from plugins.portal import links


class LinkServer:
    """Pages by path: ``server.routes["/x"] = 200`` (404 for anything not listed).

    ``"head405"`` answers HEAD with 405 and GET with 200 (a server that refuses HEAD);
    ``"slow"`` waits a second before answering 200.
    """

    def __init__(self, base: str) -> None:
        self.base = base
        self.routes: dict[str, int | str] = {}
        self.hits: list[tuple[str, str]] = []

    def url(self, path: str) -> str:
        return f"{self.base}{path}"


def _handler(server: LinkServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, method: str) -> None:
            server.hits.append((method, self.path))
            route = server.routes.get(self.path, 404)
            if route == "slow":
                time.sleep(1)
                route = 200
            if route == "head405":
                route = 405 if method == "HEAD" else 200
            self.send_response(int(route))
            body = b"ok" if int(route) < 400 else b"no"
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if method == "GET":
                self.wfile.write(body)

        def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
            self._answer("HEAD")

        def do_GET(self) -> None:  # noqa: N802
            self._answer("GET")

        def log_message(self, *args: object) -> None:
            pass  # keep the test output clean

    return Handler


@pytest.fixture
def link_server():
    """A local HTTP server in a thread, stopped and closed after the test."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    host, port = httpd.server_address[:2]
    server = LinkServer(f"http://{host}:{port}")
    httpd.RequestHandlerClass = _handler(server)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@pytest.fixture
def refused_url():
    """An address on a local port nobody listens on: the connection is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/servicio"


@pytest.fixture
def dead_links(monkeypatch):
    """The addresses whose check fails; every other link answers 200.

    The check is replaced, not the network: these tests count steps, and
    test_links.py checks real answers from a local server.
    """
    dead: set[str] = set()

    def check(url, timeout=links.DEFAULT_TIMEOUT):
        if url in dead:
            return links.LinkCheck(url=url, ok=False, status=404, detail="HTTP 404")
        return links.LinkCheck(url=url, ok=True, status=200, detail="")

    monkeypatch.setattr(links, "check_link", check)
    return dead
