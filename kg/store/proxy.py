"""The front of `kg serve`: a small HTTP proxy in front of `oxigraph serve-read-only`.

Why a proxy: oxigraph's server has a query timeout but no result-size limit, and when it cancels
a query at its timeout it has already sent HTTP 200 and ends the body with an error text, so a
client that does not check the body takes a truncated result for a whole one. The proxy answers
only SPARQL queries, buffers each answer up to a size limit, keeps its own clock, bounds how many
queries run at once, and turns every failure into an error status with a one-line text message,
never a 200 with partial data. Nothing of a query or its results is logged (case data are health
records). Standard library only: one thread per connection (`ThreadingHTTPServer`) is plenty for
loopback use and keeps kg free of a web framework.
"""

from __future__ import annotations

import http.client
import os
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

#: The one path queries are served on (kg's README and `kg query --endpoint` use it).
QUERY_PATH = "/query"
#: Paths of oxigraph's write side: refused with 403, whatever the method.
WRITE_PATHS = ("/update", "/store")
#: Query-string or form keys of the SPARQL 1.1 query protocol that are passed on.
QUERY_KEYS = ("query", "default-graph-uri", "named-graph-uri")
#: What oxigraph appends to a body it stops streaming (checked besides the proxy's own clock).
CANCELLED = b"The SPARQL operation has been cancelled"

#: An oversized POST body is read and dropped up to this size before the 413 (beyond it, the
#: connection is closed on the sender).
_DRAIN = 16 * 1024 * 1024

_FORM = "application/x-www-form-urlencoded"
_SPARQL_QUERY = "application/sparql-query"
_SPARQL_UPDATE = "application/sparql-update"


def default_max_concurrent() -> int:
    """Two queries per core, at least four: a heavy query leaves room for cheap ones."""
    return max(4, 2 * (os.cpu_count() or 1))


@dataclass(frozen=True)
class ProxyLimits:
    """What one client may ask of the server (defaults that no real kg query reaches)."""

    timeout: float | None = 30.0  # seconds from receipt to the whole answer (None: no limit)
    max_result_bytes: int = 64 * 1024 * 1024
    max_request_bytes: int = 1024 * 1024  # a POSTed query or form
    max_concurrent: int = 4  # queries running in oxigraph at once
    max_waiting: int = 16  # queries waiting for a slot; more get 503 at once

    @property
    def queue_wait(self) -> float:
        """A waiting query gets a slot within the query timeout (30 s without one) or a 503."""
        return min(self.timeout or 30.0, 30.0)


class _Refusal(Exception):
    """An answer other than a forwarded result: status, one-line message, extra headers."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


class ProxyServer(ThreadingHTTPServer):
    """Listens on the user's address and forwards queries to oxigraph on ``upstream``."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], upstream: tuple[str, int], limits: ProxyLimits,
                 log: Callable[[str], None] | None = None) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.upstream = upstream
        self.limits = limits
        self.log = log or (lambda message: None)
        self.slots = threading.BoundedSemaphore(limits.max_concurrent)
        self._lock = threading.Lock()
        self._waiting = 0
        super().__init__(address, _Handler)

    def take_slot(self) -> None:
        """Wait (bounded) for a free query slot, or refuse with 503 and Retry-After."""
        busy = _Refusal(503, f"server busy: {self.limits.max_concurrent} queries are running; retry shortly",
                        {"Retry-After": "2"})
        if self.slots.acquire(blocking=False):
            return
        with self._lock:
            if self._waiting >= self.limits.max_waiting:
                raise busy
            self._waiting += 1
        try:
            if not self.slots.acquire(timeout=self.limits.queue_wait):
                raise busy
        finally:
            with self._lock:
                self._waiting -= 1


