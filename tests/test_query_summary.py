"""Precomputed rows (kg.store.summary) give exactly what the aggregate and listing queries give by scanning.

Each summarized named query (six aggregates, four listings) is run twice on the same backend, once
from the precomputed rows and once as written, after a first load, after a reload that changes a
case (so old rows must go), after reloading it back, in memory and in a store; and in stores whose
summary is missing, stale or made with other guidelines, where the full queries must answer.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from kg.errors import KgError
from kg.knowledge import bundled_knowledge
from kg.store import open_backend, run_query
from kg.store.load import load, prepare
from kg.store.sparql import check
from kg.store.summary import (
    ROW_PREDICATE,
    ROWS_PREFIX,
    SUMMARY_GRAPH,
    _cell_key,
    _Table,
    answer,
    covers,
    decode_row,
    delta,
    from_summary,
    has_summary,
    summarized,
    version,
)

LISTINGS = ("cases-with-conflicts", "ur-non-mtus-where-mtus-applies", "requests-without-guideline",
            "citations-not-in-force")
SEED = "https://w3id.org/kg-imr/case/seed#case"


@pytest.fixture(scope="module")
def cases(repo_root) -> list[Path]:
    return sorted((repo_root / "cases").glob("*.ttl"))


@pytest.fixture()
def edited(cases, tmp_path) -> Path:
    """The seed case (same IRI) changed so that every listing's rows for it change.

    The UR now cites the 2016 CPMTG (an MTUS edition not in force in July 2015: a citation not in
    force, and no longer a non-MTUS-only UR), the IMR outcome flips, and a second request names no
    topic (a request no guideline addresses).
    """
    seed = next(c for c in cases if c.name == "seed.ttl")
    text = seed.read_text(encoding="utf-8")
    text = text.replace("kg:imrOutcome kg:Upheld", "kg:imrOutcome kg:Overturned")
    text = text.replace("kg:cites [ a kg:Citation ; kg:citesGuideline g:ODG ;",
                        "kg:cites [ a kg:Citation ; kg:citesEdition g:CPMTG-2016 ;")
    text = text.replace("kg:hasRequest :req-lsb .", "kg:hasRequest :req-lsb, :req-other .")
    text += ('\n:req-other a kg:Request ; kg:requestText "an item with no topic" ;'
             ' kg:requestDate "2015-07-15"^^xsd:date .\n')
    path = tmp_path / "seed-edited.ttl"
    path.write_text(text, encoding="utf-8")
    return path


def both(backend, name: str) -> tuple[list, list]:
    """(rows from the precomputed rows, rows from the query itself) on one backend."""
    query = summarized()[name]
    found = from_summary(backend, query)
    assert found is not None, f"{name}: not answered from the summary"
    full = backend.query(check(query.text))
    assert found.variables == full.variables
    return found.rows, full.rows


def test_the_aggregates_and_listings_declare_a_summary():
    assert {"outcomes-by-topic", "imr-agreement-by-topic", "outcomes-by-document", "outcomes-by-reviewer-specialty",
            "recorded-imr-by-topic", "ur-citations-by-guideline", *LISTINGS} <= set(summarized())
    for name in LISTINGS:
        assert summarized()[name].summary_rows


def test_a_row_survives_encoding():
    from rdflib import BNode
    from rdflib.namespace import XSD

    row = (None, URIRef("https://w3id.org/kg-imr/guideline/X"), Literal("a \"quoted\"\ttab é"), Literal("x", lang="en"),
           Literal("2015-07-22", datatype=XSD.date), Literal("3", datatype=XSD.integer), BNode("b1"))
    table = _Table()
    first, second = table.row(row), table.row(row)
    assert first == second and len(table.cells) == len(row)  # each distinct value kept once
    cells = json.loads(json.dumps(table.cells))
    assert decode_row(cells, first) == row
    assert [_cell_key(cells[i]) for i in first[:3]] == [(0, 0, ""), (2, 0, str(row[1])), (3, 0, str(row[2]))]
    assert _cell_key(cells[first[4]]) == (3, 1, "2015-07-22")
    assert _cell_key(cells[first[3]]) is None  # a language-tagged text: the engine orders such answers


@pytest.mark.parametrize("kind", ["memory", "store"])
def test_summary_equals_the_full_query_after_load_and_reload(kind, cases, edited, tmp_path):
    seed = next(c for c in cases if c.name == "seed.ttl")
    with open_backend(store=tmp_path / "s" if kind == "store" else None, write=True) as backend:
        load(backend, cases, with_determinations=True)
        assert has_summary(backend)
        first = {name: both(backend, name) for name in summarized()}
        for name, (summary, full) in first.items():
            assert summary == full, name
            query = summarized()[name]
            assert answer(backend, query, check(query.text)).rows == summary
        assert first["outcomes-by-topic"][1] and first["imr-agreement-by-topic"][1]
        assert first["ur-non-mtus-where-mtus-applies"][1] and first["cases-with-conflicts"][1]
        load(backend, [edited], with_determinations=True)
        after = {name: both(backend, name) for name in summarized()}
        for name, (summary, full) in after.items():
            assert summary == full, name
        # the reload really changed the answers, and the rows followed (old rows removed, new ones added)
        for name in ("recorded-imr-by-topic", "ur-non-mtus-where-mtus-applies", "requests-without-guideline",
                     "citations-not-in-force"):
            assert after[name][1] != first[name][1], name
        assert len(after["ur-non-mtus-where-mtus-applies"][1]) == len(first["ur-non-mtus-where-mtus-applies"][1]) - 1
        assert [str(r[1]) for r in after["requests-without-guideline"][1]] == ["an item with no topic"]
        assert [str(r[2]) for r in after["citations-not-in-force"][1]] == ["UR"]
        load(backend, [seed], with_determinations=True)  # back again: the first answers exactly
        assert {name: both(backend, name)[0] for name in summarized()} == {n: v[0] for n, v in first.items()}


def test_a_reload_replaces_exactly_the_case_rows(cases, edited, tmp_path):
    """A reload removes the case's old listing rows from the rows graph that held them, and no other row."""
    path = tmp_path / "s"

    def rows_by_case(backend) -> dict:
        out: dict = {}
        for name in LISTINGS:
            text = f"SELECT ?d WHERE {{ GRAPH ?g {{ ?g <{ROW_PREDICATE}{name}> ?d }} }}"
            for (data,) in backend.query(check(text)).rows:
                for case, rows in json.loads(str(data))["c"].items():
                    out.setdefault((name, case), []).extend(map(str, rows))
        return {k: sorted(v) for k, v in out.items()}

    with open_backend(store=path, write=True) as backend:
        load(backend, cases, with_determinations=True)
        before = rows_by_case(backend)
        assert ("ur-non-mtus-where-mtus-applies", SEED) in before
        load(backend, [edited], with_determinations=True)
        load(backend, [edited], with_determinations=True)  # twice: rows are replaced, never added twice
        after = rows_by_case(backend)
        assert {k: v for k, v in after.items() if k[1] != SEED} == {k: v for k, v in before.items() if k[1] != SEED}
        assert len(after[("requests-without-guideline", SEED)]) == 1
        assert ("ur-non-mtus-where-mtus-applies", SEED) not in after
        rows_graphs = [g for g in backend.graph_names() if g.startswith(ROWS_PREFIX)]
        assert len(rows_graphs) == 2  # the first load's (seed rows taken out) and the reload's (same name twice)


