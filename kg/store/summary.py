"""Rows precomputed at load time, so the aggregate and listing named queries stay fast at 100,000 cases.

Why: an aggregate such as ``outcomes-by-topic`` or a listing such as ``cases-with-conflicts``
touches every case; at 100,000 cases the listings took 10-18 s in the store. A named query whose
header says ``# summary: N`` (an aggregate: its first N selected variables are the GROUP BY keys,
the rest additive counts) or ``# summary: rows`` (a listing: one row per request) is also answered
from rows computed when the cases are loaded:

* at load time (kg.store.load, every backend that can be read back) the query's own text is run
  over the cases being written, in a scratch in-memory pyoxigraph store with the guideline graph.
  Rows are kept as JSON text in a few literals, the predicate ``urn:kg:row:<query name>``, so one
  triple pattern reads a query's rows (a node per row with a property per column cost a join per
  column, 16 ms for 200 rows; a literal per row, a store lookup per row, 16 us each). An
  aggregate's groups are one literal in the graph ``urn:kg:summary``: a case being replaced is read
  back and its old counts subtracted, and the graph (current rows plus this load's) is rewritten in
  the same transaction as the cases. A listing's rows for the cases of one load are one literal per
  query, JSON ``{case graph: [rows]}``, in a new graph ``urn:kg:rows:<digest of its case names>``
  that also links (``urn:kg:rows-for``) each case with rows; when a case is replaced, the rows
  graphs holding its rows are rewritten without them, in the same transaction, so its old rows go
  exactly.
* at query time (``answer``) a backend whose summary covers the query (``kg:summarizes`` names the
  query and a digest of its text) answers from those rows, sorted in Python in the query's own
  order; one without (an old store, one written through an endpoint, one whose summary predates
  the query's text) runs the query itself. Both give the same rows: counts are additive because
  every determination, request and UR decision belongs to one case graph, and a listing row
  belongs to the request (of one case) it is about.

A summary is kept only while it covers every case: a store that already held cases without a
summary gets none, and a load with a different guideline graph (a different digest) drops it,
listing rows included (labels, editions in force and topics covered come from there).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg.namespaces import KG, RDF, XSD
from kg.store.base import GUIDELINES_GRAPH, SHAPES_GRAPH, Backend, Result
from kg.store.named import NamedQuery, named_queries
from kg.store.sparql import SELECT, CheckedQuery, QueryError, _strip, check
from kg.store.terms import check_iri, from_oxigraph, literal, nt, to_oxigraph

#: The named graph holding the aggregate rows and the summary's state (rewritten by a load, same transaction).
SUMMARY_GRAPH = "urn:kg:summary"
#: Each load's listing rows live in a graph of their own, ROWS_PREFIX + a digest of its case graphs' names.
ROWS_PREFIX = "urn:kg:rows:"
#: Graph names kg keeps for itself: a case may not be loaded under one of these.
RESERVED_PREFIX = "urn:kg:"
_NS = str(KG._NS)
_COUNTS = 3  # at most this many counts per aggregate row
#: Scratch-store only (never written): links each request to the case graph it came from.
_ROW_GRAPH = "urn:kg:scratch:row-graph"


def summarized() -> dict[str, NamedQuery]:
    """The named queries that can be answered from precomputed rows (aggregates and listings)."""
    return {name: q for name, q in named_queries().items() if q.summarized}


#: Bumped when the form of the rows changes, so a summary written in another form is not read.
_FORMAT = "5"


def version(named: NamedQuery) -> str:
    """What ``kg:summarizes`` records for a query: its name and a digest of its text (and the row form)."""
    return f"{named.name}@{hashlib.sha256((_FORMAT + named.text).encode('utf-8')).hexdigest()[:16]}"


@cache
def _covers_query(name: str) -> CheckedQuery:
    text = (f"ASK {{ GRAPH <{SUMMARY_GRAPH}> {{ <{SUMMARY_GRAPH}> <{_NS}summarizes> "
            f"\"{version(named_queries()[name])}\" }} }}")
    return check(text, source="summary check")


def covers(backend: Backend, named: NamedQuery) -> bool:
    """Whether the backend's summary answers ``named`` (one ASK, about a millisecond in a store)."""
    return bool(backend.query(_covers_query(named.name)).boolean)


def has_summary(backend: Backend) -> bool:
    """Whether the backend holds a summary covering every summarized query (then it covers every case)."""
    state = _state(backend)
    return state is not None and {version(q) for q in summarized().values()} <= state.covered