class _Handler(BaseHTTPRequestHandler):
    """One connection; each request is a SPARQL query or a refusal."""

    server: ProxyServer
    protocol_version = "HTTP/1.1"
    server_version = "kg-serve"
    sys_version = ""
    timeout = 30  # seconds to send a request (and idle keep-alive): slow senders do not hold a thread

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        """Silent: the request line holds the query text, and case data are health records."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._serve("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._serve("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._serve("PUT")

    def do_DELETE(self) -> None:  # noqa: N802
        self._serve("DELETE")

    def do_PATCH(self) -> None:  # noqa: N802
        self._serve("PATCH")

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve("HEAD")

    def do_OPTIONS(self) -> None:  # noqa: N802
        self._serve("OPTIONS")

    # --- one request --------------------------------------------------------------------------

    def _serve(self, method: str) -> None:
        path, _, query_string = self.path.partition("?")
        try:
            upstream_request = self._check(method, path, query_string)
            self.server.take_slot()
            try:  # the clock starts with the slot, as oxigraph's own does when the query reaches it
                status, content_type, body = self._forward(*upstream_request, started=time.monotonic())
            finally:
                self.server.slots.release()
        except _Refusal as refusal:
            if refusal.status >= 500:
                self.server.log(f"kg serve: {method} {path} -> {refusal.status}: {refusal.message}")
            self._answer(refusal.status, "text/plain; charset=utf-8", (refusal.message + "\n").encode("utf-8"),
                         refusal.headers, close=True)
            return
        self._answer(status, content_type, body, {}, close=False)

    def _check(self, method: str, path: str, query_string: str) -> tuple[str, str, bytes | None, dict[str, str]]:
        """Refuse everything but a SPARQL query; return what to send upstream."""
        if path in WRITE_PATHS or path.startswith("/store/"):
            raise _Refusal(403, "kg serve is read-only: SPARQL Update and Graph Store requests are refused")
        if path != QUERY_PATH:
            raise _Refusal(404, f"not found: kg serve answers SPARQL queries at {QUERY_PATH} only")
        if method not in ("GET", "POST"):
            raise _Refusal(405, f"method {method} not allowed: send a query with GET or POST",
                           {"Allow": "GET, POST"})
        params = urllib.parse.parse_qs(query_string, keep_blank_values=True)
        if "update" in params:
            raise _Refusal(403, "kg serve is read-only: SPARQL Update is refused")
        headers = {"Accept": self.headers.get("Accept", "*/*")}
        if method == "GET":
            self._one_query(params)
            return "GET", self._upstream_path(params), None, headers
        body = self._read_body()
        content_type = self.headers.get("Content-Type", "")
        media = content_type.split(";", 1)[0].strip().lower()
        if media == _SPARQL_UPDATE:
            raise _Refusal(403, "kg serve is read-only: SPARQL Update is refused")
        if media == _FORM:
            try:
                form = urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
            except UnicodeDecodeError:
                raise _Refusal(400, "the form is not UTF-8") from None
            if "update" in form:
                raise _Refusal(403, "kg serve is read-only: SPARQL Update is refused")
            self._one_query(form)
            data = urllib.parse.urlencode([(k, v) for k in QUERY_KEYS for v in form.get(k, [])]).encode("ascii")
            return "POST", self._upstream_path(params), data, {**headers, "Content-Type": _FORM}
        if media == _SPARQL_QUERY:
            if "query" in params:
                raise _Refusal(400, "a query both in the URL and in the body")
            return "POST", self._upstream_path(params), body, {**headers, "Content-Type": content_type}
        raise _Refusal(415, f"unsupported Content-Type {media or '(none)'}: use {_FORM} or {_SPARQL_QUERY}")

    @staticmethod
    def _one_query(params: dict[str, list[str]]) -> None:
        if len(params.get("query", [])) != 1:
            raise _Refusal(400, "exactly one query parameter is required")

    @staticmethod
    def _upstream_path(params: dict[str, list[str]]) -> str:
        kept = [(k, v) for k in QUERY_KEYS for v in params.get(k, [])]
        return QUERY_PATH + ("?" + urllib.parse.urlencode(kept) if kept else "")

    def _read_body(self) -> bytes:
        """The POST body, refused before reading when it is chunked, unsized or too large."""
        if self.headers.get("Transfer-Encoding"):
            raise _Refusal(411, "send the query with a Content-Length, not chunked")
        length = self.headers.get("Content-Length")
        if length is None or not length.strip().isdigit():
            raise _Refusal(411, "a POST needs a Content-Length")
        size = int(length)
        limit = self.server.limits.max_request_bytes
        if size > limit:
            self._discard(min(size, _DRAIN))  # read, so the client (still sending) sees the 413, not a reset
            raise _Refusal(413, f"request body of {size} bytes is over the limit of {limit} bytes")
        body = self.rfile.read(size)
        if len(body) != size:
            raise _Refusal(400, "request body shorter than its Content-Length")
        return body

    def _discard(self, size: int) -> None:
        while size > 0:
            chunk = self.rfile.read(min(size, 65536))
            if not chunk:
                return
            size -= len(chunk)

    def _forward(self, method: str, path: str, body: bytes | None, headers: dict[str, str], *,
                 started: float) -> tuple[int, str, bytes]:
        """Send the query to oxigraph and buffer its whole answer within the time and size limits."""
        limits = self.server.limits
        deadline = started + limits.timeout if limits.timeout else None

        def remaining() -> float | None:
            if deadline is None:
                return None
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            return left

        timed_out = _Refusal(504, f"query stopped: it ran past the {limits.timeout or 0:g} s timeout (--timeout)"
                             if limits.timeout else "query stopped: the store server cancelled it")
        connection = http.client.HTTPConnection(*self.server.upstream, timeout=10)
        try:
            connection.request(method, path, body=body, headers=headers)
            sock = connection.sock  # kept: http.client drops its own reference once the answer is read
            sock.settimeout(remaining())
            response = connection.getresponse()
            content_type = response.getheader("Content-Type", "application/octet-stream")
            limit = limits.max_result_bytes
            data = bytearray()
            while True:
                _set_timeout(sock, remaining())
                chunk = response.read(65536)
                if not chunk:
                    break
                data += chunk
                if response.status == 200 and len(data) > limit:
                    raise _Refusal(507, f"result larger than the server's limit of {limit} bytes "
                                        "(--max-result-bytes); narrow the query or add a LIMIT")
                if response.status != 200 and len(data) > 65536:
                    break  # an error message; its start is enough
        except _Refusal:
            raise
        except TimeoutError:
            raise timed_out from None
        except (OSError, http.client.HTTPException) as exc:
            if deadline is not None and time.monotonic() >= deadline:
                raise timed_out from None
            raise _Refusal(503, f"the store server failed to answer ({type(exc).__name__}); retry later",
                           {"Retry-After": "2"}) from None
        finally:
            connection.close()  # also aborts an answer cut short above: oxigraph stops streaming it
        status = response.status
        if status >= 500:
            raise _Refusal(503, f"the store server failed (HTTP {status}); retry later", {"Retry-After": "2"})
        if status == 200 and not complete(bytes(data[-4096:])):
            if CANCELLED in data[-4096:]:
                raise timed_out
            raise _Refusal(503, "the store server's answer was cut short; retry later", {"Retry-After": "2"})
        return status, content_type, bytes(data)

    def _answer(self, status: int, content_type: str, body: bytes, headers: dict[str, str], *,
                close: bool) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            for name, value in headers.items():
                self.send_header(name, value)
            if close:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        except OSError:
            self.close_connection = True  # the client left; nothing to tell it


def _set_timeout(sock: socket.socket, seconds: float | None) -> None:
    """Bound the next read; a socket already closed means the answer has been read whole."""
    try:
        sock.settimeout(seconds)
    except OSError:
        pass


def complete(tail: bytes) -> bool:
    """Whether an oxigraph result body ends the way each of its formats ends.

    JSON results end with ``}``, XML formats with ``>``, CSV, TSV, N-Triples, N-Quads, Turtle and
    TriG with a newline (or are empty). A body oxigraph stopped streaming ends with its error text
    instead. Checked besides the proxy's own clock, which gives up before oxigraph's does.
    """
    if CANCELLED in tail:
        return False
    return tail == b"" or tail.endswith((b"\n", b"}", b">"))
