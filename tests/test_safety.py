"""Safe loading, safe output and the offline guarantee, tested against real files and sockets."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from kg.cli import main
from kg.errors import LoadError
from kg.loader import DEFAULT_LIMITS, Limits, active_limits, limits_in_effect, load_rdf
from kg.model import UNDETERMINED, CaseResult, Determination
from kg.render.json import render_json
from kg.render.safe import clean, clean_line
from kg.render.text import render_text

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).parent / "hostile"
GOOD = CORPUS / "control-necessary.ttl"

# A label full of things a terminal or a JSON consumer must never receive raw. Written with
# Turtle escapes (the loader refuses raw control bytes in a file).
NASTY_TTL_LABEL = r"A\u001B[2J\u001B]0;pwned\u0007B\u009B31mC\u202EdesrevER\u202C\u0000D\u200FE"


def _cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def _nasty_case(tmp_path: Path) -> Path:
    text = GOOD.read_text(encoding="utf-8").replace(
        'kg:requestText "Lumbar sympathetic block"', f'kg:requestText "{NASTY_TTL_LABEL}"').replace(
        'rdfs:label "Hostile corpus case"', f'rdfs:label "{NASTY_TTL_LABEL}"')
    path = tmp_path / "nasty.ttl"
    path.write_text(text, encoding="utf-8")
    return path


# --- safe text and JSON output ----------------------------------------------------------------

@pytest.mark.parametrize("raw", [
    "\x1b[31mred\x1b[0m", "\x1b]0;title\x07x", "\x1b]8;;http://e.example\x1b\\link\x1b]8;;\x1b\\",
    "\x9b2J", "a\x00b\x07c\x7f", "\u202etxet\u202c", "\u2066iso\u2069", "line\u2028sep",
])
def test_clean_strips_escapes_and_controls(raw: str) -> None:
    out = clean(raw)
    assert not any(ch in out for ch in "\x1b\x9b\x9d\x00\x07\x7f\u202e\u202c\u2066\u2069\u2028")
    assert "title" not in out and "2J" not in out


def test_clean_keeps_ordinary_text_and_replaces_surrogates() -> None:
    assert clean("José — 腰部交感神経ブロック\tok\n") == "José — 腰部交感神経ブロック\tok\n"
    assert clean("a\ud800b") == "a\ufffdb"
    clean("a\ud800b").encode("utf-8")
    assert clean_line("a\n\tb") == "a b"


def test_text_output_of_a_hostile_label_has_no_control_sequences(tmp_path: Path) -> None:
    code, out, err = _cli("validate", str(_nasty_case(tmp_path)))
    assert code == 0, err
    assert "\x1b" not in out and "\x9b" not in out and "\x00" not in out and "\u202e" not in out
    assert "pwned" not in out  # the OSC title payload is dropped with its sequence
    assert "ABC" in out


def test_json_output_of_a_hostile_label_is_valid_and_keeps_the_data(tmp_path: Path) -> None:
    code, out, err = _cli("validate", str(_nasty_case(tmp_path)), "--format", "json")
    assert code == 0, err
    out.encode("ascii")  # every non-ASCII character is escaped
    item = json.loads(out)["cases"][0]["items"][0]
    assert item["label"].startswith("A\x1b[2J")  # JSON carries the data faithfully, escaped
    assert "\u202e" in item["label"] and "\x00" in item["label"] and "\u200f" in item["label"]


def test_json_and_text_survive_lone_surrogates_from_the_api() -> None:
    """Graphs passed to the library (not files) can hold lone surrogates: output stays valid."""
    det = Determination(request="urn:r", label="bad \ud800 label \u200f\u0000", topic=None, topic_iri=None,
                        outcome=UNDETERMINED, findings=("x",))
    cases = [CaseResult(case="urn:c", file="f\ud83d.ttl", items=(det,))]
    doc = render_json(cases)
    doc.encode("ascii")
    assert json.loads(doc)["cases"][0]["items"][0]["outcome"] == UNDETERMINED
    text = render_text(cases)
    text.encode("utf-8")
    assert "\ud800" not in text and "\x00" not in text


def test_error_messages_are_one_clean_line(tmp_path: Path) -> None:
    bad = tmp_path / "evil\x1b[31mname.ttl"
    bad.write_text("@prefix : <urn:x#> .\n:a :b", encoding="utf-8")
    code, out, err = _cli("validate", str(bad))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "\x1b" not in err and "Traceback" not in err


# --- loader: limits, formats, refusal -----------------------------------------------------------

def test_limits_flags_change_the_active_limits_only_for_the_command() -> None:
    assert active_limits() == DEFAULT_LIMITS
    with limits_in_effect(Limits(max_triples=5)) as limits:
        assert active_limits() is limits
        with pytest.raises(LoadError, match="5-triple limit"):
            load_rdf(GOOD)
    assert active_limits() == DEFAULT_LIMITS
    assert len(load_rdf(GOOD)) > 5


def test_bundled_guidelines_ignore_tight_case_limits() -> None:
    """--max-bytes 500 limits case files, not kg's own ontology (which is far larger)."""
    code, _, err = _cli("validate", "--max-bytes", "5000", str(GOOD))
    assert code == 0, err


