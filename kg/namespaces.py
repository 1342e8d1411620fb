"""kg's RDF namespaces.

``KG`` is a closed namespace: using a term that the ontology does not declare is an
AttributeError at import time, and a test checks every term here is declared in
``ontology/kg.ttl``.
"""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SH, SKOS, XSD, DefinedNamespace

__all__ = ["KG", "KGC", "KGSH", "G", "PROV", "RDF", "RDFS", "SH", "SKOS", "XSD", "DCTERMS"]


class KG(DefinedNamespace):
    """Terms of the kg ontology (ontology/kg.ttl)."""

    _NS = Namespace("https://w3id.org/kg-imr/ns#")
    _fail = True

    # guidelines
    Guideline: object
    GuidelineDocument: object
    Edition: object
    Section: object
    EvidenceLevel: object
    evidenceLevel: object
    rank: object
    legalBasis: object
    isMTUS: object
    guideline: object
    editionOf: object
    editionLabel: object
    effectiveFrom: object
    effectiveUntil: object
    inEdition: object
    pages: object
    sectionTitle: object
    # topics, recommendations, criteria
    TreatmentTopic: object
    ClinicalConcept: object
    Recommendation: object
    aboutTopic: object
    source: object
    status: object
    hasCriterion: object
    Criterion: object
    statement: object
    notation: object
    confidence: object
    Verified: object
    Unverified: object
    # cases
    Case: object
    caseNumber: object
    hasRequest: object
    Request: object
    topic: object
    requestText: object
    quantity: object
    unit: object
    requestDate: object
    laterality: object
    bodyRegion: object
    urDecision: object
    imrDecision: object
    URDecision: object
    IMRDecision: object
    decisionDate: object
    urOutcome: object
    imrOutcome: object
    Upheld: object
    Overturned: object
    Approved: object
    Modified: object
    Denied: object
    reviewerSpecialty: object
    cites: object
    citesGuideline: object
    citesDocument: object
    citesEdition: object
    locator: object
    citationText: object
    injury: object
    applicant: object
    diagnosis: object
    priorTreatment: object
    finding: object
    concurrentCare: object
    # output
    Determination: object
    aboutRequest: object
    outcome: object
    MedicallyNecessary: object
    NotMedicallyNecessary: object
    Undetermined: object
    governedBy: object
    referenceDate: object
    criterionResult: object
    CriterionResult: object
    criterion: object
    criterionStatus: object
    Met: object
    Unmet: object
    NotDocumented: object
    checksCriterion: object
    failureStatus: object
    conflict: object
    Conflict: object
    conflictType: object
    conflictShape: object
    dataQualityShape: object
    dataQualityFinding: object
    agreesWithIMR: object
    message: object
    # --- added for meds ---
    IngredientScheme: object
    ingredient: object
    daysSupply: object
    dosesPerDay: object


KGC = Namespace("https://w3id.org/kg-imr/components#")
KGSH = Namespace("https://w3id.org/kg-imr/shapes/")
G = Namespace("https://w3id.org/kg-imr/guideline/")
