"""Put cases into a backend: each case file in its own named graph, the guidelines in theirs.

All or nothing: every file is parsed (through kg.loader.load_rdf) before anything is written, and
the write is one transaction, so a bad file leaves the store as it was. Reloading a case replaces it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef

from kg.errors import KgError, LoadError
from kg.knowledge import Knowledge, bundled_knowledge
from kg.loader import load_rdf
from kg.namespaces import KG, RDF
from kg.store.base import GUIDELINES_GRAPH, SHAPES_GRAPH, Backend

#: Extensions picked up when a directory is given (.json is left out: test expectations use it).
DIRECTORY_SUFFIXES = (".ttl", ".turtle", ".jsonld", ".nt", ".ntriples", ".rdf")


@dataclass(frozen=True)
class LoadSummary:
    """What one load wrote."""

    files: int
    cases: int
    graphs: tuple[str, ...]
    quarantined: int
    determinations: int


def collect(paths: Iterable[str | Path]) -> list[Path]:
    """Files named directly, and the RDF files under each named directory, in a stable order."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in DIRECTORY_SUFFIXES))
        elif path.exists():
            out.append(path)
        else:
            raise LoadError("no such file or directory", path=path)
    return out


def case_graph_name(graph: Graph, path: Path) -> str:
    """The named graph for a case file: its kg:Case IRI when it has exactly one, else one per file path."""
    cases = sorted({c for c in graph.subjects(RDF.type, KG.Case) if isinstance(c, URIRef)})
    if len(cases) == 1:
        return str(cases[0])
    digest = hashlib.sha256(str(path.resolve()).encode("utf-8")).hexdigest()[:16]
    return f"urn:kg:case-file:{digest}"


def prepare(files: list[Path], *, with_determinations: bool = False,
            knowledge: Knowledge | None = None) -> tuple[dict[str, Graph], LoadSummary]:
    """Parse and check every file, then build the graphs to write (nothing is written here)."""
    from kg.prepare import split_case

    kb = knowledge or bundled_knowledge()
    graphs: dict[str, Graph] = {}
    owner: dict[str, Path] = {}
    quarantined = determinations = cases = 0
    for path in files:
        raw = load_rdf(path)
        name = case_graph_name(raw, path)
        if name.startswith("urn:kg:") and not name.startswith("urn:kg:case-file:"):
            raise KgError(f"a case may not be named {name}: graph names under urn:kg: are kg's own", path=path)
        if name in owner:
            raise KgError(f"case {name} is also in {owner[name]}; load one of them", path=path)
        owner[name] = path
        internal = next((p for p in raw.predicates() if str(p).startswith("urn:kg:")), None)
        if internal is not None:
            raise KgError(f"property {internal} is kg's own (names under urn:kg: mark precomputed rows); "
                          "a case may not use it", path=path)
        clean, dropped = split_case(raw, kb.guidelines)
        quarantined += len(dropped)
        cases += len(set(clean.subjects(RDF.type, KG.Case)))
        if with_determinations:
            det = determinations_graph(clean, kb, file=str(path))
            determinations += len(set(det.subjects(RDF.type, KG.Determination)))
            clean += det
        graphs[name] = clean
    graphs[GUIDELINES_GRAPH] = kb.guidelines
    graphs[SHAPES_GRAPH] = kb.shapes
    summary = LoadSummary(files=len(files), cases=cases, graphs=tuple(sorted(graphs)),
                          quarantined=quarantined, determinations=determinations)
    return graphs, summary


def determinations_graph(case: Graph, knowledge: Knowledge, *, file: str) -> Graph:
    """kg's determinations for a case, as the RDF `kg validate --format turtle` gives."""
    from kg import __version__
    from kg.api import validate_graph
    from kg.engine import engine_version
    from kg.loader import active_limits, time_box
    from kg.render.rdf import to_graph

    started = dt.datetime.now(dt.UTC)
    with time_box(active_limits().timeout, file, what="validation"):  # as in kg.api.validate
        results = validate_graph(case, knowledge, file=file)
    return to_graph(results, software=f"kg {__version__}", engine=engine_version("pyshacl"),
                    started=started)


def load(backend: Backend, paths: Iterable[str | Path], *, with_determinations: bool = False) -> LoadSummary:
    """Parse everything first, then write it in one transaction; a bad file changes nothing."""
    from kg.store.summary import delta

    graphs, summary = prepare(collect(paths), with_determinations=with_determinations)
    # precomputed aggregate counts, written in the same transaction as the cases
    graphs.update(delta(backend, graphs, graphs[GUIDELINES_GRAPH]))
    backend.replace_graphs(graphs)
    return summary
