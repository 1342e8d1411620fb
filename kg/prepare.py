"""Build the graph a case is validated as: the case's own facts beside the guideline graph.

A case file is data, never rules. Only the case vocabulary passes. Quarantined (kept out of the
data graph and reported) are triples that

* have as subject one of kg's guideline, ontology or shape terms (anything in the ``g:``,
  ``kg:``, ``kgc:``, ``kgsh:`` or SHACL namespaces, or any node the guideline graph describes) —
  e.g. ``sh:deactivated true`` on a criteria shape, a changed edition date;
* use a predicate from SHACL, SKOS, OWL, kg's shape namespaces, RDFS schema predicates
  (``rdfs:subClassOf`` would let ``sh:class`` accept a fake topic) or a ``kg:`` predicate that
  is not case vocabulary (``kg:aboutTopic``, ``kg:hasCriterion``, ``kg:effectiveFrom`` …) —
  e.g. an extra ``skos:altLabel``, a fake recommendation;
* give a node a type that is not a case class (a ``kg:TreatmentTopic``, ``kg:Recommendation``,
  ``sh:NodeShape``, ``owl:Class`` …).

So a case cannot change how it or any other case is judged. Blank nodes of the clean case are
relabelled canonically, so determinations do not depend on blank-node labels or triple order.
"""

from __future__ import annotations

from collections import Counter

from rdflib import BNode, Graph, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import OWL

from kg.namespaces import KG, KGC, KGSH, RDF, RDFS, SH, SKOS, G

_KG = str(KG._NS)
_PROTECTED_SUBJECTS = (str(G), _KG, str(KGC), str(KGSH), str(SH))
_FOREIGN_PREDICATES = (str(SH), str(SKOS), str(OWL), str(KGC), str(KGSH), str(G))
_SCHEMA_PREDICATES = frozenset({RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range})
_FOREIGN_TYPES = (str(SH), str(SKOS), str(OWL), str(KGC), str(KGSH), str(G), str(RDFS), str(RDF))
#: Foreign types a case may still use: rdf:Statement is the body of a provenance annotation
#: (`kg extract` writes one per single-triple fact); no shape or guideline reads it.
_SAFE_FOREIGN_TYPES = frozenset({RDF.Statement})

#: kg terms a case file may use as predicates.
CASE_PREDICATES = frozenset(URIRef(_KG + name) for name in (
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
CASE_CLASSES = frozenset(URIRef(_KG + name) for name in (
    "Case Applicant Injury Diagnosis Finding PriorTreatment PlannedCare Request Decision URDecision "
    "IMRDecision Citation"
).split())

#: Above this many blank nodes the canonical relabelling is skipped (its cost can grow fast on
#: crafted, highly symmetric graphs); determinations are still correct, only bnode ids vary.
MAX_CANONICAL_BNODES = 5_000

# Why a triple was quarantined, in words a reader of the output understands.
SUBJECT = "describe one of kg's own guideline, ontology or shape terms"
PREDICATE = "use a rule-side predicate (SHACL, SKOS, OWL, RDFS schema or non-case kg: terms)"
TYPE = "give a node a rule-side type (topic, recommendation, criterion, shape, class)"


def split_case(case: Graph, guidelines: Graph) -> tuple[Graph, list[tuple]]:
    """The case triples that are safe to judge, and those quarantined."""
    clean = Graph()
    quarantined: list[tuple] = []
    for triple in case:
        (quarantined.append(triple) if quarantine_reason(triple, guidelines) else clean.add(triple))
    return _canonical(clean), quarantined


def quarantine_reason(triple: tuple, guidelines: Graph) -> str | None:
    """Why ``triple`` may not enter the data graph, or None if it is a plain case fact."""
    s, p, o = triple
    if isinstance(s, URIRef) and (str(s).startswith(_PROTECTED_SUBJECTS) or (s, None, None) in guidelines):
        return SUBJECT
    if str(p).startswith(_FOREIGN_PREDICATES) or p in _SCHEMA_PREDICATES:
        return PREDICATE
    if str(p).startswith(_KG) and p not in CASE_PREDICATES:
        return PREDICATE
    if p == RDF.type and o not in CASE_CLASSES and o not in _SAFE_FOREIGN_TYPES and (
            str(o).startswith(_FOREIGN_TYPES) or str(o).startswith(_KG) or (o, None, None) in guidelines):
        return TYPE
    return None


def quarantine_note(quarantined: list[tuple], guidelines: Graph) -> str:
    """One sentence for the output: how many triples were set aside and why."""
    reasons = Counter(quarantine_reason(t, guidelines) or PREDICATE for t in quarantined)
    parts = "; ".join(f"{n} {reason}" for reason, n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])))
    return (f"Quarantined {len(quarantined)} triple(s) that would rewrite kg's rules ({parts}); "
            "they were ignored and did not affect any determination.")


def _canonical(graph: Graph) -> Graph:
    """The graph with blank nodes relabelled from their content (stable across serializations)."""
    bnodes = {t for triple in graph for t in triple if isinstance(t, BNode)}
    if not bnodes or len(bnodes) > MAX_CANONICAL_BNODES:
        return graph
    out = Graph()
    for triple in to_canonical_graph(graph):
        out.add(triple)
    for prefix, ns in graph.namespaces():
        out.bind(prefix, ns, override=False)
    return out


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
