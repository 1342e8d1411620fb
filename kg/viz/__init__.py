"""Pictures of kg's graphs: one typed networkx graph per view, thin renderers per format.

>>> from kg.viz import picture
>>> picture("topic", "LumbarSympatheticBlock", "dot").startswith(b"digraph")
True
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from kg.errors import KgError
from kg.viz.graph import NODE_KINDS, case_graph, ontology_graph, resolve_topic, topic_graph
from kg.viz.render import BINARY_FORMATS, EXTENSIONS, FORMATS, format_for, render

VIEWS = ("topic", "case", "ontology")


def view_graph(view: str, target: str | Path | None = None) -> nx.DiGraph:
    """The typed graph of one view: a topic (name, label or IRI), a case file, or the ontology."""
    if view == "topic":
        return topic_graph(str(target))
    if view == "case":
        return case_graph(Path(str(target)))
    if view == "ontology":
        return ontology_graph()
    raise KgError(f"unknown view {view!r} (known: {', '.join(VIEWS)})")


def picture(view: str, target: str | Path | None, fmt: str, *, markdown: bool = False) -> bytes:
    """One view rendered in one format (see FORMATS), as bytes."""
    return render(view_graph(view, target), fmt, markdown=markdown)


__all__ = ["BINARY_FORMATS", "EXTENSIONS", "FORMATS", "NODE_KINDS", "VIEWS", "case_graph", "format_for",
           "ontology_graph", "picture", "render", "resolve_topic", "topic_graph", "view_graph"]
