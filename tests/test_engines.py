"""Differential tests: every available SHACL engine, and kg's slim data graph, give the same
determinations as pySHACL over the full data graph, on every bundled case, every fixture and a
synthetic corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.api import finish_case
from kg.batch import case_files, judge_files
from kg.engine import available_engines, get_engine, naive_pyshacl, split_fragile, translate_components
from kg.knowledge import bundled_knowledge
from kg.loader import load_rdf
from kg.namespaces import SH
from kg.prepare import data_graph, reachable_guidelines, split_case
from kg.synth import write

REPO = Path(__file__).resolve().parent.parent
OTHER_ENGINES = [e for e in available_engines() if e != "pyshacl"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    kb = bundled_knowledge()
    out = tmp_path_factory.mktemp("synth")
    write(40, 5, out, kb.guidelines, kb.shapes)
    return case_files([REPO / "cases", REPO / "tests" / "fixtures", out])


def _determinations(results) -> list[tuple]:  # type: ignore[no-untyped-def]
    """What must agree across engines: per item, outcome, criteria statuses, conflicts, findings."""
    return [(c.file, i.request, i.outcome, tuple((x.id, x.status) for x in i.criteria),
             tuple(sorted(x.type for x in i.conflicts)), len(i.findings))
            for c in results for i in c.items]


def _report_keys(report) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return sorted((str(report.value(r, SH.sourceShape)), str(report.value(r, SH.focusNode)),
                   str(report.value(r, SH.value))) for r in report.objects(None, SH.result))


@pytest.fixture(scope="module")
def reference(corpus: list[Path]) -> dict[str, list[tuple]]:
    """pySHACL, one plain call per file over the case plus the WHOLE guideline graph."""
    kb = bundled_knowledge()
    out = {}
    for path in corpus:
        clean, quarantined = split_case(load_rdf(path), kb.guidelines)
        report = naive_pyshacl(data_graph(clean, kb.guidelines), kb.shapes)
        out[str(path)] = _determinations(finish_case(clean, quarantined, report, kb, file=str(path)))
    return out


@pytest.mark.parametrize("engine", ["pyshacl", *OTHER_ENGINES])
def test_engine_matches_reference_in_batch(engine: str, corpus: list[Path],
                                           reference: dict[str, list[tuple]]) -> None:
    outcomes = judge_files([str(p) for p in corpus], engine)
    disagreements = [o.file for o in outcomes
                     if _determinations(o.results) != reference[o.file]]
    assert not disagreements, disagreements
    items = [d for o in outcomes for d in _determinations(o.results)]
    assert {d[2] for d in items} >= {"medically-necessary", "not-medically-necessary"}


@pytest.mark.parametrize("engine", OTHER_ENGINES)
def test_engine_reports_equal_pyshacl_reports(engine: str) -> None:
    """Same (shape, focus, value) triples in the raw reports, case by case."""
    kb = bundled_knowledge()
    for path in case_files([REPO / "cases", REPO / "tests" / "fixtures"]):
        clean, _ = split_case(load_rdf(path), kb.guidelines)
        want = _report_keys(naive_pyshacl(data_graph(clean, kb.guidelines), kb.shapes))
        got = _report_keys(get_engine(engine, kb.shapes).validate(data_graph(clean, kb.guidelines, kb.shapes)))
        assert got == want, path


def test_slim_data_graph_is_smaller_and_keeps_what_shapes_read() -> None:
    from kg.namespaces import KG, SKOS

    kb = bundled_knowledge()
    slim = reachable_guidelines(kb.guidelines, kb.shapes)
    assert len(slim) < len(kb.guidelines)
    for predicate in (SKOS.broader, SKOS.notation, KG.aboutTopic, KG.effectiveFrom, KG.isMTUS):
        assert set(slim.triples((None, predicate, None))) == set(kb.guidelines.triples((None, predicate, None)))
    assert not set(slim.triples((None, KG.statement, None)))


def test_rudof_needs_the_component_translation() -> None:
    """rudof ignores SPARQL-based constraint components: on the raw shapes the seed's failed
    criteria vanish from its report; on kg's translation they are all there."""
    pyrudof = pytest.importorskip("pyrudof")
    kb = bundled_knowledge()
    clean, _ = split_case(load_rdf(REPO / "cases" / "seed.ttl"), kb.guidelines)
    data = data_graph(clean, kb.guidelines, kb.shapes).serialize(format="nt")
    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_data(data, format=pyrudof.RDFFormat.NTriples)
    rudof.read_shacl(kb.shapes.serialize(format="turtle"))
    raw = {str(r.source_shape) for r in rudof.validate_shacl()}
    assert not any("LSB" in s for s in raw)
    translated = translate_components(split_fragile(kb.shapes)[0])
    assert not set(translated.objects(None, SH.ask))
    report = get_engine("rudof", kb.shapes).validate(data_graph(clean, kb.guidelines, kb.shapes))
    assert {str(s).rsplit("/", 1)[-1] for s in report.objects(None, SH.sourceShape)} >= {
        "LSB-2-documented", "LSB-3", "LSB-3-documented"}


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown SHACL engine"):
        get_engine("jena", bundled_knowledge().shapes)