def test_a_case_may_not_use_the_names_of_precomputed_rows(tmp_path):
    forged = tmp_path / "forged.ttl"
    forged.write_text("@prefix kg: <https://w3id.org/kg-imr/ns#> .\n<urn:x:c> a kg:Case ;\n"
                      f"  <{ROW_PREDICATE}cases-with-conflicts> \"{{}}\" .\n", encoding="utf-8")
    with open_backend(store=tmp_path / "s", write=True) as backend, pytest.raises(KgError, match="kg's own"):
        load(backend, [forged])


def test_a_store_with_cases_but_no_summary_answers_the_same_without_one(cases, tmp_path):
    """An old store (cases written before summaries) gets no partial summary: the full queries answer."""
    path = tmp_path / "old"
    graphs, _ = prepare(cases[:1], with_determinations=True)
    with open_backend(store=path, write=True) as backend:
        backend.replace_graphs(graphs)  # what an older kg wrote: no summary
        load(backend, cases[1:], with_determinations=True)
        assert not has_summary(backend)
        assert not any(g.startswith(ROWS_PREFIX) for g in backend.graph_names())
    for name in summarized():
        assert run_query(name, store=path).rows == run_query(name, cases, with_determinations=True).rows, name


@pytest.mark.parametrize("kind", ["memory", "store"])
def test_a_summary_without_a_query_or_from_another_text_falls_back(kind, cases, tmp_path):
    """A summary that does not name a query (made before the listings were summarized, or from an older
    text of the query) is not used for it, and later loads do not start keeping it half-way."""
    with open_backend(store=tmp_path / "s" if kind == "store" else None, write=True) as backend:
        load(backend, cases[:2], with_determinations=True)
        listing = summarized()["ur-non-mtus-where-mtus-applies"]
        marker = backend.query(check(f"SELECT ?p ?o WHERE {{ GRAPH <{SUMMARY_GRAPH}> {{ <{SUMMARY_GRAPH}> ?p ?o }} }}"))
        old = Graph()
        for p, o in marker.rows:
            if o != Literal(version(listing)):
                old.add((URIRef(SUMMARY_GRAPH), p, o))
        rows = backend.query(check(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{SUMMARY_GRAPH}> {{ ?s ?p ?o }} }}")).rows
        for s, p, o in rows:
            if s != URIRef(SUMMARY_GRAPH):
                old.add((s, p, o))
        backend.replace_graphs({SUMMARY_GRAPH: old})  # as if the summary were made before this query was kept
        assert not covers(backend, listing) and not has_summary(backend)
        load(backend, cases[2:], with_determinations=True)
        assert not covers(backend, listing)
        assert covers(backend, summarized()["cases-with-conflicts"])
        assert from_summary(backend, listing) is None
        result = answer(backend, listing, check(listing.text)).rows
    assert result == run_query(listing.name, cases).rows and result