@pytest.mark.parametrize("command", [["validate"], ["load", "--store", "{tmp}/store"], ["viz", "case"],
                                     ["query", "ASK {}"]])
def test_every_command_that_reads_case_files_takes_the_limit_flags(command: list[str], tmp_path: Path) -> None:
    args = [a.replace("{tmp}", str(tmp_path)) for a in command]
    code, out, err = _cli(*args, "--max-triples", "20", str(GOOD))
    assert code == 2, (out, err)
    assert "20-triple limit (--max-triples)" in err and GOOD.name in err


def test_graph_is_untouched_when_a_file_fails(tmp_path: Path) -> None:
    graph = load_rdf(GOOD)
    before = len(graph)
    bad = tmp_path / "half.ttl"
    bad.write_text(GOOD.read_text(encoding="utf-8") + "\n:broken kg:topic ", encoding="utf-8")
    with pytest.raises(LoadError):
        load_rdf(bad, graph)
    assert len(graph) == before


def test_parse_time_box(monkeypatch: pytest.MonkeyPatch) -> None:
    """A parse that runs past --timeout becomes a one-line error, not a hang."""
    real_parse = Graph.parse

    def slow_parse(self: Graph, *args: object, **kwargs: object) -> Graph:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:  # pure-Python busy loop: the alarm interrupts it
            pass
        return real_parse(self, *args, **kwargs)

    monkeypatch.setattr(Graph, "parse", slow_parse)
    started = time.monotonic()
    with pytest.raises(LoadError, match="0.3-second limit"):
        load_rdf(GOOD, limits=Limits(timeout=0.3))
    assert time.monotonic() - started < 3


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.ttl"
    os.mkfifo(fifo)
    code, _, err = _cli("validate", str(fifo))
    assert code == 2 and "not a regular file" in err


def test_missing_file_is_exit_2(tmp_path: Path) -> None:
    code, _, err = _cli("validate", str(tmp_path / "absent.ttl"))
    assert code == 2 and "absent.ttl" in err and "Traceback" not in err


def test_xxe_never_reads_the_local_file() -> None:
    code, out, err = _cli("validate", str(CORPUS / "load-xxe-file.rdf"))
    assert code == 2
    assert "root:" not in out + err


def test_plain_rdflib_would_reach_the_network_for_a_remote_context() -> None:
    """Why the loader refuses remote contexts: rdflib on its own opens a connection (which the
    test guard turns into NetworkBlocked). kg's loader refuses before any socket is made."""
    doc = '{"@context": "https://evil.example/context.jsonld", "@id": "urn:x", "p": "v"}'
    with pytest.raises(BaseException) as caught:
        Graph().parse(data=doc, format="json-ld")
    chain, exc = [], caught.value
    while exc is not None:
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    assert any(type(e).__name__ == "NetworkBlocked" for e in chain) or "blocked" in str(caught.value)


def test_bundled_context_resolves_locally(tmp_path: Path) -> None:
    doc = {"@context": "https://w3id.org/kg-imr/context.jsonld", "@id": "urn:kg:test:case", "@type": "Case"}
    path = tmp_path / "case.jsonld"
    path.write_text(json.dumps(doc), encoding="utf-8")
    graph = load_rdf(path)
    assert len(graph) >= 1


def test_owl_imports_is_never_followed_by_the_engine(tmp_path: Path) -> None:
    """A case that imports a remote rule file: loaded as data, quarantined, never fetched."""
    code, out, err = _cli("validate", str(CORPUS / "attack-owl-imports.ttl"), "--format", "json")
    assert code == 1, err
    assert any("Quarantined" in n for n in json.loads(out)["cases"][0]["notes"])


# --- the network guard itself ---------------------------------------------------------------------

def test_guard_blocks_outbound_connections() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        with pytest.raises(RuntimeError, match="network access blocked"):
            sock.connect(("203.0.113.7", 80))  # TEST-NET-3: never routable
    with pytest.raises(RuntimeError, match="name lookup blocked"):
        socket.getaddrinfo("example.com", 80)
    with pytest.raises(RuntimeError, match="blocked"):
        socket.create_connection(("198.51.100.1", 443), timeout=0.5)


def test_guard_allows_loopback() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        accepted: list[bytes] = []

        def accept() -> None:
            conn, _ = server.accept()
            with conn:
                accepted.append(conn.recv(16))

        thread = threading.Thread(target=accept)
        thread.start()
        with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
            client.sendall(b"ping")
        thread.join(timeout=5)
    assert accepted == [b"ping"]
