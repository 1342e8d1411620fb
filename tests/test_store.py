"""The three backends give identical answers; loads are all-or-nothing; kg serve is a real server.

A fixture starts `kg serve` (the `oxigraph` server behind kg's front proxy) on a free loopback
port and stops it afterwards. Nothing here leaves loopback.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import KgError
from kg.store import GUIDELINES_GRAPH, named_queries, open_backend, run_query
from kg.store.load import load
from kg.store.server import free_port, kg_serve, oxigraph_binary, stop_process, wait_until_up
from kg.store.sparql import check

#: An example value for each parameter type, so every named query can run.
EXAMPLES = {"date": "2015-07-22", "topic": "lumbar sympathetic block", "string": "SEED-2015", "iri": "urn:x"}
ALL_QUADS = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture(scope="module")
def cases(repo_root) -> list[Path]:
    return sorted((repo_root / "cases").glob("*.ttl"))


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory, cases) -> Path:
    path = tmp_path_factory.mktemp("store") / "kg"
    with open_backend(store=path, write=True) as backend:
        load(backend, cases, with_determinations=True)
    return path


@pytest.fixture(scope="module")
def endpoint(store_dir) -> str:
    """`kg serve` over the store on a free loopback port: oxigraph behind kg's proxy, as users get it."""
    with kg_serve(store_dir) as (url, _process):
        yield url


def params_for(query) -> dict[str, str]:
    return {p.name: EXAMPLES[p.type] for p in query.params}


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_three_backends_give_identical_results(name, cases, store_dir, endpoint):
    query = named_queries()[name]
    params = params_for(query)
    memory = run_query(name, cases, params=params, with_determinations=True)
    stored = run_query(name, params=params, store=store_dir)
    served = run_query(name, params=params, endpoint=endpoint)
    assert memory.variables == stored.variables == served.variables
    assert memory.rows == stored.rows == served.rows
    if name in ("outcomes-by-topic", "criteria-for-topic", "mtus-topics-on-date", "ur-non-mtus-where-mtus-applies"):
        assert memory.rows, f"{name} should answer something on the bundled cases"


def test_construct_and_ask_agree_across_backends(cases, store_dir, endpoint):
    construct = ("PREFIX kg: <https://w3id.org/kg-imr/ns#>\n"
                 "CONSTRUCT { ?req kg:topic ?t ; kg:quantity ?q }\n"
                 "WHERE { ?req kg:topic ?t . OPTIONAL { ?req kg:quantity ?q } }")
    graphs = [run_query(construct, cases).graph, run_query(construct, store=store_dir).graph,
              run_query(construct, endpoint=endpoint).graph]
    assert len(graphs[0]) > 0
    assert set(graphs[0]) == set(graphs[1]) == set(graphs[2])
    describe = "DESCRIBE <https://w3id.org/kg-imr/guideline/LSB-1>"
    described = [run_query(describe, cases).graph, run_query(describe, store=store_dir).graph,
                 run_query(describe, endpoint=endpoint).graph]
    assert len(described[0]) >= 5
    assert set(described[0]) == set(described[1]) == set(described[2])
    ask = "ASK { ?s <https://w3id.org/kg-imr/ns#caseNumber> \"SEED-2015\" }"
    assert run_query(ask, cases).boolean is run_query(ask, store=store_dir).boolean is \
        run_query(ask, endpoint=endpoint).boolean is True


def test_each_case_is_its_own_named_graph(store_dir):
    with open_backend(store=store_dir) as backend:
        names = backend.graph_names()
    assert GUIDELINES_GRAPH in names
    assert "https://w3id.org/kg-imr/case/seed#case" in names
    assert "https://w3id.org/kg-imr/case/hip-mri-odg#case" in names


def snapshot(path: Path) -> list:
    with open_backend(store=path) as backend:
        return sorted(tuple(map(str, row)) for row in backend.query(check(ALL_QUADS)).rows)