def test_other_guidelines_drop_the_summary_and_the_rows(cases, tmp_path):
    with open_backend(store=tmp_path / "s", write=True) as backend:
        load(backend, cases[:2], with_determinations=True)
        assert any(g.startswith(ROWS_PREFIX) for g in backend.graph_names())
        changed = Graph()
        for triple in bundled_knowledge().guidelines:
            changed.add(triple)
        changed.add((URIRef("https://w3id.org/kg-imr/guideline/ODG"), RDFS.label, Literal("renamed")))
        graphs, _ = prepare(cases[2:])
        extra = delta(backend, graphs, changed)
        assert SUMMARY_GRAPH in extra and all(len(g) == 0 for g in extra.values())
        backend.replace_graphs(graphs | extra)
        assert not has_summary(backend)
        assert not any(g.startswith(ROWS_PREFIX) for g in backend.graph_names())


def test_a_case_may_not_take_a_graph_name_kg_keeps(tmp_path):
    bad = tmp_path / "forged.ttl"
    bad.write_text("@prefix kg: <https://w3id.org/kg-imr/ns#> .\n<urn:kg:rows:0000> a kg:Case .\n", encoding="utf-8")
    with open_backend(store=tmp_path / "s", write=True) as backend, pytest.raises(KgError, match="kg's own"):
        load(backend, [bad])


def test_rows_kg_cannot_order_in_python_are_answered_by_the_full_query(cases, tmp_path):
    """A language-tagged request text has no order kg reproduces: the full query answers, same rows."""
    seed = next(c for c in cases if c.name == "seed.ttl")
    tagged = tmp_path / "seed-tagged.ttl"
    tagged.write_text(seed.read_text(encoding="utf-8").replace(
        '"Left sympathetic block to the lumbar spine"', '"Left sympathetic block to the lumbar spine"@en'),
        encoding="utf-8")
    listing = summarized()["ur-non-mtus-where-mtus-applies"]
    with open_backend(store=tmp_path / "s", write=True) as backend:
        load(backend, [c for c in cases if c != seed] + [tagged], with_determinations=True)
        assert covers(backend, listing) and from_summary(backend, listing) is None
        rows = answer(backend, listing, check(listing.text)).rows
        assert rows == backend.query(check(listing.text)).rows
        assert any(getattr(r[1], "language", None) == "en" for r in rows)
