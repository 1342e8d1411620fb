"""The guideline graph and the shapes graph, loaded once per process from the bundled RDF."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rdflib import Graph

from kg.loader import load_rdf
from kg.resources import ontology_files, shape_files


@dataclass(frozen=True)
class Knowledge:
    """What every case is judged against. Never mixed with case data except in a copy."""

    guidelines: Graph
    shapes: Graph
    files: tuple[Path, ...]


def load_graph(paths: list[Path]) -> Graph:
    graph = Graph()
    for path in paths:
        load_rdf(path, graph)
    return graph


@lru_cache(maxsize=1)
def bundled_knowledge() -> Knowledge:
    """The bundled ontology, guideline graph and shapes (cached: parsed once per process)."""
    onto = ontology_files()
    shapes = shape_files()
    return Knowledge(guidelines=load_graph(onto), shapes=load_graph(shapes), files=tuple(onto + shapes))
