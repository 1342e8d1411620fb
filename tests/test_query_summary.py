"""Precomputed summaries (kg.store.summary) give exactly what the aggregate queries give by scanning.

Each aggregate named query is run twice on the same backend, once from the summary rows and once
as written, after a first load, after a reload that changes a case, and in a store that had cases
before summaries existed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from kg.knowledge import bundled_knowledge
from kg.store import open_backend, run_query
from kg.store.load import load, prepare
from kg.store.sparql import check
from kg.store.summary import SUMMARY_GRAPH, delta, has_summary, summarized, summary_query


@pytest.fixture(scope="module")
def cases(repo_root) -> list[Path]:
    return sorted((repo_root / "cases").glob("*.ttl"))


def both(backend, name: str) -> tuple[list, list]:
    """(rows from the summary, rows from the query itself) on one backend."""
    query = summarized()[name]
    return backend.query(summary_query(query)).rows, backend.query(check(query.text)).rows


def test_the_aggregates_declare_a_summary():
    assert {"outcomes-by-topic", "imr-agreement-by-topic", "outcomes-by-document", "outcomes-by-reviewer-specialty",
            "recorded-imr-by-topic", "ur-citations-by-guideline"} <= set(summarized())


@pytest.mark.parametrize("kind", ["memory", "store"])
def test_summary_equals_the_full_query_after_load_and_reload(kind, cases, tmp_path):
    seed = next(c for c in cases if c.name == "seed.ttl")
    edited = tmp_path / "seed-overturned.ttl"  # the same case IRI: a reload that changes its counts
    text = seed.read_text(encoding="utf-8")
    edited.write_text(text.replace("kg:imrOutcome kg:Upheld", "kg:imrOutcome kg:Overturned"), encoding="utf-8")
    with open_backend(store=tmp_path / "s" if kind == "store" else None, write=True) as backend:
        load(backend, cases, with_determinations=True)
        assert has_summary(backend)
        first = {name: both(backend, name) for name in summarized()}
        for name, (summary, full) in first.items():
            assert summary == full, name
        assert first["outcomes-by-topic"][1] and first["imr-agreement-by-topic"][1]
        load(backend, [edited], with_determinations=True)
        for name in summarized():
            summary, full = both(backend, name)
            assert summary == full, name
        # the reload really changed the answer, and the summary followed it (old rows subtracted)
        assert both(backend, "recorded-imr-by-topic")[1] != first["recorded-imr-by-topic"][1]
        load(backend, [seed], with_determinations=True)  # back again: the first answers exactly
        assert {name: both(backend, name)[0] for name in summarized()} == {n: v[0] for n, v in first.items()}


def test_a_store_with_cases_but_no_summary_answers_the_same_without_one(cases, tmp_path):
    """An old store (cases written before summaries) gets no partial summary: the full queries answer."""
    path = tmp_path / "old"
    graphs, _ = prepare(cases[:1], with_determinations=True)
    with open_backend(store=path, write=True) as backend:
        backend.replace_graphs(graphs)  # what an older kg wrote: no summary
        load(backend, cases[1:], with_determinations=True)
        assert not has_summary(backend)
    for name in summarized():
        assert run_query(name, store=path).rows == run_query(name, cases, with_determinations=True).rows, name


def test_other_guidelines_drop_the_summary(cases, tmp_path):
    with open_backend(store=tmp_path / "s", write=True) as backend:
        load(backend, cases[:1])
        changed = Graph()
        for triple in bundled_knowledge().guidelines:
            changed.add(triple)
        changed.add((URIRef("https://w3id.org/kg-imr/guideline/ODG"), RDFS.label, Literal("renamed")))
        graphs, _ = prepare(cases[1:])
        extra = delta(backend, graphs, changed)
        assert list(extra) == [SUMMARY_GRAPH] and len(extra[SUMMARY_GRAPH]) == 0
        backend.replace_graphs(graphs | extra)
        assert not has_summary(backend)