@cache
def _variables(name: str) -> tuple[str, ...]:
    from rdflib.plugins.sparql import prepareQuery

    return tuple(str(v) for v in prepareQuery(named_queries()[name].text).algebra["PV"])


def _order(named: NamedQuery, names: tuple[str, ...]) -> str:
    """The listing's own ORDER BY, which must name every selected variable (so ties cannot differ)."""
    found = re.search(r"ORDER\s+BY\s+((?:\?\w+\s*)+)\s*$", _strip(named.text), re.IGNORECASE)
    order = found.group(1).split() if found else []
    if sorted(v.lstrip("?") for v in order) != sorted(names):
        raise QueryError(f"named query {named.name}: a listing with `# summary: rows` must end with ORDER BY "
                         "every selected variable", path=str(named.path))
    return " ".join(order)


def answer(backend: Backend, named: NamedQuery | None, checked: CheckedQuery) -> Result:
    """Answer ``checked`` (the text of ``named``, parameters bound): from precomputed rows when it can.

    What ``kg query NAME`` runs. Precomputed rows are read in one pattern (a few JSON literals),
    decoded, and put in the query's own order in Python, by sort keys made at load time: that
    order is SPARQL's for the values met here (IRIs, plain strings, xsd:date, unbound); an answer
    holding anything else is given by the full query instead. Same rows, same order, either way.
    """
    found = from_summary(backend, named) if named is not None and named.summarized else None
    return found if found is not None else backend.query(checked)


def from_summary(backend: Backend, named: NamedQuery) -> Result | None:
    """The answer of ``named`` from the backend's precomputed rows, or None when they cannot give it."""
    if not covers(backend, named):
        return None
    order = _order_of(named)
    first_count = named.summary_keys
    keyed: list[tuple[tuple, tuple]] = []
    for (data,) in backend.query(_data_query(named.name)).rows:
        block = json.loads(str(data))
        terms = [_term(cell) for cell in block["t"]]
        keys = [_cell_key(cell) for cell in block["t"]]
        groups = block["c"].values() if named.summary_rows else [block["r"]]
        for rows in groups:
            for r in rows:
                if first_count and int(block["t"][r[first_count]][1]) <= 0:
                    continue  # HAVING (SUM(first count) > 0)
                key = tuple(keys[r[i]] for i in order)
                if None in key:
                    return None  # a value whose order kg does not reproduce: let the engine order it
                keyed.append((key, tuple(terms[i] for i in r)))
    keyed.sort(key=_first)
    return Result(form=SELECT, variables=list(_variables(named.name)), rows=[row for _, row in keyed])


def _first(pair: tuple) -> tuple:
    return pair[0]


def _cell_key(cell: list | None) -> tuple | None:
    """SPARQL 1.1 ORDER BY for unbound, IRIs, plain strings and xsd:date values (same form, no time zone).

    None for any other value: the engine orders answers holding one.
    """
    if cell is None:
        return (0, 0, "")
    if cell[0] == "u":
        return (2, 0, cell[1])
    if cell[0] == "l" and not cell[2]:
        if not cell[3]:
            return (3, 0, cell[1])
        if cell[3] == _XSD_DATE and _DATE.match(cell[1]):
            return (3, 1, cell[1])
    return None


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_XSD_DATE = str(XSD.date)


#: Precomputed rows are triples: subject the graph holding them, predicate ROW_PREDICATE + the query's
#: name, object JSON text (all of an aggregate's groups; a load's listing rows, by case). One pattern
#: reads a query's rows, in a few literals rather than one per row (a long literal costs a lookup).
ROW_PREDICATE = "urn:kg:row:"
#: In a listing rows graph: the case graphs whose rows it holds (to find them when a case is replaced).
ROWS_FOR = "urn:kg:rows-for"


@cache
def _data_query(name: str) -> CheckedQuery:
    named = named_queries()[name]
    if named.summary_rows:  # no FILTER on ?g: kg load refuses urn:kg: predicates in case data
        text = f"SELECT ?d WHERE {{ GRAPH ?kgRows {{ ?kgRows <{ROW_PREDICATE}{name}> ?d }} }}"
    else:
        text = f"SELECT ?d WHERE {{ GRAPH <{SUMMARY_GRAPH}> {{ <{SUMMARY_GRAPH}> <{ROW_PREDICATE}{name}> ?d }} }}"
    return check(text, source=f"query {name} (summary)")


def _cell(v: Node | None) -> list | None:
    """A value as JSON-ready data: ["u", iri] | ["b", label] | ["l", text, language, datatype] | null."""
    if v is None:
        return None
    if isinstance(v, URIRef):
        return ["u", str(v)]
    if isinstance(v, BNode):
        return ["b", str(v)]
    if isinstance(v, Literal):
        return ["l", str(v), v.language or "", str(v.datatype) if v.datatype else ""]
    raise ValueError(f"cannot keep {v!r} in a summary row")


