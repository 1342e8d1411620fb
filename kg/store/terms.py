"""RDF terms shared by every backend: one normal form, so results compare equal across backends."""

from __future__ import annotations

import re

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kg.errors import KgError
from kg.namespaces import XSD

_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def check_iri(value: str) -> str:
    """An absolute IRI safe to write between angle brackets, or a KgError."""
    if not value or _IRI_FORBIDDEN.search(value) or ":" not in value:
        raise KgError(f"not an absolute IRI: {value!r}")
    return value


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\r", "\\r").replace("\t", "\\t"))


def nt(term: Node) -> str:
    """The N-Triples form of a term (also valid SPARQL): the only way kg writes a value into query text."""
    if isinstance(term, URIRef):
        return f"<{check_iri(str(term))}>"
    if isinstance(term, BNode):
        return f"_:{re.sub(r'[^A-Za-z0-9_]', '_', str(term))}"
    if isinstance(term, Literal):
        body = f'"{_escape(str(term))}"'
        if term.language:
            return f"{body}@{term.language}"
        if term.datatype is not None and term.datatype != XSD.string:
            return f"{body}^^<{check_iri(str(term.datatype))}>"
        return body
    raise KgError(f"cannot write RDF term {term!r}")


def literal(value: str, language: str | None = None, datatype: str | None = None) -> Literal:
    """A literal in kg's normal form: plain strings carry no datatype (xsd:string is implied)."""
    if language:
        return Literal(value, lang=language)
    if datatype and datatype != str(XSD.string):
        return Literal(value, datatype=URIRef(datatype))
    return Literal(value)


#: pyoxigraph term -> rdflib term. Results repeat terms (topics, labels, dates, counts), and building an
#: rdflib URIRef or typed Literal (checking it, casting it to a Python value) was most of a small query's
#: time in the store. Terms are immutable, so sharing them is safe; the cache is emptied when it grows large.
_CONVERTED: dict[object, Node] = {}
_CONVERTED_MAX = 200_000


def from_oxigraph(term: object) -> Node | None:
    """Convert a pyoxigraph term to rdflib in the normal form."""
    if term is None:
        return None
    done = _CONVERTED.get(term)
    if done is not None:
        return done
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        out: Node = URIRef(term.value)
    elif isinstance(term, ox.BlankNode):
        return BNode(term.value)  # not cached: a blank node's label means something only within one answer
    elif isinstance(term, ox.Literal):
        out = literal(term.value, term.language, term.datatype.value if term.datatype else None)
    else:
        raise KgError(f"unsupported RDF term from the store: {term!r}")
    if len(_CONVERTED) >= _CONVERTED_MAX:
        _CONVERTED.clear()
    _CONVERTED[term] = out
    return out


def to_oxigraph(term: Node) -> object:
    """Convert an rdflib term to pyoxigraph."""
    import pyoxigraph as ox

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(re.sub(r"[^A-Za-z0-9_]", "_", str(term)))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise KgError(f"cannot store RDF term {term!r}")


def normal(term: Node | None) -> Node | None:
    """Normalise an rdflib term from rdflib's own query engine (lexical form kept as written)."""
    if isinstance(term, Literal):
        return literal(str(term), term.language, str(term.datatype) if term.datatype else None)
    return term


def from_json(cell: dict | None) -> Node | None:
    """A term from a W3C SPARQL 1.1 JSON results binding."""
    if cell is None:
        return None
    kind = cell.get("type")
    value = cell.get("value", "")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind in ("literal", "typed-literal"):
        return literal(value, cell.get("xml:lang"), cell.get("datatype"))
    raise KgError(f"unknown term type {kind!r} in SPARQL JSON results")
