"""Faults in the store and the server: kill a load with SIGKILL, feed it the hostile corpus, and
check the read-only, loopback-only, time-boxed, size-limited server (oxigraph behind kg's proxy)
under concurrent clients and heavy queries.

Everything runs on loopback; stores live in temporary directories.
"""

from __future__ import annotations

import http.server
import json
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.store import open_backend
from kg.store.load import load
from kg.store.proxy import CANCELLED, ProxyLimits, ProxyServer
from kg.store.server import command_line, kg_serve
from kg.store.sparql import check

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from serve_load import run_clients  # noqa: E402

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and fork")

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).parent / "hostile"
ALL_QUADS = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"


def snapshot(path: Path) -> list[tuple[str, ...]]:
    """Every quad of the store, blank nodes folded to one label (their ids are per load)."""
    with open_backend(store=path) as backend:
        rows = backend.query(check(ALL_QUADS)).rows
    return sorted(tuple("_:b" if str(t).startswith("_:") or type(t).__name__ == "BNode" else str(t) for t in row)
                  for row in rows)


def make_cases(directory: Path, count: int) -> list[Path]:
    """``count`` distinct copies of the seed case (own IRIs, own case numbers)."""
    directory.mkdir(parents=True, exist_ok=True)
    seed = (REPO / "cases" / "seed.ttl").read_text(encoding="utf-8")
    out = []
    for i in range(count):
        text = seed.replace("https://w3id.org/kg-imr/case/seed#", f"https://example.org/kill/{i}#").replace(
            '"SEED-2015"', f'"KILL-{i}"')
        path = directory / f"case-{i:04d}.ttl"
        path.write_text(text, encoding="utf-8")
        out.append(path)
    return out


@pytest.fixture(scope="module")
def base_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("base") / "store"
    with open_backend(store=path, write=True) as backend:
        load(backend, [REPO / "cases" / "seed.ttl"])
    return path


