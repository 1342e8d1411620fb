"""The bundled RDF parses, its terms are declared, its shapes are valid SHACL, its cases are clean."""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg.knowledge import bundled_knowledge, load_graph
from kg.namespaces import KG
from kg.resources import cases_dir, ontology_files, shape_files

REPO = Path(__file__).resolve().parent.parent
NS = str(KG._NS)


@pytest.fixture(scope="module")
def schema() -> Graph:
    return Graph().parse(REPO / "ontology" / "kg.ttl")


def _declared(schema: Graph) -> set[URIRef]:
    return {s for s in schema.subjects(RDF.type, None) if isinstance(s, URIRef) and str(s).startswith(NS)}


def test_every_code_term_is_declared_with_label_and_comment(schema: Graph) -> None:
    declared = _declared(schema)
    for name in KG.__annotations__:
        term = URIRef(NS + name)
        assert term in declared, f"kg:{name} is used by the code but not declared in ontology/kg.ttl"


def test_every_declared_term_has_label_and_comment(schema: Graph) -> None:
    for term in _declared(schema):
        assert schema.value(term, RDFS.label) is not None, f"{term} has no rdfs:label"
        assert schema.value(term, RDFS.comment) is not None, f"{term} has no rdfs:comment"


def test_every_kg_term_in_the_bundled_rdf_is_declared(schema: Graph) -> None:
    declared = _declared(schema) | {URIRef(NS)}
    for path in ontology_files() + shape_files() + sorted(cases_dir().glob("*.ttl")):
        g = Graph().parse(path)
        used = {t for triple in g for t in triple if isinstance(t, URIRef) and str(t).startswith(NS)}
        assert used <= declared, f"{path.name}: undeclared {sorted(used - declared)}"


def test_schema_is_owl_with_classes_and_properties(schema: Graph) -> None:
    assert (URIRef("https://w3id.org/kg-imr/ns"), RDF.type, OWL.Ontology) in schema
    assert len(set(schema.subjects(RDF.type, OWL.Class))) >= 30
    assert len(set(schema.subjects(RDF.type, OWL.ObjectProperty))) >= 30


def test_shapes_are_valid_against_shacl_shacl() -> None:
    shacl_shacl = Path(pyshacl.__file__).parent / "assets" / "shacl-shacl.ttl"
    shapes = load_graph(shape_files())
    conforms, _, text = pyshacl.validate(shapes, shacl_graph=Graph().parse(shacl_shacl), inference="none")
    assert conforms, text


def test_shapes_use_only_shacl_core_and_sparql() -> None:
    """No SHACL-AF rules, functions, SPARQL targets or JavaScript: any conformant engine agrees."""
    shapes = bundled_knowledge().shapes
    forbidden = {"rule", "target", "SPARQLTarget", "SPARQLRule", "TripleRule", "JSConstraint", "function",
                 "SPARQLFunction", "jsFunctionName", "condition"}
    sh = "http://www.w3.org/ns/shacl#"
    used = {str(t)[len(sh):] for triple in shapes for t in triple if str(t).startswith(sh)}
    assert not (used & forbidden), used & forbidden


def test_every_criterion_is_checked_by_a_shape_and_cited() -> None:
    kb = bundled_knowledge()
    checked = set(kb.shapes.objects(None, KG.checksCriterion))
    for rec in kb.guidelines.subjects(RDF.type, KG.Recommendation):
        for criterion in kb.guidelines.objects(rec, KG.hasCriterion):
            assert criterion in checked, f"{criterion} has no SHACL check"
            section = kb.guidelines.value(criterion, KG.source) or kb.guidelines.value(rec, KG.source)
            assert kb.guidelines.value(section, KG.inEdition) is not None, f"{criterion} cites no edition"
            assert kb.guidelines.value(criterion, KG.statement), f"{criterion} has no statement"
            assert kb.guidelines.value(criterion, KG.confidence) in (KG.Verified, KG.Unverified)


def test_every_edition_has_dates_and_a_guideline() -> None:
    g = bundled_knowledge().guidelines
    for edition in g.subjects(RDF.type, KG.Edition):
        assert g.value(edition, KG.effectiveFrom) is not None, edition
        document = g.value(edition, KG.editionOf)
        assert g.value(document, KG.guideline) is not None, document


@pytest.mark.parametrize("path", sorted(cases_dir().glob("*.ttl")) + sorted(cases_dir().glob("*.jsonld")),
                         ids=lambda p: p.name)
def test_bundled_cases_pass_the_data_quality_shapes(path: Path) -> None:
    from kg import validate

    for case in validate(path):
        assert not case.notes, case.notes
        for item in case.items:
            assert not item.findings, (path.name, item.findings)
