"""The library entry point: case files in, determinations out."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from kg.decide import decide
from kg.engine import run_shacl
from kg.knowledge import Knowledge, bundled_knowledge
from kg.loader import active_limits, load_rdf, time_box
from kg.model import CaseResult
from kg.prepare import data_graph, decision_graph, quarantine_note, split_case


def validate(*sources: str | Path | Graph, knowledge: Knowledge | None = None,
             engine: str = "pyshacl") -> list[CaseResult]:
    """Judge every disputed item of every case in ``sources`` (paths or rdflib graphs).

    >>> from kg import validate
    >>> [item.outcome for case in validate("cases/seed.ttl") for item in case.items]
    ['not-medically-necessary']

    Raises :class:`kg.errors.KgError` when an input cannot be read or its parsing or judging
    runs past the time box (``--timeout``); a malformed case is not an error but gives
    "undetermined" items with data-quality findings.
    """
    kb = knowledge or bundled_knowledge()
    seconds = active_limits().timeout
    out: list[CaseResult] = []
    for source in sources:
        if isinstance(source, Graph):
            case, name = source, "<graph>"
        else:
            case, name = load_rdf(source), str(source)
        # Parsing has its own box; so does judging: a small crafted case (many requests times
        # many findings) can keep the SHACL engine busy for hours.
        with time_box(seconds, name, what="validation"):
            out.extend(validate_graph(case, kb, file=name, engine=engine))
    return out


def validate_graph(case: Graph, knowledge: Knowledge, *, file: str = "", engine: str = "pyshacl") -> list[CaseResult]:
    """Judge one case graph (pure apart from the SHACL engine call)."""
    clean, quarantined = split_case(case, knowledge.guidelines)
    # One file: copy the whole guideline graph (cheaper than analysing the shapes' queries once);
    # batch runs (kg.batch) use the slim copy, whose analysis is paid once per worker.
    data = data_graph(clean, knowledge.guidelines)
    report = run_shacl(data, knowledge.shapes, engine=engine)
    return finish_case(clean, quarantined, report, knowledge, file=file)


def finish_case(clean: Graph, quarantined: list[tuple], report: Graph, knowledge: Knowledge, *,
                file: str = "") -> list[CaseResult]:
    """Decide one case file from its clean facts and its validation report (shared by the
    single-file path and batch runs, so both decide identically)."""
    results = decide(decision_graph(clean, knowledge.guidelines), knowledge.shapes, report, file=file)
    if quarantined:
        note = quarantine_note(quarantined, knowledge.guidelines)
        results = [_with_note(r, note) for r in results]
    return results


def _with_note(result: CaseResult, note: str) -> CaseResult:
    from dataclasses import replace

    return replace(result, notes=result.notes + (note,))
