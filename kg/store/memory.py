"""rdflib in memory: the default backend, for a few files."""

from __future__ import annotations

import warnings

from rdflib import Dataset, Graph, URIRef

from kg.store.base import Backend, Result
from kg.store.sparql import ASK, SELECT, CheckedQuery
from kg.store.terms import normal


class MemoryBackend(Backend):
    """An rdflib Dataset whose default graph is the union of its named graphs."""

    name = "memory"

    def __init__(self) -> None:
        self.dataset = Dataset(default_union=True)
        self._held: set[str] = set()

    def replace_graphs(self, graphs: dict[str, Graph]) -> None:
        for name, graph in graphs.items():
            if not len(graph) and name not in self._held:
                continue  # nothing to drop; do not create an empty graph
            target = self.dataset.graph(URIRef(name))
            target.remove((None, None, None))
            for triple in graph:
                target.add(triple)
            (self._held.add if len(graph) else self._held.discard)(name)

    def existing_graphs(self, names: list[str]) -> list[str]:
        return [n for n in names if n in self._held]

    def query(self, query: CheckedQuery) -> Result:
        with warnings.catch_warnings():  # rdflib warns about its own use of a deprecated Dataset API
            warnings.simplefilter("ignore", DeprecationWarning)
            return self._query(query)

    def _query(self, query: CheckedQuery) -> Result:
        answer = self.dataset.query(query.text)
        if query.form == ASK:
            return Result(form=ASK, boolean=bool(answer.askAnswer))
        if query.form == SELECT:
            variables = [str(v) for v in answer.vars]
            rows = [tuple(normal(row[i]) for i in range(len(variables))) for row in answer]
            return Result(form=SELECT, variables=variables, rows=rows)
        graph = Graph()
        for triple in answer:
            graph.add(tuple(normal(t) for t in triple))
        return Result(form=query.form, graph=graph)
