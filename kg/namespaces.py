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

    # every other declared term (see ontology/kg.ttl)
    Applicant: object
    Bilateral: object
    CPT: object
    Citation: object
    ClinicalScheme: object
    Confidence: object
    ConflictType: object
    CriterionStatus: object
    Decision: object
    Diagnosis: object
    EditionNotInForce: object
    Finding: object
    HCPCS: object
    ICD10CM: object
    IMROutcome: object
    Injury: object
    Laterality: object
    Left: object
    ModifiedDuty: object
    NoEvidenceCited: object
    NonMTUSWhereMTUSApplies: object
    NotRecommended: object
    NotWorking: object
    Option: object
    Outcome: object
    PainPhase: object
    PlannedCare: object
    PriorTreatment: object
    RecommendationStatus: object
    Recommended: object
    RecommendedWithCriteria: object
    Right: object
    RxNorm: object
    TopicScheme: object
    UROutcome: object
    WorkStatus: object
    Working: object
    acuteWithinDays: object
    age: object
    citedNoEvidence: object
    concept: object
    count: object
    currentMedication: object
    endDate: object
    functionalImprovement: object
    given: object
    icd10: object
    injuryDate: object
    mechanism: object
    painRelief: object
    planned: object
    present: object
    regulation: object
    represented: object
    sex: object
    startDate: object
    treatment: object
    verifiedAgainst: object
    workStatus: object
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
    appliesToPhase: object
    AcutePhase: object
    ChronicPhase: object
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
    # letters in (kg extract)
    originalQuantity: object
    authorizedQuantity: object
    originalRequestText: object
    authorizedText: object
    dateAssigned: object
    applicationReceived: object
    reviewerLicensure: object
    testResult: object
    # --- added for meds ---
    IngredientScheme: object
    ingredient: object
    daysSupply: object
    dosesPerDay: object
    # --- added for querybench: precomputed aggregate counts ---
    Summary: object
    summaryGuidelines: object
    summarizes: object


KGC = Namespace("https://w3id.org/kg-imr/components#")
KGSH = Namespace("https://w3id.org/kg-imr/shapes/")
G = Namespace("https://w3id.org/kg-imr/guideline/")
