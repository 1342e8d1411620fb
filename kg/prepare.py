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


def data_graph(case: Graph, guidelines: Graph, shapes: Graph | None = None) -> Graph:
    """A fresh graph holding the (clean) case facts beside the guideline graph.

    With ``shapes``, only the guideline triples the shapes can reach are copied (see
    :func:`reachable_guidelines`); the validation report is the same, and the copy is a fraction
    of the guideline graph. Read the guideline graph itself (or :func:`decision_graph`) for labels
    and citations.
    """
    data = Graph()
    data += reachable_guidelines(guidelines, shapes) if shapes is not None else guidelines
    data += case
    return data


def decision_graph(case: Graph, guidelines: Graph) -> Graph:
    """A read-only union of the clean case facts and the whole guideline graph, without a copy.

    The two never share a triple (a case triple about a guideline node is quarantined), so the
    union answers every lookup of the decision step exactly as a merged copy would.
    """
    from rdflib.graph import ReadOnlyGraphAggregate

    return ReadOnlyGraphAggregate([case, guidelines])


_REACHABLE: dict[tuple[int, int], tuple[Graph, Graph, int, int, Graph]] = {}


def reachable_guidelines(guidelines: Graph, shapes: Graph) -> Graph:
    """The guideline triples whose predicate a shape can read: SHACL paths and targets, and the
    predicates of every SPARQL query in the shapes graph, plus ``rdf:type`` and
    ``rdfs:subClassOf`` (class targets and ``sh:class``).

    Every kg shape starts from a case node and follows fixed predicates, so a triple with any
    other predicate cannot change a result. When that cannot be shown - a query with a variable
    or negated predicate, a GRAPH/SERVICE clause, ``sh:closed`` - the whole graph is returned.
    Cached per (guidelines, shapes) pair while neither changes size.
    """
    key = (id(guidelines), id(shapes))
    hit = _REACHABLE.get(key)
    if hit is not None and hit[2] == len(guidelines) and hit[3] == len(shapes):
        return hit[4]
    predicates = _readable_predicates(shapes)
    if predicates is None:
        subset = guidelines
    else:
        subset = Graph()
        for p in set(guidelines.predicates()):
            if p in predicates:
                for triple in guidelines.triples((None, p, None)):
                    subset.add(triple)
    _REACHABLE[key] = (guidelines, shapes, len(guidelines), len(shapes), subset)
    return subset


def _readable_predicates(shapes: Graph) -> set[URIRef] | None:
    """Every predicate the shapes can read, or None when that set is not bounded."""
    from kg.engine import query_prefixes
    from kg.namespaces import RDFS

    if (None, SH.closed, None) in shapes:
        return None
    found: set[URIRef] = {RDF.type, RDFS.subClassOf}
    found.update(n for n in shapes.all_nodes() if isinstance(n, URIRef))
    for prop in (SH.select, SH.ask):
        for holder, text in shapes.subject_objects(prop):
            readable = _query_predicates(query_prefixes(shapes, holder) + "\n" + str(text))
            if readable is None:
                return None
            found |= readable
    return found


def _query_predicates(text: str) -> set[URIRef] | None:
    from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    out: set[URIRef] = set()
    unbounded = False

    def path(p: object) -> None:
        nonlocal unbounded
        if isinstance(p, URIRef):
            out.add(p)
        elif isinstance(p, (SequencePath, AlternativePath)):
            for arg in p.args:
                path(arg)
        elif isinstance(p, MulPath):
            path(p.path)
        elif isinstance(p, InvPath):
            path(p.arg)
        else:  # a variable, a negated path or anything unknown
            unbounded = True

    def walk(node: object) -> None:
        nonlocal unbounded
        if isinstance(node, CompValue):
            if node.name in ("GraphGraphPattern", "ServiceGraphPattern", "Graph", "Service"):
                unbounded = True
            triples = node.get("triples")
            if isinstance(triples, list):
                for t in triples:
                    if len(t) == 3:
                        path(t[1])
            for key in list(node.keys()):  # raw and translated (rdflib translates lazily)
                raw, resolved = dict.get(node, key), getattr(node, key, None)
                walk(raw)
                if resolved is not raw:
                    walk(resolved)
        elif isinstance(node, (list, tuple, set)):
            for value in node:
                walk(value)

    try:
        walk(prepareQuery(text).algebra)
    except Exception:  # noqa: BLE001 - a query kg cannot analyse: keep the whole graph
        return None
    return None if unbounded else out