def test_bad_file_leaves_the_store_unchanged(tmp_path, cases):
    path = tmp_path / "s"
    with open_backend(store=path, write=True) as backend:
        load(backend, cases)
    before = snapshot(path)
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix kg: <https://w3id.org/kg-imr/ns#> .\n<urn:c> a kg:Case ;\n  kg:caseNumber \"X\"\n"
                   "<urn:d> a kg:Case .\n", encoding="utf-8")
    changed = tmp_path / "changed.ttl"
    changed.write_text(cases[-1].read_text(encoding="utf-8").replace('"SEED-2015"', '"CHANGED"'), encoding="utf-8")
    result = CliRunner().invoke(main, ["load", str(changed), str(bad), "--store", str(path)])
    assert result.exit_code == 2
    assert f"{bad}:4:" in result.output and "Traceback" not in result.output
    assert snapshot(path) == before


def test_reloading_a_case_replaces_it(tmp_path, cases):
    path = tmp_path / "s"
    seed = next(c for c in cases if c.name == "seed.ttl")
    runner = CliRunner()
    assert runner.invoke(main, ["load", str(seed), "--store", str(path)]).exit_code == 0
    edited = tmp_path / "seed-edited.ttl"
    edited.write_text(seed.read_text(encoding="utf-8").replace('"SEED-2015"', '"SEED-2015-EDITED"'),
                      encoding="utf-8")
    result = runner.invoke(main, ["load", str(edited), "--store", str(path)])
    assert result.exit_code == 0, result.output
    numbers = run_query("PREFIX kg: <https://w3id.org/kg-imr/ns#> SELECT ?n WHERE { ?c kg:caseNumber ?n }",
                        store=path)
    assert [str(r[0]) for r in numbers.rows] == ["SEED-2015-EDITED"]


def test_store_refuses_updates_and_foreign_directories(tmp_path, store_dir):
    result = CliRunner().invoke(main, ["query", "DELETE WHERE { ?s ?p ?o }", "--store", str(store_dir)])
    assert result.exit_code == 2 and "refused" in result.output
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "x.txt").write_text("not a store")
    with pytest.raises(KgError, match="not a kg store"):
        run_query("topics", store=tmp_path / "other")
    with pytest.raises(KgError, match="not empty"):
        open_backend(store=tmp_path / "other", write=True)


def test_load_into_an_endpoint_over_sparql_update(tmp_path, cases):
    """`kg load --endpoint` against a read-write oxigraph server (in memory) on loopback."""
    port = free_port()
    process = subprocess.Popen([oxigraph_binary(), "serve", "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/query", process)
        runner = CliRunner()
        result = runner.invoke(main, ["load", *map(str, cases), "--endpoint", base + "/update"])
        assert result.exit_code == 0, result.output
        again = runner.invoke(main, ["load", str(cases[0]), "--endpoint", base + "/update"])
        assert again.exit_code == 0, again.output
        served = run_query("ur-non-mtus-where-mtus-applies", endpoint=base + "/query")
        memory = run_query("ur-non-mtus-where-mtus-applies", cases)
        assert served.rows == memory.rows and served.rows
    finally:
        stop_process(process)


def test_unreachable_endpoint_is_a_one_line_error():
    port = free_port()
    result = CliRunner().invoke(main, ["query", "topics", "--endpoint", f"http://127.0.0.1:{port}/query"])
    assert result.exit_code == 2
    assert "cannot reach the endpoint" in result.output and "Traceback" not in result.output


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_kg_serve_answers_and_stops_cleanly(store_dir):
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--store", str(store_dir),
                                "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/query"
    try:
        wait_until_up(url, process)
        assert run_query("outcomes-by-topic", endpoint=url).rows
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
        with pytest.raises(KgError):  # the oxigraph child is gone too: nothing listens any more
            run_query("topics", endpoint=url)
    finally:
        if process.poll() is None:
            stop_process(process)
