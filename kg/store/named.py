"""The library of named queries shipped in kg/queries/*.rq, each with a header of typed parameters.

Header lines at the top of a .rq file::

    # description: What the query answers, in one line.
    # param: topic topic The treatment topic (IRI, g:LocalName or a label)
    # requires: determinations
    # summary: 2

``summary: N`` says the query is an aggregate whose first N selected variables are its GROUP BY keys
and the rest additive counts; ``summary: rows`` says it is a listing with one row per request (it
binds ``?req`` with ``kg:hasRequest`` and orders by every selected variable). Either way a store can
answer it from rows precomputed at load time (kg.store.summary).
Parameter types: ``date`` (YYYY-MM-DD), ``iri``, ``topic`` (an IRI, ``g:Name`` or a topic label),
``string`` and ``integer``. Values are bound as RDF terms through a VALUES block (kg.store.sparql.bind).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.term import Node

from kg.errors import KgError
from kg.namespaces import XSD, G
from kg.store.sparql import QueryError
from kg.store.terms import check_iri

TYPES = ("date", "iri", "topic", "string", "integer")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    description: str


@dataclass(frozen=True)
class NamedQuery:
    """One shipped query: its name (the file stem), what it answers, its parameters, its text."""

    name: str
    description: str
    params: tuple[Param, ...]
    requires_determinations: bool
    text: str
    path: Path
    summary_keys: int = 0
    #: ``# summary: rows``: a listing whose rows are precomputed per case at load time (kg.store.summary).
    summary_rows: bool = False

    @property
    def summarized(self) -> bool:
        """Whether a store can answer this query from precomputed rows."""
        return bool(self.summary_keys) or self.summary_rows


def queries_dir() -> Path:
    return Path(str(resources.files("kg") / "queries"))


@lru_cache(maxsize=1)
def named_queries() -> dict[str, NamedQuery]:
    """Every shipped query by name, sorted."""
    out: dict[str, NamedQuery] = {}
    for path in sorted(queries_dir().glob("*.rq")):
        out[path.stem] = parse_header(path.stem, path.read_text(encoding="utf-8"), path)
    return out


def parse_header(name: str, text: str, path: Path) -> NamedQuery:
    description, params, requires, summary, rows = "", [], False, 0, False
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            break
        key, _, value = line.lstrip("# ").partition(":")
        value = value.strip()
        if key == "description":
            description = value
        elif key == "param":
            parts = value.split(None, 2)
            if len(parts) < 2 or parts[1] not in TYPES or not _NAME.match(parts[0]):
                raise KgError(f"bad parameter declaration (want: # param: NAME {'|'.join(TYPES)} text)",
                              path=path, line=number)
            params.append(Param(parts[0], parts[1], parts[2] if len(parts) > 2 else ""))
        elif key == "requires":
            requires = value == "determinations"
        elif key == "summary" and value == "rows":
            rows = True
        elif key == "summary":
            if not value.isdigit() or not 1 <= int(value) <= 4:
                raise KgError("bad summary declaration (want: # summary: N, 1 to 4 group keys, or rows)", path=path,
                              line=number)
            summary = int(value)
    return NamedQuery(name, description, tuple(params), requires, text, path, summary, rows)


def parse_value(param: Param, raw: str) -> Node:
    """A typed RDF term for a parameter value given on the command line, or a QueryError."""
    try:
        if param.type == "date":
            return Literal(dt.date.fromisoformat(raw.strip()).isoformat(), datatype=XSD.date)
        if param.type == "integer":
            return Literal(str(int(raw.strip())), datatype=XSD.integer)
        if param.type == "iri":
            return URIRef(check_iri(raw.strip()))
        if param.type == "topic":
            return resolve_topic(raw)
        return Literal(raw)
    except (ValueError, KgError) as exc:
        raise QueryError(f"parameter {param.name} ({param.type}): {exc}") from None


def resolve_topic(raw: str) -> URIRef:
    """A topic by IRI, ``g:Name``, local name, preferred or alternative label (case-insensitive)."""
    from kg.knowledge import bundled_knowledge
    from kg.namespaces import KG, RDF, SKOS

    value = raw.strip()
    g = bundled_knowledge().guidelines
    topics = set(g.subjects(RDF.type, KG.TreatmentTopic))
    if value.startswith("g:"):
        value = str(G) + value[2:]
    if URIRef(value) in topics:
        return URIRef(value)
    wanted = value.casefold()
    for topic in sorted(topics):
        names = {str(topic)[len(str(G)):].casefold()}
        names |= {str(label).casefold() for p in (SKOS.prefLabel, SKOS.altLabel) for label in g.objects(topic, p)}
        if wanted in names:
            return topic
    raise ValueError(f"no treatment topic is named {raw!r} (try `kg query topics`)")


def bind_params(query: NamedQuery | None, given: dict[str, str]) -> dict[str, Node]:
    """Typed terms for the parameters of ``query``; every declared parameter must be given."""
    if query is None:
        return {name: Literal(value) for name, value in given.items() if _checked_name(name)}
    declared = {p.name: p for p in query.params}
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise QueryError(f"query {query.name} has no parameter {', '.join(unknown)} "
                         f"(it takes: {', '.join(declared) or 'none'})")
    missing = [p.name for p in query.params if p.name not in given]
    if missing:
        raise QueryError(f"query {query.name} needs --param " + ", ".join(f"{m}=..." for m in missing))
    return {p.name: parse_value(p, given[p.name]) for p in query.params}


def _checked_name(name: str) -> bool:
    if not _NAME.match(name):
        raise QueryError(f"bad parameter name {name!r}")
    return True