def test_every_refused_file_in_a_batch_changes_nothing(base_store: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(base_store, store)
    before = snapshot(store)
    good = make_cases(tmp_path / "good", 1)[0]
    refused = sorted(CORPUS.glob("load-*.expected.json"))
    assert len(refused) >= 20
    for expected in refused:
        want = json.loads(expected.read_text(encoding="utf-8"))
        stem = expected.name[: -len(".expected.json")]
        bad = next(p for p in CORPUS.glob(stem + ".*") if p != expected)
        if want.get("args"):  # a tightened limit would refuse the good file too
            continue
        result = CliRunner().invoke(main, ["load", str(good), str(bad), "--store", str(store)])
        assert result.exit_code == 2, (bad.name, result.output)
        assert bad.name in result.stderr and "Traceback" not in result.output
    assert snapshot(store) == before


def test_sigkill_during_a_load_leaves_the_store_as_before_or_complete(base_store: Path, tmp_path: Path) -> None:
    """Kill `kg load` at several points of a large load: never a half-written store."""
    files = make_cases(tmp_path / "many", 60)
    before = snapshot(base_store)
    full = tmp_path / "full"
    shutil.copytree(base_store, full)
    command = [sys.executable, "-m", "kg.cli", "load", str(tmp_path / "many"), "--store"]
    started = time.monotonic()
    subprocess.run([*command, str(full)], check=True, capture_output=True, timeout=600)
    duration = time.monotonic() - started
    after = snapshot(full)
    assert len(after) > len(before) and len(files) == 60

    outcomes = []
    for fraction in (0.3, 0.6, 0.85, 0.95, 1.05):
        store = tmp_path / f"kill-{fraction}"
        shutil.copytree(base_store, store)
        process = subprocess.Popen([*command, str(store)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(duration * fraction)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        state = snapshot(store)  # the store must open after a SIGKILL at all
        assert state in (before, after), f"half-written store after SIGKILL at {fraction:.0%} of a load"
        outcomes.append("before" if state == before else "complete")
    assert "before" in outcomes, outcomes  # at least one kill landed before the commit


# --- the server ----------------------------------------------------------------------------------

LIMIT = 100_000  # bytes: SELECT * over the seed store is far larger, a LIMIT 5 far smaller


@pytest.fixture(scope="module")
def served(base_store: Path) -> str:
    """`kg serve` itself on a free loopback port, with a 2-second timeout and a 100 kB result limit."""
    with kg_serve(base_store, "--timeout", "2", "--max-result-bytes", str(LIMIT)) as (url, _process):
        yield url


def get(url: str, query: str, accept: str = "application/sparql-results+json") -> tuple[int, str, bytes]:
    """(status, content type, body) of a GET query; error statuses are answers, not exceptions."""
    request = urllib.request.Request(f"{url}?{urllib.parse.urlencode({'query': query})}", headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read()


def test_serve_binds_loopback_unless_told(base_store: Path) -> None:
    argv = command_line(base_store)  # oxigraph itself: always on loopback, behind the proxy
    assert argv[argv.index("--bind") + 1].startswith("127.0.0.1:")
    help_text = CliRunner().invoke(main, ["serve", "--help"]).output
    assert "127.0.0.1" in help_text


def test_server_is_read_only(served: str, base_store: Path) -> None:
    base = served.rsplit("/", 1)[0]
    update = urllib.parse.urlencode({"update": "INSERT DATA { <urn:x> <urn:y> <urn:z> }"}).encode()
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    attempts = [
        urllib.request.Request(base + "/update", data=update, headers=form),
        urllib.request.Request(served, data=update, headers=form),
        urllib.request.Request(served, data=b"INSERT DATA { <urn:x> <urn:y> <urn:z> }",
                               headers={"Content-Type": "application/sparql-update"}),
        urllib.request.Request(base + "/store?default", data=b"<urn:x> <urn:y> <urn:z> .",
                               headers={"Content-Type": "application/n-triples"}, method="POST"),
        urllib.request.Request(base + "/store?default", method="DELETE"),
    ]
    before = snapshot_over_http(served)
    for request in attempts:
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 403, (request.full_url, refused.value.code)
        assert b"read-only" in refused.value.read()
    assert snapshot_over_http(served) == before


def test_server_answers_only_queries(served: str) -> None:
    base = served.rsplit("/", 1)[0]
    for request, code in [
        (urllib.request.Request(base + "/"), 404),
        (urllib.request.Request(served, method="PUT", data=b"x"), 405),
        (urllib.request.Request(served, data=b"SELECT * {}", headers={"Content-Type": "text/plain"}), 415),
        (urllib.request.Request(served, data=b"query=" + b"x" * (1024 * 1024 + 1),
                                headers={"Content-Type": "application/x-www-form-urlencoded"}), 413),
    ]:
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == code, (request.full_url, request.method)
    status, _, _ = get(served, "SELECT * WHERE { ?s ?p }")  # a syntax error: oxigraph's 400, passed on
    assert status == 400


def snapshot_over_http(url: str) -> int:
    status, _, body = get(url, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert status == 200
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def test_concurrent_clients_get_no_errors(served: str, record_property: pytest.RecordProperty) -> None:
    """A bounded load: 4 clients for 3 seconds on loopback; zero errors allowed (speed is only
    reported here; bench/serve_load.py measures it)."""
    report = run_clients(served, clients=4, seconds=3.0)
    record_property("load", report.summary())
    assert report.requests > 0
    assert report.errors == 0, report.error_samples


def test_a_result_over_the_limit_is_an_error_not_a_truncated_200(served: str) -> None:
    for accept in ("application/sparql-results+json", "text/csv"):
        status, content_type, body = get(served, "SELECT * WHERE { ?s ?p ?o }", accept)
        assert status == 507, (accept, status)
        assert content_type.startswith("text/plain") and body.count(b"\n") == 1 and str(LIMIT).encode() in body
    status, content_type, body = get(served, "SELECT * WHERE { ?s ?p ?o } LIMIT 5", "text/csv")
    assert status == 200 and content_type.startswith("text/csv") and body.count(b"\r\n") == 6
    result = CliRunner().invoke(main, ["query", "SELECT * WHERE { ?s ?p ?o }", "--endpoint", served])
    assert result.exit_code == 2 and "HTTP 507" in result.stderr and result.stdout == ""


RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def test_a_heavy_query_times_out_while_a_cheap_one_still_answers(served: str) -> None:
    """A COUNT over a three-way cross product of the store (~10^12 rows; uncancelled it would
    run for hours) gets 504 from the proxy's 2-second clock, never a 200: oxigraph by itself
    answers 200 and ends the body with an error text, and checks its own timeout only now and
    then. While it runs, ASK {} answers within the same 2-second timeout (else it would get 504)."""
    heavy: dict[str, object] = {}
    thread = threading.Thread(target=lambda: heavy.update(answer=get(served, RUNAWAY)))
    thread.start()
    time.sleep(0.5)
    cheap = get(served, "ASK {}")
    assert thread.is_alive(), "the heavy query ended before the cheap one was sent"
    thread.join(timeout=120)
    assert cheap[0] == 200 and json.loads(cheap[2])["boolean"] is True
    status, content_type, body = heavy["answer"]
    assert status == 504, status
    assert content_type.startswith("text/plain") and b"timeout" in body


def test_kg_query_turns_a_timed_out_query_into_exit_2(served: str) -> None:
    result = CliRunner().invoke(main, ["query", RUNAWAY, "--endpoint", served, "--format", "csv"])
    assert result.exit_code == 2, result.output
    assert "HTTP 504" in result.stderr
    assert result.stdout == "" and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


# --- the proxy against a stand-in upstream: oxigraph's failure modes on demand ---------------------

class _Upstream(http.server.BaseHTTPRequestHandler):
    """Answers like oxigraph does when it cancels a query (200, body cut short, error text appended),
    or slowly, or with a 500, depending on the query."""

    def do_GET(self) -> None:  # noqa: N802
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)["query"][0]
        if query == "slow":
            time.sleep(1.5)
        if query == "fail":
            self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b'{"head":{"vars":["n"]},"results":{"bindings":[' + (CANCELLED if query == "cancelled" else b"]}}")
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def stand_in() -> tuple[str, http.server.ThreadingHTTPServer]:
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    proxy = ProxyServer(("127.0.0.1", 0), ("127.0.0.1", upstream.server_port),
                        ProxyLimits(timeout=10, max_concurrent=1, max_waiting=0))
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in (upstream, proxy)]
    for thread in threads:
        thread.start()
    try:
        yield f"http://127.0.0.1:{proxy.server_port}/query", proxy
    finally:
        for server in (proxy, upstream):
            server.shutdown()
            server.server_close()


def test_proxy_never_passes_on_a_cancelled_or_failed_answer(stand_in) -> None:
    url, proxy = stand_in
    assert get(url, "fine")[0] == 200
    status, _, body = get(url, "cancelled")
    assert status == 504 and CANCELLED not in body
    assert get(url, "fail")[0] == 503
    proxy.limits = replace(proxy.limits, timeout=None)  # kg serve --timeout 0: no clock of kg's own
    assert get(url, "fine")[0] == 200
    assert get(url, "cancelled")[0] == 504


def test_proxy_bounds_concurrent_queries(stand_in) -> None:
    """One slot and no queue: a second query while the first runs gets 503 with Retry-After."""
    url, proxy = stand_in
    slow = threading.Thread(target=get, args=(url, "slow"))
    slow.start()
    time.sleep(0.5)
    request = urllib.request.Request(f"{url}?query=fine")
    with pytest.raises(urllib.error.HTTPError) as busy:
        urllib.request.urlopen(request, timeout=10)
    slow.join()
    assert busy.value.code == 503 and busy.value.headers["Retry-After"]
    assert get(url, "fine")[0] == 200


# --- stopping ------------------------------------------------------------------------------------

def children(pid: int) -> list[int]:
    """Live child processes of ``pid`` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_stopping_kg_serve_stops_oxigraph_too(base_store: Path, signum: int) -> None:
    """Ctrl-C (SIGINT) or SIGTERM: kg stops oxigraph and exits 0. Even SIGKILL, which kg cannot
    catch, leaves no orphan server on Linux (the child asked to be sent SIGTERM when kg dies)."""
    with kg_serve(base_store) as (url, process):
        oxigraph = children(process.pid)
        assert len(oxigraph) == 1
        process.send_signal(signum)
        code = process.wait(timeout=20)
        assert code == (-signal.SIGKILL if signum == signal.SIGKILL else 0)
        deadline = time.monotonic() + 20
        while alive(oxigraph[0]) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not alive(oxigraph[0]), "oxigraph outlived kg serve"