class _Table:
    """Rows written as indexes into one table of distinct values, so a block decodes quickly."""

    def __init__(self, cells: list | None = None) -> None:
        self.cells: list = list(cells or [])
        self._index: dict[str, int] = {json.dumps(c): i for i, c in enumerate(self.cells)}

    def row(self, values: list[Node | None] | tuple[Node | None, ...]) -> list[int]:
        out = []
        for v in values:
            cell = _cell(v)
            text = json.dumps(cell)
            i = self._index.get(text)
            if i is None:
                i = self._index[text] = len(self.cells)
                self.cells.append(cell)
            out.append(i)
        return out


_DECODED: dict[tuple, Node] = {}


def _term(cell: list | None) -> Node | None:
    """A cell written by ``_cell`` as a term in kg's normal form (repeated terms built once)."""
    if cell is None:
        return None
    key = tuple(cell)
    term = _DECODED.get(key)
    if term is None:
        kind = cell[0]
        if kind == "u":
            term = URIRef(cell[1])
        elif kind == "b":
            term = BNode(cell[1])
        else:
            term = literal(cell[1], cell[2] or None, cell[3] or None)
        if len(_DECODED) > 200_000:
            _DECODED.clear()
        _DECODED[key] = term
    return term


def decode_row(cells: list, row: list[int]) -> tuple[Node | None, ...]:
    """The values of a row written through ``_Table``."""
    return tuple(_term(cells[i]) for i in row)


def _order_of(named: NamedQuery) -> list[int]:
    """Positions of the columns a query's answer is sorted by (an aggregate: its group keys)."""
    names = _variables(named.name)
    if named.summary_keys:
        return list(range(named.summary_keys))
    return [names.index(v.lstrip("?")) for v in _order(named, names).split()]


def row_form(named: NamedQuery) -> str:
    """The listing as run at load time: the same query, also selecting the case graph of each row's ``?req``."""
    blank = _strip(named.text)
    where = re.search(r"(?<![:\w?$])WHERE\s*\{", blank, re.IGNORECASE)
    select = re.search(r"(?<![:\w?$])SELECT\b", blank, re.IGNORECASE)
    if where is None or select is None or "?req" not in blank[where.end():]:
        raise QueryError(f"named query {named.name}: a listing with `# summary: rows` must be a SELECT that "
                         "binds ?req (kg:hasRequest)", path=str(named.path))
    text = named.text
    text = text[:where.end()] + f" ?req <{_ROW_GRAPH}> ?kgRowGraph . " + text[where.end():]
    return text[:select.end()] + " ?kgRowGraph" + text[select.end():]


_DIGESTS: dict[int, tuple[Graph, int, str]] = {}


def guidelines_digest(guidelines: Graph) -> str:
    """A digest of the guideline graph's content, equal for isomorphic graphs.

    Cached per graph object and size: the bundled graph is the same on every load of a process.
    The bundled graph has no blank nodes; one that has them is canonicalised first (slower, exact).
    """
    cached = _DIGESTS.get(id(guidelines))
    if cached is not None and cached[0] is guidelines and cached[1] == len(guidelines):
        return cached[2]
    graph = guidelines
    if any(isinstance(t, BNode) for triple in guidelines for t in triple):
        from rdflib.compare import to_canonical_graph

        graph = to_canonical_graph(guidelines)
    lines = sorted(" ".join(nt(t) for t in triple) for triple in graph)
    digest = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
    _DIGESTS[id(guidelines)] = (guidelines, len(guidelines), digest)  # the graph is kept, so its id is not reused
    return digest


@dataclass(frozen=True)
class _State:
    digest: str
    covered: frozenset[str]


