"""Precomputed counts for the aggregate named queries, so they stay fast at 100,000 cases.

Why: an aggregate such as ``outcomes-by-topic`` touches every case; at 10,000 cases it took
seconds in the store. A named query whose header says ``# summary: N`` (its first N selected
variables are the GROUP BY keys, the rest additive counts) is also answered from summary rows:

* at load time (kg.store.load, every backend that can be read back) the query's own text is run
  over the cases being written, in a scratch in-memory pyoxigraph store with the guideline graph,
  and its rows become ``kg:SummaryRow`` nodes (``kg:summaryOf`` the query name, ``kg:summaryKey1..``,
  ``kg:summaryCount1..``). A case being replaced is read back and its old rows are subtracted, so
  a reload keeps the counts exact. The summary graph ``urn:kg:summary`` (the current rows plus
  this load's, one row per group) is rewritten in the same transaction as the cases.
* at query time (``plan``) a backend holding a summary answers ``SUM`` of those rows grouped by
  the keys; one without (an old store, or one written through an endpoint) runs the query itself.
  Both give the same rows: counts are additive because every determination, request and UR
  decision belongs to one case graph.

A summary is kept only while it covers every case: a store that already held cases without a
summary gets none, and a load with a different guideline graph drops it (labels come from there).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from functools import cache

from rdflib import BNode, Graph, Literal, URIRef

from kg.namespaces import KG, RDF, XSD
from kg.store.base import GUIDELINES_GRAPH, SHAPES_GRAPH, Backend
from kg.store.named import NamedQuery, named_queries
from kg.store.sparql import CheckedQuery, check
from kg.store.terms import check_iri, from_oxigraph, nt, to_oxigraph

#: The named graph holding the summary rows (rewritten by every load, in the same transaction).
SUMMARY_GRAPH = "urn:kg:summary"
_NS = str(KG._NS)
_KEYS = [KG.summaryKey1, KG.summaryKey2, KG.summaryKey3, KG.summaryKey4]
_COUNTS = [KG.summaryCount1, KG.summaryCount2, KG.summaryCount3]
_HAS_SUMMARY = f"ASK {{ GRAPH <{SUMMARY_GRAPH}> {{ <{SUMMARY_GRAPH}> a <{_NS}Summary> }} }}"


def summarized() -> dict[str, NamedQuery]:
    """The named queries that declare a summary."""
    return {name: q for name, q in named_queries().items() if q.summary_keys}


def has_summary(backend: Backend) -> bool:
    """Whether the backend holds a summary (then it covers every case in it)."""
    return bool(backend.query(check(_HAS_SUMMARY, source="summary check")).boolean)


@cache
def _variables(name: str) -> tuple[str, ...]:
    from rdflib.plugins.sparql import prepareQuery

    return tuple(str(v) for v in prepareQuery(named_queries()[name].text).algebra["PV"])


def summary_query(named: NamedQuery) -> CheckedQuery:
    """The query that answers ``named`` from summary rows: same variables, same order, same rows."""
    names = _variables(named.name)
    keys, counts = names[:named.summary_keys], names[named.summary_keys:]
    pattern = [f'?row <{_NS}summaryOf> "{named.name}"']
    pattern += [f"<{_KEYS[i]}> ?{k}" for i, k in enumerate(keys)]
    pattern += [f"<{_COUNTS[i]}> ?summaryCount{i}" for i in range(len(counts))]
    select = " ".join(f"?{k}" for k in keys) + " " + " ".join(
        f"(SUM(?summaryCount{i}) AS ?{c})" for i, c in enumerate(counts))
    group = " ".join(f"?{k}" for k in keys)
    text = (f"SELECT {select}\nWHERE {{ GRAPH <{SUMMARY_GRAPH}> {{ {' ; '.join(pattern)} . }} }}\n"
            f"GROUP BY {group}\nHAVING (SUM(?summaryCount0) > 0)\nORDER BY {group}\n")
    return check(text, source=f"query {named.name} (summary)")


def plan(backend: Backend, named: NamedQuery | None, checked: CheckedQuery) -> CheckedQuery:
    """The query to run: the summary form when ``named`` has one and the backend holds a summary."""
    if named is None or not named.summary_keys or not has_summary(backend):
        return checked
    return summary_query(named)


_DIGESTS: dict[int, tuple[Graph, int, str]] = {}


def guidelines_digest(guidelines: Graph) -> str:
    """A digest of the guideline graph's content (blank nodes counted, not named: their ids vary).

    Cached per graph object and size: the bundled graph is the same on every load of a process.
    """
    cached = _DIGESTS.get(id(guidelines))
    if cached is not None and cached[0] is guidelines and cached[1] == len(guidelines):
        return cached[2]
    lines = sorted(" ".join(nt(t) if not isinstance(t, BNode) else "_" for t in triple) for triple in guidelines)
    digest = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
    _DIGESTS[id(guidelines)] = (guidelines, len(guidelines), digest)  # the graph is kept, so its id is not reused
    return digest


def delta(backend: Backend, graphs: dict[str, Graph], guidelines: Graph) -> dict[str, Graph]:
    """The new summary graph to write with ``graphs`` so the summary stays exact (or nothing).

    Reads the backend (the current summary, the old version of each case being replaced); writes nothing.
    """
    if not backend.keeps_summary:
        return {}
    queries = summarized()
    digest = guidelines_digest(guidelines)
    state = _state(backend)
    if state is None and _has_cases(backend):
        return {}  # cases loaded before summaries existed: keep answering from the full queries
    if state is not None and state != digest:  # other guidelines: drop the summary
        return {SUMMARY_GRAPH: Graph()}
    cases = {n: g for n, g in graphs.items() if n not in (GUIDELINES_GRAPH, SHAPES_GRAPH, SUMMARY_GRAPH)}
    totals: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(_COUNTS))
    _add(totals, queries, cases, guidelines, +1)
    replaced = backend.existing_graphs(list(cases))
    if replaced:
        _add(totals, queries, _read_graphs(backend, replaced), guidelines, -1)
    if state is not None and not any(any(c) for c in totals.values()):
        return {}  # nothing changes
    if state is not None:
        _read_summary(backend, totals)
    out = Graph()
    node = URIRef(SUMMARY_GRAPH)
    out.add((node, RDF.type, KG.Summary))
    out.add((node, KG.summaryGuidelines, Literal(digest)))
    for (query, *keys), counts in sorted(totals.items(), key=lambda item: repr(item[0])):
        if not any(counts):
            continue
        row = BNode()
        out.add((row, RDF.type, KG.SummaryRow))
        out.add((row, KG.summaryOf, Literal(query)))
        for i, key in enumerate(keys):
            out.add((row, _KEYS[i], key))
        for i in range(len(_variables(query)) - len(keys)):
            out.add((row, _COUNTS[i], Literal(str(counts[i]), datatype=XSD.integer)))
    return {SUMMARY_GRAPH: out}


def _state(backend: Backend) -> str | None:
    """The guideline digest the backend's summary was computed with, or None when it has none."""
    text = f"SELECT ?d WHERE {{ GRAPH <{SUMMARY_GRAPH}> {{ <{SUMMARY_GRAPH}> <{_NS}summaryGuidelines> ?d }} }}"
    rows = backend.query(check(text, source="summary check")).rows
    return str(rows[0][0]) if rows else None


