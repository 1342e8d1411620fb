"""Determinations as RDF with PROV-O: what was judged, against which editions, by what."""

from __future__ import annotations

import datetime as dt
import uuid

from rdflib import BNode, Graph, Literal, URIRef

from kg.model import MEDICALLY_NECESSARY, NOT_DOCUMENTED, NOT_MEDICALLY_NECESSARY, UNMET, CaseResult
from kg.namespaces import KG, PROV, RDF, RDFS, XSD

_OUTCOME = {MEDICALLY_NECESSARY: KG.MedicallyNecessary, NOT_MEDICALLY_NECESSARY: KG.NotMedicallyNecessary}
_STATUS = {UNMET: KG.Unmet, NOT_DOCUMENTED: KG.NotDocumented}


def editions_used(cases: list[CaseResult], guidelines: Graph) -> list[str]:
    """The editions of the governing recommendations: what the run's determinations rest on (prov:used)."""
    found: set[str] = set()
    for case in cases:
        for item in case.items:
            if item.governing and item.governing.recommendation:
                edition = guidelines.value(guidelines.value(URIRef(item.governing.recommendation), KG.source),
                                           KG.inEdition)
                if edition is not None:
                    found.add(str(edition))
    return sorted(found)


def to_graph(cases: list[CaseResult], *, software: str, engine: str, editions: list[str] | None = None,
             started: dt.datetime | None = None) -> Graph:
    """PROV-O for one run; ``editions`` default to those of the bundled guideline graph the items rest on."""
    if editions is None:
        from kg.knowledge import bundled_knowledge

        editions = editions_used(cases, bundled_knowledge().guidelines)
    g = Graph()
    g.bind("kg", str(KG._NS))
    g.bind("prov", str(PROV))
    run = URIRef(f"urn:uuid:{uuid.uuid4()}")
    agent = BNode()
    g.add((run, RDF.type, PROV.Activity))
    g.add((run, RDFS.label, Literal("kg validate")))
    g.add((run, PROV.startedAtTime, Literal((started or dt.datetime.now(dt.UTC)).isoformat(),
                                            datatype=XSD.dateTime)))
    g.add((run, PROV.wasAssociatedWith, agent))
    g.add((agent, RDF.type, PROV.SoftwareAgent))
    g.add((agent, RDFS.label, Literal(software)))
    g.add((agent, RDFS.comment, Literal(f"SHACL engine: {engine}")))
    for edition in editions:
        g.add((run, PROV.used, URIRef(edition)))
    for case in cases:
        source = BNode()
        g.add((source, RDF.type, PROV.Entity))
        g.add((source, RDFS.label, Literal(case.file)))
        g.add((run, PROV.used, source))
        for item in case.items:
            key = item.request or f"{case.file}#{item.label}"
            det = URIRef(f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, key)}")
            g.add((det, RDF.type, KG.Determination))
            g.add((det, PROV.wasGeneratedBy, run))
            g.add((det, PROV.wasDerivedFrom, source))
            if item.request and not item.request.startswith("_:"):
                g.add((det, KG.aboutRequest, URIRef(item.request)))
            g.add((det, RDFS.label, Literal(item.label)))
            g.add((det, KG.outcome, _OUTCOME.get(item.outcome, KG.Undetermined)))
            if item.governing is not None and item.governing.recommendation:
                g.add((det, KG.governedBy, URIRef(item.governing.recommendation)))
            if item.reference_date:
                g.add((det, KG.referenceDate, Literal(item.reference_date, datatype=XSD.date)))
            for c in item.criteria:
                node = BNode()
                g.add((det, KG.criterionResult, node))
                g.add((node, RDF.type, KG.CriterionResult))
                g.add((node, KG.criterion, URIRef(c.iri)))
                g.add((node, KG.criterionStatus, _STATUS.get(c.status, KG.Met)))
            for conflict in item.conflicts:
                node = BNode()
                g.add((det, KG.conflict, node))
                g.add((node, RDF.type, KG.Conflict))
                g.add((node, KG.message, Literal(conflict.message)))
                g.add((node, RDFS.label, Literal(conflict.type)))
                if conflict.iri:
                    g.add((node, KG.conflictType, URIRef(conflict.iri)))
            for finding in item.findings:
                g.add((det, KG.dataQualityFinding, Literal(finding)))
            if item.agrees_with_imr is not None:
                g.add((det, KG.agreesWithIMR, Literal(item.agrees_with_imr)))
    return g