def delta(backend: Backend, graphs: dict[str, Graph], guidelines: Graph) -> dict[str, Graph]:
    """The summary graphs to write with ``graphs`` so the summary stays exact (or to drop it).

    Reads the backend (the summary's state and rows, the old version of each case being replaced);
    writes nothing. Returns the new ``urn:kg:summary`` graph when it changes, a new listing rows
    graph for this load's cases, and the older rows graphs that held rows of a replaced case,
    rewritten without them (empty: dropped).
    """
    if not backend.keeps_summary:
        return {}
    cases = {n: g for n, g in graphs.items() if n not in (GUIDELINES_GRAPH, SHAPES_GRAPH)}
    digest = guidelines_digest(guidelines)
    state = _state(backend)
    held = _has_cases(backend)
    if state is None and held:
        return {}  # cases loaded before summaries existed: keep answering from the full queries
    if state is not None and state.digest != digest:  # other guidelines: drop the summary and every row
        return {SUMMARY_GRAPH: Graph()} | {g: Graph() for g in _rows_graphs(backend)}
    current = {version(q): q for q in summarized().values()}
    covered = set(current) if state is None or not held else set(current) & state.covered
    queries = {q.name: q for v, q in current.items() if v in covered}
    aggregates = {n: q for n, q in queries.items() if q.summary_keys}
    listings = {n: q for n, q in queries.items() if q.summary_rows}

    totals: dict[tuple, list[int]] = defaultdict(lambda: [0] * _COUNTS)
    out: dict[str, Graph] = {}
    replaced = backend.existing_graphs(list(cases)) if held else []
    if replaced:
        out.update(_without(backend, replaced))
    if cases:
        scratch = _scratch(cases, guidelines)
        _add(totals, aggregates, scratch, +1)
        for name, graph in _rows(listings, scratch, cases).items():
            if len(out.get(name, ())):
                raise ValueError(f"rows graph {name} would replace rows of cases this load does not hold")
            out[name] = graph
    if replaced and aggregates:
        _add(totals, aggregates, _scratch(_read_graphs(backend, replaced), guidelines), -1)
    unchanged = state is not None and state.covered == frozenset(covered) and state.digest == digest
    if unchanged and not any(any(c) for c in totals.values()):
        return out  # the aggregate counts do not change
    if state is not None and held:
        _read_summary(backend, totals, aggregates)
    summary = Graph()
    node = URIRef(SUMMARY_GRAPH)
    summary.add((node, RDF.type, KG.Summary))
    summary.add((node, KG.summaryGuidelines, Literal(digest)))
    for v in sorted(covered):
        summary.add((node, KG.summarizes, Literal(v)))
    tables: dict[str, _Table] = defaultdict(_Table)
    rows: dict[str, list] = defaultdict(list)
    for (query, *keys), counts in sorted(totals.items(), key=lambda item: repr(item[0])):
        if not any(counts):
            continue
        width = len(_variables(query)) - len(keys)
        values = [*keys, *(Literal(str(c), datatype=XSD.integer) for c in counts[:width])]
        rows[query].append(tables[query].row(values))
    for query, table in tables.items():
        summary.add((node, URIRef(ROW_PREDICATE + query), Literal(_json({"t": table.cells, "r": rows[query]}))))
    out[SUMMARY_GRAPH] = summary
    return out


def _json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _without(backend: Backend, replaced: list[str]) -> dict[str, Graph]:
    """The listing rows graphs holding rows of ``replaced`` cases, rewritten without them (empty: dropped)."""
    values = " ".join(f"<{check_iri(n)}>" for n in replaced)
    text = (f"SELECT DISTINCT ?g WHERE {{ VALUES ?c {{ {values} }} GRAPH ?g {{ ?g <{ROWS_FOR}> ?c }} }}")
    gone = set(replaced)
    out: dict[str, Graph] = {}
    for (name,) in backend.query(check(text, source="summary read")).rows:
        node = URIRef(str(name))
        read = check(f"SELECT ?p ?o WHERE {{ GRAPH <{check_iri(str(name))}> {{ <{name}> ?p ?o }} }}",
                     source="summary read")
        graph = Graph()
        for p, o in backend.query(read).rows:
            if str(p) == ROWS_FOR:
                if str(o) not in gone:
                    graph.add((node, p, o))
                continue
            block = json.loads(str(o))
            block["c"] = {case: rows for case, rows in block["c"].items() if case not in gone}
            if block["c"]:
                graph.add((node, p, Literal(_json(block))))
        keeps_rows = any(str(p) != ROWS_FOR for p in graph.predicates(node, None))
        out[str(name)] = graph if keeps_rows else Graph()
    return out


def _state(backend: Backend) -> _State | None:
    """The guideline digest and covered queries of the backend's summary, or None when it has none."""
    rows = backend.query(_state_query()).rows
    digests = {str(r[0]) for r in rows}
    if len(digests) != 1:
        return None
    return _State(digests.pop(), frozenset(str(r[1]) for r in rows if r[1] is not None))


@cache
def _state_query() -> CheckedQuery:
    return check(f"SELECT ?d ?v WHERE {{ GRAPH <{SUMMARY_GRAPH}> {{ <{SUMMARY_GRAPH}> <{_NS}summaryGuidelines> ?d "
                 f"OPTIONAL {{ <{SUMMARY_GRAPH}> <{_NS}summarizes> ?v }} }} }}", source="summary check")