def _read_summary(backend: Backend, totals: dict[tuple, list[int]]) -> None:
    """Add the rows of the backend's current summary to ``totals``."""
    keys = " ".join(f"OPTIONAL {{ ?r <{_KEYS[i]}> ?k{i} }}" for i in range(len(_KEYS)))
    counts = " ".join(f"OPTIONAL {{ ?r <{_COUNTS[i]}> ?c{i} }}" for i in range(len(_COUNTS)))
    variables = [f"?k{i}" for i in range(len(_KEYS))] + [f"?c{i}" for i in range(len(_COUNTS))]
    text = (f"SELECT ?q {' '.join(variables)}"
            f" WHERE {{ GRAPH <{SUMMARY_GRAPH}> {{ ?r <{_NS}summaryOf> ?q . {keys} {counts} }} }}")
    for row in backend.query(check(text, source="summary read")).rows:
        name = str(row[0])
        query = named_queries().get(name)
        if query is None or not query.summary_keys:
            continue
        slot = totals[(name, *row[1:1 + query.summary_keys])]
        for i, count in enumerate(row[1 + len(_KEYS):]):
            if count is not None:
                slot[i] += int(count.toPython())


def _has_cases(backend: Backend) -> bool:
    return bool(backend.query(check(f"ASK {{ ?c a <{_NS}Case> }}", source="summary check")).boolean)


def _read_graphs(backend: Backend, names: list[str]) -> dict[str, Graph]:
    values = " ".join(f"<{check_iri(n)}>" for n in names)
    text = f"SELECT ?g ?s ?p ?o WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
    out: dict[str, Graph] = {n: Graph() for n in names}
    for g, s, p, o in backend.query(check(text, source="summary read")).rows:
        out[str(g)].add((s, p, o))
    return out


def _add(totals: dict[tuple, list[int]], queries: dict[str, NamedQuery], cases: dict[str, Graph],
         guidelines: Graph, sign: int) -> None:
    """Run each summarized query over ``cases`` plus the guidelines; add its rows times ``sign``."""
    if not cases:
        return
    import pyoxigraph as ox

    scratch = ox.Store()
    scratch.extend(_quads(GUIDELINES_GRAPH, guidelines))
    for name, graph in cases.items():
        scratch.extend(_quads(name, graph))
    for name, query in queries.items():
        for solution in scratch.query(query.text, use_default_graph_as_union=True):
            values = [from_oxigraph(solution[i]) for i in range(len(_variables(name)))]
            keys, counts = values[:query.summary_keys], values[query.summary_keys:]
            if any(k is None for k in keys):
                raise ValueError(f"named query {name}: a summary key is unbound; it cannot be summarized")
            slot = totals[(name, *keys)]
            for i, count in enumerate(counts):
                slot[i] += sign * int(count.toPython()) if count is not None else 0


def _quads(graph_name: str, graph: Graph) -> list:
    """``graph`` as pyoxigraph quads in ``graph_name``; blank nodes fresh per graph, so two cases never share one."""
    import pyoxigraph as ox

    gn = ox.NamedNode(graph_name)
    blanks: dict[BNode, object] = {}

    def term(t: object) -> object:
        if isinstance(t, BNode):
            if t not in blanks:
                blanks[t] = ox.BlankNode()
            return blanks[t]
        return to_oxigraph(t)  # type: ignore[arg-type]

    return [ox.Quad(term(s), term(p), term(o), gn) for s, p, o in graph]
