"""One interface, three backends: rdflib in memory, a pyoxigraph store on disk, a SPARQL endpoint."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from rdflib import Graph
from rdflib.term import Node

from kg.store.sparql import ASK, SELECT, CheckedQuery

#: Named graph holding the bundled guideline graph (ontology, guidelines, topics).
GUIDELINES_GRAPH = "https://w3id.org/kg-imr/graph/guidelines"
#: Named graph holding the bundled SHACL shapes.
SHAPES_GRAPH = "https://w3id.org/kg-imr/graph/shapes"


@dataclass
class Result:
    """A query answer in one normal form whatever the backend: rows of rdflib terms, a boolean or a graph."""

    form: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Node | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None

    @property
    def is_graph(self) -> bool:
        return self.form not in (SELECT, ASK)


class Backend(ABC):
    """Where queries run. Every graph in it is a named graph; queries see their union as default graph."""

    name: str = ""
    #: Whether kg.store.load keeps precomputed aggregate counts here (it must be able to read back).
    keeps_summary: bool = True

    @abstractmethod
    def query(self, query: CheckedQuery) -> Result:
        """Run a checked, read-only query."""

    @abstractmethod
    def replace_graphs(self, graphs: dict[str, Graph]) -> None:
        """Replace each named graph with the given triples, all in one transaction."""

    def existing_graphs(self, names: list[str]) -> list[str]:
        """Those of ``names`` that the backend holds, in the given order."""
        from kg.store.sparql import check

        if not names:
            return []
        values = " ".join(f"<{n}>" for n in names)
        text = f"SELECT DISTINCT ?g WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
        held = {str(row[0]) for row in self.query(check(text)).rows}
        return [n for n in names if n in held]

    def graph_names(self) -> list[str]:
        """The named graphs held, sorted."""
        from kg.store.sparql import check

        result = self.query(check("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"))
        return [str(row[0]) for row in result.rows]

    def close(self) -> None:
        """Release files or connections (nothing to release by default)."""
        self.closed = True

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