MINIMAL_SHAPES = """@prefix kg: <https://w3id.org/kg-imr/ns#> . @prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix ex: <http://example.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
ex: a owl:Ontology ; sh:declare [ sh:prefix "kg" ; sh:namespace "https://w3id.org/kg-imr/ns#"^^xsd:anyURI ] .
ex:C a sh:ConstraintComponent ; sh:parameter [ sh:path ex:minMonths ] ;
  sh:validator [ a sh:SPARQLAskValidator ; sh:message "too soon" ; sh:prefixes ex: ;
    sh:ask \"\"\"ASK { $this kg:requestDate ?rd . ?case kg:hasRequest $this ; kg:injury/kg:injuryDate ?inj .
      FILTER(((YEAR(?rd) - YEAR(?inj)) * 12 + MONTH(?rd) - MONTH(?inj) - IF(DAY(?rd) < DAY(?inj), 1, 0))
             >= $minMonths) }\"\"\" ] .
ex:S a sh:PropertyShape ; sh:targetNode ex:T ; sh:path [ sh:inversePath kg:topic ] ; sh:node [ ex:minMonths 1 ] .
"""
MINIMAL_DATA = """@prefix kg: <https://w3id.org/kg-imr/ns#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
ex:case kg:hasRequest ex:req ; kg:injury ex:inj .
ex:inj kg:injuryDate "2016-12-12"^^xsd:date .
ex:req kg:topic ex:T ; kg:requestDate "2017-01-02"^^xsd:date .
"""


def test_fragile_arithmetic_is_detected() -> None:
    from kg.engine import fragile_arithmetic

    assert fragile_arithmetic("SELECT * { FILTER((?a - ?b) * 12 >= 1) }")
    assert fragile_arithmetic("SELECT * { FILTER(?a - ?b - ?c >= 1) }")
    assert fragile_arithmetic("ASK { FILTER EXISTS { ?x ?p ?y FILTER(?a - 1 + ?c > 0) } }")
    assert not fragile_arithmetic("SELECT * { FILTER(?a - ?b >= 1) }")
    assert not fragile_arithmetic("SELECT * { FILTER(?a + ?b + ?c >= 1) }")


@pytest.mark.parametrize("engine", OTHER_ENGINES)
def test_regression_month_arithmetic_runs_on_pyshacl(engine: str) -> None:
    """rudof 0.3.35 and pyshacl-turbo 0.6.5 evaluate ``(y2 - y1) * 12 + m2 - m1 - IF(...)`` so that
    0 whole months pass a 1-month minimum (found on the imaging 'too soon' fixtures). kg routes
    such shapes to pySHACL, so the violation is reported whatever the engine."""
    from rdflib import Graph

    from kg.engine import SplitEngine, split_fragile

    shapes = Graph().parse(data=MINIMAL_SHAPES, format="turtle")
    data = Graph().parse(data=MINIMAL_DATA, format="turtle")
    assert [str(s) for s in split_fragile(shapes)[2]] == ["http://example.org/S"]
    want = _report_keys(naive_pyshacl(data, shapes))
    assert len(want) == 1
    assert _report_keys(get_engine(engine, shapes).validate(data)) == want
    assert isinstance(get_engine(engine, shapes), SplitEngine)
