"""Query results as text: an aligned table, W3C CSV/TSV/JSON results, or RDF for graph results."""

from __future__ import annotations

import csv
import io
import json

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kg.namespaces import KG, KGC, KGSH, PROV, RDF, RDFS, SH, SKOS, XSD, G
from kg.store.base import Result
from kg.store.terms import nt

TABLE_FORMATS = ("table", "csv", "tsv", "json")
GRAPH_FORMATS = ("turtle", "json-ld", "nt")
FORMATS = TABLE_FORMATS + GRAPH_FORMATS
_PREFIXES = {"kg": str(KG._NS), "g": str(G), "kgc": str(KGC), "kgsh": str(KGSH), "rdf": str(RDF),
             "rdfs": str(RDFS), "xsd": str(XSD), "skos": str(SKOS), "sh": str(SH), "prov": str(PROV)}
_CELL = 80


def render(result: Result, fmt: str = "table") -> str:
    """The text for ``result`` in ``fmt``; graph results default to Turtle, tables to an aligned table."""
    if result.is_graph:
        graph = result.graph
        for prefix, ns in _PREFIXES.items():
            graph.bind(prefix, ns, override=True)
        rdf_format = {"nt": "nt", "json-ld": "json-ld"}.get(fmt, "turtle")
        return graph.serialize(format=rdf_format)
    if fmt == "json":
        return _json(result)
    if result.boolean is not None:
        return ("true" if result.boolean else "false") + "\n"
    if fmt == "csv":
        return _csv(result)
    if fmt == "tsv":
        return _tsv(result)
    return _table(result)


def compact(term: Node | None) -> str:
    """A short human form: prefixed names for kg's namespaces, the lexical form of literals."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        for prefix, ns in _PREFIXES.items():
            if str(term).startswith(ns) and len(str(term)) > len(ns):
                return f"{prefix}:{str(term)[len(ns):]}"
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def _table(result: Result) -> str:
    header = list(result.variables)
    cells = [[_clip(compact(t)) for t in row] for row in result.rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(lines) + "\n"


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _CELL else text[: _CELL - 1] + "…"


def _csv(result: Result) -> str:
    """SPARQL 1.1 Query Results CSV: plain values, CRLF line ends."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow(["" if t is None else (f"_:{t}" if isinstance(t, BNode) else str(t)) for t in row])
    return out.getvalue()


def _tsv(result: Result) -> str:
    """SPARQL 1.1 Query Results TSV: RDF terms in their SPARQL/N-Triples form."""
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    lines += ["\t".join("" if t is None else nt(t) for t in row) for row in result.rows]
    return "\n".join(lines) + "\n"


def _json(result: Result) -> str:
    """SPARQL 1.1 Query Results JSON."""
    if result.boolean is not None:
        return json.dumps({"head": {}, "boolean": result.boolean}, indent=2) + "\n"
    bindings = []
    for row in result.rows:
        bindings.append({v: _json_term(t) for v, t in zip(result.variables, row, strict=True) if t is not None})
    doc = {"head": {"vars": result.variables}, "results": {"bindings": bindings}}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _json_term(term: Node) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    assert isinstance(term, Literal)
    cell = {"type": "literal", "value": str(term)}
    if term.language:
        cell["xml:lang"] = term.language
    elif term.datatype is not None:
        cell["datatype"] = str(term.datatype)
    return cell
