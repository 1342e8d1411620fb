"""A persistent embedded store (pyoxigraph, RocksDB on disk), for large case collections."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from kg.errors import KgError
from kg.store.base import Backend, Result
from kg.store.sparql import ASK, SELECT, CheckedQuery
from kg.store.terms import check_iri, from_oxigraph, nt

_MARKER = "kg-store.txt"


class OxigraphBackend(Backend):
    """A pyoxigraph Store in a directory; opened read-only unless kg is writing to it."""

    name = "store"

    def __init__(self, directory: str | Path, *, write: bool = False) -> None:
        import pyoxigraph as ox

        self.path = Path(directory)
        if not write and not (self.path / _MARKER).is_file():
            raise KgError("not a kg store (load one with `kg load FILES --store DIR`)", path=self.path)
        if write and self.path.exists() and any(self.path.iterdir()) and not (self.path / _MARKER).is_file():
            raise KgError("directory is not empty and is not a kg store; refusing to write into it",
                          path=self.path)
        try:
            if write:
                self.path.mkdir(parents=True, exist_ok=True)
                self.store = ox.Store(str(self.path))
                (self.path / _MARKER).write_text("kg store (pyoxigraph); see `kg load --help`\n",
                                                 encoding="utf-8")
            else:
                self.store = ox.Store.read_only(str(self.path))
        except OSError as exc:
            raise KgError(f"cannot open the store: {exc}", path=self.path) from None

    def replace_graphs(self, graphs: dict[str, Graph]) -> None:
        """One SPARQL Update (one transaction): drop each graph, insert its new triples."""
        import pyoxigraph as ox

        # Dropping a graph that is not there still costs a scan inside the transaction: skip those.
        parts = [f"DROP SILENT GRAPH <{check_iri(name)}>" for name in graphs
                 if self.store.contains_named_graph(ox.NamedNode(name))]
        body = []
        for index, (name, graph) in enumerate(graphs.items()):
            if not len(graph):
                continue  # dropped above, if it was there
            lines = [" ".join(_nt_scoped(t, index) for t in triple) + " ." for triple in graph]
            body.append(f"GRAPH <{name}> {{\n" + "\n".join(lines) + "\n}")
        if body:
            parts.append("INSERT DATA {\n" + "\n".join(body) + "\n}")
        try:
            self.store.update(" ;\n".join(parts))
            self.store.flush()
        except (OSError, SyntaxError, ValueError) as exc:
            raise KgError(f"the store refused the load, nothing was changed: {exc}", path=self.path) from None

    def existing_graphs(self, names: list[str]) -> list[str]:
        import pyoxigraph as ox

        return [n for n in names if self.store.contains_named_graph(ox.NamedNode(check_iri(n)))]

    def query(self, query: CheckedQuery) -> Result:
        try:
            answer = self.store.query(query.text, use_default_graph_as_union=True)
        except (OSError, SyntaxError, ValueError) as exc:
            raise KgError(f"query failed in the store: {exc}", path=query.source) from None
        if query.form == ASK:
            return Result(form=ASK, boolean=bool(answer))
        if query.form == SELECT:
            variables = [v.value for v in answer.variables]
            rows = [tuple(from_oxigraph(solution[i]) for i in range(len(variables))) for solution in answer]
            return Result(form=SELECT, variables=variables, rows=rows)
        graph = Graph()
        for triple in answer:
            graph.add((from_oxigraph(triple.subject), from_oxigraph(triple.predicate),
                       from_oxigraph(triple.object)))
        return Result(form=query.form, graph=graph)

    def close(self) -> None:
        self.store = None  # type: ignore[assignment]


def _nt_scoped(term: object, index: int) -> str:
    """Blank-node labels are made unique per graph, so two cases never share a blank node."""
    text = nt(term)  # type: ignore[arg-type]
    return f"_:g{index}_{text[2:]}" if text.startswith("_:") else text
