"""Build the graph a case is validated as: the case's own facts beside the guideline graph.

A case file is data, never rules. Only the case vocabulary passes: triples whose subject is one
of kg's guideline, ontology or shape terms, that use guideline-side or SHACL/SKOS/OWL
predicates, or that type a node as a guideline-side class, are quarantined (kept out of the
data graph and reported), so a case cannot change how it or any other case is judged.
"""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import OWL

from kg.namespaces import KG, KGC, KGSH, RDF, SH, SKOS, G

_PROTECTED_SUBJECTS = (str(G), str(KG._NS), str(KGC), str(KGSH), str(SH))
_FOREIGN_PREDICATES = (str(SH), str(SKOS), str(OWL), str(KGC))

#: kg terms a case file may use as predicates.
CASE_PREDICATES = frozenset(URIRef(str(KG._NS) + name) for name in (
    "caseNumber applicant age sex represented injury injuryDate mechanism diagnosis icd10 concept "
    "finding present priorTreatment treatment count startDate endDate functionalImprovement "
    "painRelief currentMedication workStatus hasRequest topic requestText quantity unit bodyRegion "
    "laterality requestDate concurrentCare planned urDecision imrDecision decisionDate urOutcome "
    "imrOutcome reviewerSpecialty cites citedNoEvidence citesGuideline citesDocument citesEdition "
    "locator citationText originalQuantity authorizedQuantity originalRequestText authorizedText "
    "dateAssigned applicationReceived reviewerLicensure testResult "
    "ingredient daysSupply dosesPerDay"
).split())

#: kg classes a case file may give its nodes.
CASE_CLASSES = frozenset(URIRef(str(KG._NS) + name) for name in (
    "Case Applicant Injury Diagnosis Finding PriorTreatment PlannedCare Request Decision URDecision "
    "IMRDecision Citation"
).split())


def split_case(case: Graph, guidelines: Graph) -> tuple[Graph, list[tuple]]:
    """The case triples that are safe to judge, and those quarantined."""
    clean = Graph()
    quarantined: list[tuple] = []
    for triple in case:
        (quarantined.append(triple) if _is_rule_like(triple, guidelines) else clean.add(triple))
    return clean, quarantined


def _is_rule_like(triple: tuple, guidelines: Graph) -> bool:
    s, p, o = triple
    if isinstance(s, URIRef) and (str(s).startswith(_PROTECTED_SUBJECTS) or (s, None, None) in guidelines):
        return True
    if str(p).startswith(_FOREIGN_PREDICATES):
        return True
    if str(p).startswith(str(KG._NS)) and p not in CASE_PREDICATES:
        return True
    if p == RDF.type and str(o).startswith(str(KG._NS)) and o not in CASE_CLASSES:
        return True
    return False


def data_graph(case: Graph, guidelines: Graph) -> Graph:
    """A fresh graph holding the guideline graph and the (clean) case facts."""
    data = Graph()
    data += guidelines
    data += case
    return data