def _rows_graphs(backend: Backend) -> list[str]:
    text = f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?g <{ROWS_FOR}> ?c }} }}"
    return [str(r[0]) for r in backend.query(check(text, source="summary read")).rows]


def _read_summary(backend: Backend, totals: dict[tuple, list[int]], aggregates: dict[str, NamedQuery]) -> None:
    """Add the rows of the backend's current summary to ``totals`` (queries no longer kept are left out)."""
    for name, query in aggregates.items():
        for (data,) in backend.query(_data_query(name)).rows:
            block = json.loads(str(data))
            for encoded in block["r"]:
                row = decode_row(block["t"], encoded)
                slot = totals[(name, *row[:query.summary_keys])]
                for i, count in enumerate(row[query.summary_keys:]):
                    slot[i] += int(count.toPython())


def _has_cases(backend: Backend) -> bool:
    return bool(backend.query(_cases_held()).boolean)


@cache
def _cases_held() -> CheckedQuery:
    return check(f"ASK {{ ?c a <{_NS}Case> }}", source="summary check")


def _read_graphs(backend: Backend, names: list[str]) -> dict[str, Graph]:
    values = " ".join(f"<{check_iri(n)}>" for n in names)
    text = f"SELECT ?g ?s ?p ?o WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
    out: dict[str, Graph] = {n: Graph() for n in names}
    for g, s, p, o in backend.query(check(text, source="summary read")).rows:
        out[str(g)].add((s, p, o))
    return out


def _scratch(cases: dict[str, Graph], guidelines: Graph) -> object:
    """An in-memory pyoxigraph store with the guidelines and ``cases``, each request linked to its case graph."""
    import pyoxigraph as ox

    scratch = ox.Store()
    scratch.extend(_quads(GUIDELINES_GRAPH, guidelines))
    link = ox.NamedNode(_ROW_GRAPH)
    for name, graph in cases.items():
        quads = _quads(name, graph)
        scratch.extend(quads)
        gn = ox.NamedNode(name)
        has_request = ox.NamedNode(str(KG.hasRequest))
        scratch.extend([ox.Quad(q.object, link, ox.Literal(name), gn) for q in quads
                        if q.predicate == has_request and not isinstance(q.object, ox.Literal)])
    return scratch


def _add(totals: dict[tuple, list[int]], queries: dict[str, NamedQuery], scratch: object, sign: int) -> None:
    """Run each aggregate over the scratch store; add its rows times ``sign``."""
    for name, query in queries.items():
        for solution in scratch.query(query.text, use_default_graph_as_union=True):  # type: ignore[attr-defined]
            values = [from_oxigraph(solution[i]) for i in range(len(_variables(name)))]
            keys, counts = values[:query.summary_keys], values[query.summary_keys:]
            if any(k is None for k in keys):
                raise ValueError(f"named query {name}: a summary key is unbound; it cannot be summarized")
            slot = totals[(name, *keys)]
            for i, count in enumerate(counts):
                slot[i] += sign * int(count.toPython()) if count is not None else 0


def _rows(queries: dict[str, NamedQuery], scratch: object, cases: dict[str, Graph]) -> dict[str, Graph]:
    """Each listing's rows over the scratch store, in one new rows graph for this load.

    The graph holds, per query, one literal: JSON {case graph: [row, ...]} (rows keep their
    multiplicity), and a ``urn:kg:rows-for`` link to each case graph with rows.
    """
    blocks: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    tables: dict[str, _Table] = defaultdict(_Table)
    for name in queries:
        width = len(_variables(name))
        for solution in scratch.query(row_form(queries[name]), use_default_graph_as_union=True):  # type: ignore[attr-defined]
            case = solution[0].value
            if case in cases:
                blocks[name][case].append(tables[name].row([from_oxigraph(solution[i + 1]) for i in range(width)]))
    if not blocks:
        return {}
    # named by the cases it was made for: the same load gives the same graph (an older graph for
    # exactly these cases holds only cases this load replaces, so it is rewritten empty: no clash)
    name = ROWS_PREFIX + hashlib.sha256("\n".join(sorted(cases)).encode("utf-8")).hexdigest()[:32]
    node = URIRef(name)
    graph = Graph()
    for query, by_case in blocks.items():
        graph.add((node, URIRef(ROW_PREDICATE + query), Literal(_json({"t": tables[query].cells, "c": by_case}))))
        for case in by_case:
            graph.add((node, URIRef(ROWS_FOR), URIRef(case)))
    return {name: graph}


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
