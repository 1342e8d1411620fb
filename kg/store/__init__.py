"""Query the guideline graph and cases: one interface, three backends (kg.store.base.Backend).

>>> from kg.store import run_query
>>> result = run_query("mtus-topics-on-date", ["cases/seed.ttl"], params={"date": "2015-07-22"})
>>> "LumbarSympatheticBlock" in " ".join(str(row[0]) for row in result.rows)
True
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KgError
from kg.store.base import GUIDELINES_GRAPH, SHAPES_GRAPH, Backend, Result
from kg.store.named import NamedQuery, bind_params, named_queries
from kg.store.sparql import CheckedQuery, QueryError, bind, check

__all__ = ["Backend", "Result", "QueryError", "GUIDELINES_GRAPH", "SHAPES_GRAPH", "open_backend",
           "resolve_query", "run_query", "named_queries", "QuerySource"]


@dataclass(frozen=True)
class QuerySource:
    """Where the query text came from, and the named query if it is one."""

    text: str
    source: str
    named: NamedQuery | None = None


def resolve_query(spec: str, *, stdin: str | None = None) -> QuerySource:
    """QUERY as the user gave it: ``-`` (stdin), an existing file, a shipped query's name, or inline SPARQL."""
    if spec == "-":
        return QuerySource(stdin if stdin is not None else sys.stdin.read(), "<stdin>")
    path = Path(spec)
    if "\n" not in spec and len(spec) < 1024 and path.is_file():
        try:
            return QuerySource(path.read_text(encoding="utf-8"), str(path))
        except (OSError, UnicodeDecodeError) as exc:
            raise KgError(f"cannot read query file: {exc}", path=path) from None
    named = named_queries().get(spec)
    if named is not None:
        return QuerySource(named.text, f"query {named.name}", named)
    words = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "PREFIX", "BASE", "INSERT", "DELETE", "LOAD", "CLEAR",
             "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")
    if "{" in spec or spec.strip().upper().startswith(words):
        return QuerySource(spec, "<inline query>")
    raise KgError(f"{spec!r} is not a file, a named query (see `kg query --list`) or SPARQL text")


def open_backend(*, store: str | Path | None = None, endpoint: str | None = None, write: bool = False) -> Backend:
    """The backend the options name: a store directory, an endpoint URL, or (neither) rdflib in memory."""
    if store is not None and endpoint is not None:
        raise KgError("give --store or --endpoint, not both")
    if store is not None:
        from kg.store.oxi import OxigraphBackend

        return OxigraphBackend(store, write=write)
    if endpoint is not None:
        from kg.store.endpoint import EndpointBackend

        return EndpointBackend(endpoint)
    from kg.store.memory import MemoryBackend

    return MemoryBackend()


def prepare_query(source: QuerySource, params: dict[str, str] | None = None) -> CheckedQuery:
    """Check the text (read-only, well formed) and bind its typed parameters."""
    checked = check(source.text, source=source.source)
    return bind(checked, bind_params(source.named, params or {}))


def run_query(query: str | QuerySource, files: Sequence[str | Path] = (), *, params: dict[str, str] | None = None,
              store: str | Path | None = None, endpoint: str | None = None,
              with_determinations: bool = False) -> Result:
    """Answer ``query`` over the guideline graph plus ``files`` (in memory), or over a store or endpoint.

    A named query that needs determinations gets them computed for the files when run in memory.
    """
    source = query if isinstance(query, QuerySource) else resolve_query(query)
    checked = prepare_query(source, params)
    if (store is not None or endpoint is not None) and files:
        raise KgError("case files are read only in memory; load them into the store with `kg load` first")
    backend = open_backend(store=store, endpoint=endpoint)
    with backend:
        if store is None and endpoint is None:
            from kg.store.load import load

            wants = with_determinations or bool(source.named and source.named.requires_determinations)
            load(backend, files, with_determinations=wants)
        from kg.store.summary import answer

        return answer(backend, source.named, checked)
