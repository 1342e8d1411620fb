"""The one conversion every picture starts from: RDF (and kg's determinations) → a typed networkx graph.

Each node has a ``kind`` (guideline, document, edition, section, topic, recommendation,
criterion, case, applicant, diagnosis, finding, treatment, request, decision, determination,
conflict, class), a short ``label`` with line breaks already placed, a one-line ``title``, an
``iri``, a ``status`` (criterion status or outcome, else ""), a ``level`` (column in a left-to-
right layout), ``verified`` ("yes"/"no"/"") and ``facts``: ``[(name, value), ...]`` shown when a
reader clicks the node. Each edge has a ``kind`` (the ontology property it stands for) and a
``label``. Renderers (kg.viz.render) only read these attributes, so every format shows the same
picture. All strings are plain text: renderers escape them for their own format.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable
from pathlib import Path

import networkx as nx
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL
from rdflib.term import Node

from kg.api import validate
from kg.decide import citation_for
from kg.errors import KgError
from kg.knowledge import Knowledge, bundled_knowledge
from kg.loader import load_rdf
from kg.model import MET, NOT_DOCUMENTED, UNMET, CaseResult, Determination
from kg.namespaces import KG, RDF, RDFS, SKOS
from kg.prepare import split_case
from kg.render.safe import clean

NODE_KINDS = (
    "guideline", "document", "edition", "section", "topic", "recommendation", "criterion",
    "case", "applicant", "diagnosis", "finding", "treatment", "request", "decision",
    "determination", "conflict", "class",
)
STATUS_TEXT = {MET: "MET", UNMET: "UNMET", NOT_DOCUMENTED: "NOT DOCUMENTED"}
OUTCOME_TEXT = {
    "medically-necessary": "MEDICALLY NECESSARY",
    "not-medically-necessary": "NOT MEDICALLY NECESSARY",
    "undetermined": "UNDETERMINED",
}
_WRAP = 34
DCTERMS_TITLE = URIRef("http://purl.org/dc/terms/title")
#: kg's namespace, open: the pictures read every term of ontology/kg.ttl, including case terms the
#: closed ``kg.namespaces.KG`` does not list; tests/test_viz.py checks each one used here is declared.
K = Namespace(str(KG._NS))


class _Builder:
    """Adds typed nodes and edges with consistent attributes."""

    def __init__(self, view: str, title: str) -> None:
        self.g = nx.DiGraph(view=view, title=clean(title))

    def node(self, key: str, kind: str, label: str, *, title: str | None = None, iri: str = "",
             status: str = "", level: int = 0, verified: str = "",
             facts: Iterable[tuple[str, str]] = ()) -> str:
        assert kind in NODE_KINDS, kind
        if key in self.g:
            return key
        self.g.add_node(key, kind=kind, label=clean(label), title=clean(title or " ".join(label.split())), iri=iri,
                        status=status, level=level, verified=verified,
                        facts=[(clean(k), clean(v)) for k, v in facts if v not in (None, "")])
        return key

    def edge(self, source: str, target: str, kind: str, label: str | None = None) -> None:
        if source == target or source not in self.g or target not in self.g:
            return
        text = clean(label if label is not None else _words(kind))
        if self.g.has_edge(source, target):
            old = self.g.edges[source, target]
            if text not in old["label"].split(" / "):
                old["label"] = f"{old['label']} / {text}"
            return
        self.g.add_edge(source, target, kind=kind, label=text)


# --- topic view -----------------------------------------------------------------------------

def resolve_topic(name: str, guidelines: Graph) -> URIRef:
    """The treatment topic named by an IRI, a local name (LumbarSympatheticBlock), a label or a code."""
    topics = set(guidelines.subjects(RDF.type, K.TreatmentTopic))
    wanted = name.strip()
    if URIRef(wanted) in topics:
        return URIRef(wanted)
    folded = wanted.casefold()
    by_local = [t for t in topics if _local(t).casefold() == folded]
    if len(by_local) == 1:
        return by_local[0]
    by_label = {t for t in topics for p in (SKOS.prefLabel, SKOS.altLabel, RDFS.label, SKOS.notation)
                for v in guidelines.objects(t, p) if str(v).casefold() == folded}
    if len(by_label) == 1:
        return by_label.pop()
    if len(by_label) > 1:
        names = ", ".join(sorted(_local(t) for t in by_label))
        raise KgError(f"topic {clean(name)!r} is ambiguous: it names {names}; use one of these local names")
    close = sorted(_local(t) for t in topics
                   if folded in _local(t).casefold()
                   or any(folded in str(v).casefold() for v in guidelines.objects(t, SKOS.prefLabel)))
    known = sorted(_local(t) for t in topics)
    hint = f" (did you mean {', '.join(close[:5])}?)" if close else (
        f" (known topics include {', '.join(known[:8])}{', …' if len(known) > 8 else ''})")
    raise KgError(f"no treatment topic {clean(name)!r} in kg's guideline graph{hint}")


def topic_graph(topic: str, knowledge: Knowledge | None = None) -> nx.DiGraph:
    """The guidelines, documents, editions, sections, recommendations and criteria for one topic."""
    kb = knowledge or bundled_knowledge()
    g, shapes = kb.guidelines, kb.shapes
    t = resolve_topic(topic, g)
    b = _Builder("topic", f"kg guideline graph: {_label(g, t)}")
    tid = _topic_node(b, g, t, level=0)
    for broader in sorted(g.objects(t, SKOS.broader), key=str):
        b.edge(tid, _topic_node(b, g, broader, level=0), "broader", "broader")
    for narrower in sorted(g.subjects(SKOS.broader, t), key=str):
        b.edge(_topic_node(b, g, narrower, level=0), tid, "broader", "broader")
    recommendations = sorted(g.subjects(K.aboutTopic, t), key=str)
    if not recommendations:
        b.g.nodes[tid]["facts"].append(("guidelines", "no recommendation in kg's graph addresses this topic: "
                                                      "a request for it is undetermined"))
    for rec in recommendations:
        rid = _recommendation_node(b, g, rec, level=1)
        b.edge(rid, tid, "aboutTopic", "about topic")
        section = g.value(rec, K.source)
        if section is not None:
            b.edge(rid, _citation_chain(b, g, section, level=2), "source", "source")
        for crit in sorted(g.objects(rec, K.hasCriterion), key=lambda c: _str(g.value(c, K.notation)) or str(c)):
            cid = _criterion_node(b, g, shapes, crit, level=2)
            b.edge(rid, cid, "hasCriterion", "has criterion")
            own = g.value(crit, K.source)
            if own is not None and own != section:
                b.edge(cid, _citation_chain(b, g, own, level=3), "source", "source")
    return b.g


def _topic_node(b: _Builder, g: Graph, t: Node, level: int) -> str:
    codes = [f"{_local(v.datatype) if isinstance(v, Literal) and v.datatype else 'code'} {v}"
             for v in sorted(g.objects(t, SKOS.notation), key=str)]
    label = _label(g, t)
    return b.node(str(t), "topic", _wrap(label) + (f"\n{codes[0]}" if codes else ""), title=label, iri=str(t),
                  level=level, facts=[
                      ("preferred label", label),
                      ("also called", ", ".join(sorted(str(v) for v in g.objects(t, SKOS.altLabel)))),
                      ("codes", ", ".join(codes)),
                      ("broader", ", ".join(_label(g, x) for x in g.objects(t, SKOS.broader))),
                      ("note", _str(g.value(t, RDFS.comment))),
                  ])


def _recommendation_node(b: _Builder, g: Graph, rec: Node, level: int) -> str:
    status = g.value(rec, K.status)
    status_label = _label(g, status) if status is not None else ""
    cites = citation_for(g, g.value(rec, K.source))
    label = _str(g.value(rec, RDFS.label)) or _local(rec)
    return b.node(str(rec), "recommendation", _wrap(label) + (f"\n[{status_label}]" if status_label else ""),
                  title=label, iri=str(rec), level=level, facts=[
                      ("recommendation", label), ("status", status_label), ("cited", cites),
                      ("note", _str(g.value(rec, RDFS.comment))),
                  ])


def _criterion_node(b: _Builder, g: Graph, shapes: Graph, crit: Node, level: int) -> str:
    notation = _str(g.value(crit, K.notation)) or _local(crit)
    statement = _str(g.value(crit, K.statement)) or ""
    verified = g.value(crit, K.confidence) == K.Verified
    checks = sorted(_local(s) for s in shapes.subjects(K.checksCriterion, crit))
    label = f"{notation}\n{_wrap(statement, 40)}" + ("" if verified else "\n(unverified)")
    return b.node(str(crit), "criterion", label, title=f"{notation}: {statement}",
                  iri=str(crit), level=level, verified="yes" if verified else "no", facts=[
                      ("criterion", notation), ("statement", statement), _confidence(g, crit),
                      ("cited", citation_for(g, g.value(crit, K.source))),
                      ("checked by SHACL shapes", ", ".join(checks) or "none (items would be undetermined)"),
                  ])


def _citation_chain(b: _Builder, g: Graph, section: Node, level: int) -> str:
    """section → edition → document → guideline, each once."""
    edition = g.value(section, K.inEdition)
    title = _str(g.value(section, K.sectionTitle)) or _label(g, section)
    pages = _str(g.value(section, K.pages))
    sverified = g.value(section, K.confidence) == K.Verified
    sid = b.node(str(section), "section", _wrap(title) + (f"\np. {pages}" if pages else "")
                 + ("" if sverified else "\n(unverified)"), title=title,
                 iri=str(section), level=level,
                 verified="yes" if g.value(section, K.confidence) == K.Verified else "no", facts=[
                     ("section", title), ("pages", pages), ("cited as", citation_for(g, section)),
                     _confidence(g, section), ("note", _str(g.value(section, RDFS.comment))),
                 ])
    if edition is None:
        return sid
    document = g.value(edition, K.editionOf)
    eid = b.node(str(edition), "edition", _wrap(_label(g, edition)), iri=str(edition), level=level + 1, facts=[
        ("edition", _label(g, edition)), ("edition label", _str(g.value(edition, K.editionLabel))),
        ("in force from", _str(g.value(edition, K.effectiveFrom))),
        ("in force until", _str(g.value(edition, K.effectiveUntil)) or "still in force"),
        _confidence(g, edition),
    ])
    b.edge(sid, eid, "inEdition", "in edition")
    if document is not None:
        guideline = g.value(document, K.guideline)
        did = b.node(str(document), "document", _wrap(_label(g, document)), iri=str(document), level=level + 2,
                     facts=[("document", _label(g, document)), ("regulation", _str(g.value(document, K.regulation))),
                            ("note", _str(g.value(document, RDFS.comment)))])
        b.edge(eid, did, "editionOf", "edition of")
        if guideline is not None:
            level_node = g.value(guideline, K.evidenceLevel)
            rank = _str(g.value(level_node, K.rank)) if level_node is not None else None
            gname = _label(g, guideline)
            gid = b.node(str(guideline), "guideline", gname + (f"\nevidence rank {rank}" if rank else ""),
                         title=gname, iri=str(guideline), level=level + 3, facts=[
                             ("guideline", _str(g.value(guideline, DCTERMS_TITLE)) or gname),
                             ("evidence rank", rank), ("MTUS", _str(g.value(guideline, K.isMTUS))),
                             ("legal basis", _str(g.value(level_node, K.legalBasis)) if level_node else None),
                         ])
            b.edge(did, gid, "guideline", "guideline")
    return sid


# --- case view ------------------------------------------------------------------------------

def case_graph(path: str | Path, knowledge: Knowledge | None = None) -> nx.DiGraph:
    """A case's facts, requests and kg's determinations (the same kg.api.validate as `kg validate`)."""
    kb = knowledge or bundled_knowledge()
    results = validate(path, knowledge=kb)
    raw = load_rdf(path)
    clean_case, _ = split_case(raw, kb.guidelines)  # only case vocabulary is drawn, as it is judged
    data = Graph()
    data += kb.guidelines
    data += clean_case
    return build_case_graph(data, results, title=_case_title(results, path))


def build_case_graph(data: Graph, results: list[CaseResult], *, title: str) -> nx.DiGraph:
    """The case picture from a data graph (guidelines + clean case facts) and its determinations."""
    b = _Builder("case", title)
    for result in results:
        case = _node_of(result.case)
        if case is not None:
            _case_nodes(b, data, case, result)
        for item in result.items:
            _determination_nodes(b, data, item, case)
    return b.g


def _case_title(results: list[CaseResult], path: str | Path) -> str:
    names = [r.label or r.case_number for r in results if r.label or r.case_number]
    return f"kg case: {'; '.join(names) if names else Path(path).name}"


def _case_nodes(b: _Builder, g: Graph, case: Node, result: CaseResult) -> None:
    label = result.label or _local(case)
    injury = g.value(case, K.injury)
    work = g.value(case, K.workStatus)
    cid = b.node(_key(case), "case", _wrap(label) + (f"\n{result.case_number}" if result.case_number else ""),
                 title=label, iri=_key(case), level=0, facts=[
                     ("case", label), ("case number", result.case_number), ("file", result.file),
                     ("date of injury", _str(g.value(injury, K.injuryDate)) if injury is not None else None),
                     ("mechanism", _str(g.value(injury, K.mechanism)) if injury is not None else None),
                     ("work status", _label(g, work) if work is not None else None),
                     ("current medication", ", ".join(sorted(str(m) for m in g.objects(case, K.currentMedication)))),
                     *[("note", n) for n in result.notes],
                 ])
    applicant = g.value(case, K.applicant)
    if applicant is not None:
        age, sex = _str(g.value(applicant, K.age)), _str(g.value(applicant, K.sex))
        rep = g.value(applicant, K.represented)
        bits = [f"age {age}" if age else "", sex or "",
                {True: "represented", False: "unrepresented"}.get(rep.toPython() if isinstance(rep, Literal) else None,
                                                                   "")]
        aid = b.node(_key(applicant), "applicant", "applicant\n" + ", ".join(x for x in bits if x), iri=_key(applicant),
                     level=1, facts=[("age", age), ("sex", sex), ("represented", _str(rep))])
        b.edge(cid, aid, "applicant")
    for dx in sorted(g.objects(case, K.diagnosis), key=str):
        name = _str(g.value(dx, RDFS.label)) or _label(g, g.value(dx, K.concept)) or "diagnosis"
        code = _str(g.value(dx, K.icd10))
        did = b.node(_key(dx), "diagnosis", _wrap(name) + (f"\nICD-10 {code}" if code else ""), title=name,
                     iri=_key(dx), level=1, facts=[("diagnosis", name), ("ICD-10-CM", code),
                                                   ("concept", _label(g, g.value(dx, K.concept)))])
        b.edge(cid, did, "diagnosis")
    for f in sorted(g.objects(case, K.finding), key=str):
        concept = g.value(f, K.concept)
        name = _label(g, concept) if concept is not None else (_str(g.value(f, RDFS.label)) or "finding")
        present = g.value(f, K.present)
        state = {True: "present", False: "absent"}.get(present.toPython() if isinstance(present, Literal) else None,
                                                       "not stated")
        fid = b.node(_key(f), "finding", f"{_wrap(name)}\n({state})", title=f"{name} ({state})", iri=_key(f), level=1,
                     facts=[("finding", name), ("documented as", state)])
        b.edge(cid, fid, "finding")
    for p in sorted(g.objects(case, K.priorTreatment), key=str):
        b.edge(cid, _treatment_node(b, g, p, "prior", level=1), "priorTreatment", "prior treatment")


def _treatment_node(b: _Builder, g: Graph, node: Node, prefix: str, level: int) -> str:
    topic = g.value(node, K.treatment)
    name = _label(g, topic) if topic is not None else (_str(g.value(node, RDFS.label)) or "treatment")
    facts: list[tuple[str, str | None]] = [("treatment", name)]
    bits = []
    if prefix == "prior":
        count = _str(g.value(node, K.count))
        fi, pr = g.value(node, K.functionalImprovement), g.value(node, K.painRelief)
        if count is not None:
            bits.append("never given" if count == "0" else f"{count} given")
        elif _str(g.value(node, K.given)) == "true":
            bits.append("given, number not stated")
        if isinstance(fi, Literal):
            bits.append("functional improvement" if fi.toPython() is True else "no functional improvement")
        if isinstance(pr, Literal):
            bits.append("pain relief" if pr.toPython() is True else "no pain relief")
        facts += [("count", count), ("functional improvement", _str(fi)), ("pain relief", _str(pr)),
                  ("note", _str(g.value(node, RDFS.comment)))]
    else:
        planned = g.value(node, K.planned)
        state = {True: "planned", False: "not planned"}.get(
            planned.toPython() if isinstance(planned, Literal) else None, "plan not stated")
        bits.append(state)
        facts.append(("with the request", state))
    return b.node(_key(node), "treatment", f"{prefix}: {_wrap(name)}" + (f"\n{', '.join(bits)}" if bits else ""),
                  title=f"{prefix}: {name}", iri=_key(node), level=level, facts=facts)


def _determination_nodes(b: _Builder, g: Graph, item: Determination, case: Node | None) -> None:
    request = _node_of(item.request)
    req_key = item.request or f"request:{item.label}"
    rid = b.node(req_key, "request", _wrap(item.label), title=item.label, iri=item.request or "", level=1, facts=[
        ("requested", item.label),
        ("quantity", " ".join(x for x in (_str(g.value(request, K.quantity)), _str(g.value(request, K.unit))) if x)
         if request is not None else None),
        ("request date", _str(g.value(request, K.requestDate)) if request is not None else None),
        ("body region", _str(g.value(request, K.bodyRegion)) if request is not None else None),
    ])
    if case is not None:
        b.edge(_key(case), rid, "hasRequest", "has request")
    if item.topic_iri:
        tid = b.node(item.topic_iri, "topic", _wrap(item.topic or _local(URIRef(item.topic_iri))),
                     iri=item.topic_iri, level=2, facts=[("topic", item.topic)])
        b.edge(rid, tid, "topic")
    if request is not None:
        for care in sorted(g.objects(request, K.concurrentCare), key=str):
            b.edge(rid, _treatment_node(b, g, care, "with it", level=2), "concurrentCare", "concurrent care")
    decisions: dict[str, str] = {}
    for prop, who in ((K.urDecision, "UR"), (K.imrDecision, "IMR")):
        decision = g.value(request, prop) if request is not None else None
        if decision is not None:
            decisions[who] = _decision_node(b, g, decision, who, item)
            b.edge(rid, decisions[who], _local(prop), f"{who} decision")

    outcome = OUTCOME_TEXT.get(item.outcome, item.outcome)
    failed = [c for c in item.criteria if c.status != MET]
    counts = {s: sum(c.status == s for c in item.criteria) for s in (UNMET, NOT_DOCUMENTED)}
    sub = "\n".join(f"{n} of {len(item.criteria)} criteria {STATUS_TEXT[s].lower()}" for s, n in counts.items() if n)
    if not failed:
        sub = f"all {len(item.criteria)} criteria met" if item.criteria else _wrap(_short(" ".join(item.findings), 90))
    det = b.node(f"{req_key}#kg-determination", "determination",
                 f"kg: {outcome}" + (f"\n{sub}" if sub else ""), title=f"kg determination: {outcome}",
                 status=item.outcome, level=2, facts=[
                     ("kg determination", outcome),
                     ("governing guideline", str(item.governing) if item.governing else "none"),
                     ("editions in force on", item.reference_date),
                     *[(f"criterion {c.id}", f"{STATUS_TEXT[c.status]}"
                        + (f": {c.reason}" if c.reason and c.status != MET else "") + f" ({c.citation})")
                       for c in item.criteria],
                     *[("finding", f) for f in item.findings],
                     ("agrees with recorded IMR", {True: "yes", False: "NO"}.get(item.agrees_with_imr)),
                     ("reminder", "kg is a decision aid: only a physician may deny care."),
                 ])
    b.edge(det, rid, "aboutRequest", "about request")
    if item.governing is not None and item.governing.recommendation:
        rec = item.governing.recommendation
        gov = str(item.governing)
        b.node(rec, "recommendation", _wrap(gov), title=gov, iri=rec, level=3, facts=[
            ("governing recommendation", _str(g.value(URIRef(rec), RDFS.label))), ("cited", gov),
            ("status", _label(g, g.value(URIRef(rec), K.status)) if g.value(URIRef(rec), K.status) else None),
        ])
        b.edge(det, rec, "governedBy", "governed by")
    for c in item.criteria:
        text = STATUS_TEXT[c.status]
        cid = b.node(f"{det}/{c.iri}", "criterion",
                     f"{c.id}: {text}\n{_wrap(c.statement, 44)}"
                     + (f"\nwhy: {_wrap(c.reason, 44)}" if c.reason and c.status != MET else "")
                     + f"\ncited: {_wrap(c.citation, 44)}" + ("" if c.verified else "\n(unverified)"),
                     title=f"{c.id}: {text}", iri=c.iri, status=c.status, level=3,
                     verified="yes" if c.verified else "no", facts=[
                         ("criterion", c.id), ("status", text), ("statement", c.statement), ("why", c.reason),
                         ("cited", c.citation),
                         ("confidence", "verified" if c.verified else "unverified: check the guideline itself"),
                     ])
        b.edge(det, cid, "criterionResult", text.lower())
    for conflict in item.conflicts:
        name = _label(g, URIRef(conflict.iri)) if conflict.iri else conflict.type
        xid = b.node(f"{det}/conflict/{conflict.type}", "conflict", f"CONFLICT\n{_wrap(name)}",
                     title=f"conflict: {name}", iri=conflict.iri, status="conflict", level=3, facts=[
                         ("conflict", name), ("type", conflict.type), ("what happened", conflict.message),
                         ("cited", conflict.citation),
                         ("effect", "reported beside the determination; it never changes the outcome"),
                     ])
        b.edge(det, xid, "conflict")
        if "UR" in decisions:
            b.edge(decisions["UR"], xid, "conflict", "conflict")
    if "IMR" in decisions and item.agrees_with_imr is not None:
        verdict = "agrees with IMR" if item.agrees_with_imr else "DISAGREES with IMR"
        b.edge(det, decisions["IMR"], "agreesWithIMR", verdict)


def _decision_node(b: _Builder, g: Graph, decision: Node, who: str, item: Determination) -> str:
    outcome = g.value(decision, K.urOutcome if who == "UR" else K.imrOutcome)
    text = _label(g, outcome) if outcome is not None else "outcome not recorded"
    date = _str(g.value(decision, K.decisionDate))
    cites = [_citation_text(g, c) for c in g.objects(decision, K.cites)]
    if g.value(decision, K.citedNoEvidence) == Literal(True):
        cites.append("no medical evidence cited")
    label = f"recorded {who}: {text}" + (f"\n{date}" if date else "") + "".join(f"\ncited: {_wrap(c)}" for c in cites)
    return b.node(_key(decision), "decision", label, title=f"recorded {who} decision: {text}", iri=_key(decision),
                  status=str(text), level=2, facts=[
                      (f"recorded {who} decision", text), ("date", date), *[("cited", c) for c in cites],
                      ("reviewer specialty", _str(g.value(decision, K.reviewerSpecialty))),
                      ("used by kg", "no: kept to compare with kg's determination" if who == "IMR" else
                       "its date selects the editions in force; its citations are checked for conflicts"),
                  ])


def _citation_text(g: Graph, citation: Node) -> str:
    edition, document = g.value(citation, K.citesEdition), g.value(citation, K.citesDocument)
    document = document if document is not None else (g.value(edition, K.editionOf) if edition is not None else None)
    guideline = g.value(citation, K.citesGuideline)
    if guideline is None and document is not None:
        guideline = g.value(document, K.guideline)
    work = edition if edition is not None else document
    parts = [_label(g, guideline) if guideline is not None else "", _label(g, work) if work is not None else ""]
    locator = _str(g.value(citation, K.locator))
    composed = " ".join(p for p in parts if p) + (f", {locator}" if locator else "")
    return composed.strip(", ") or _str(g.value(citation, K.citationText)) or "citation"


# --- ontology view --------------------------------------------------------------------------

CLASS_KINDS = {
    K.Guideline: "guideline", K.GuidelineDocument: "document", K.Edition: "edition", K.Section: "section",
    K.TreatmentTopic: "topic", K.Recommendation: "recommendation", K.Criterion: "criterion", K.Case: "case",
    K.Applicant: "applicant", K.Diagnosis: "diagnosis", K.Finding: "finding", K.PriorTreatment: "treatment",
    K.PlannedCare: "treatment", K.Request: "request", K.Decision: "decision", K.URDecision: "decision",
    K.IMRDecision: "decision", K.Determination: "determination", K.Conflict: "conflict",
}


def ontology_graph(knowledge: Knowledge | None = None) -> nx.DiGraph:
    """kg's classes, their subclass links and the object properties between them (ontology/kg.ttl)."""
    g = (knowledge or bundled_knowledge()).guidelines
    ns = str(KG._NS)
    b = _Builder("ontology", "kg ontology: classes and properties")
    classes = sorted(c for c in g.subjects(RDF.type, OWL.Class) if str(c).startswith(ns))

    def class_node(c: Node) -> str:
        own = str(c).startswith(ns)
        datatype_props = sorted(_local(p) for p in g.subjects(RDFS.domain, c)
                                if (p, RDF.type, OWL.DatatypeProperty) in g)
        members = sorted(_label(g, m) for m in g.subjects(RDF.type, c) if str(m).startswith(ns))
        name = _local(c) if own else _qname(g, c)
        label = name + (f"\n{_wrap(', '.join(datatype_props), 30)}" if datatype_props else "") + \
            (f"\n= {_wrap(', '.join(members), 30)}" if members else "")
        return b.node(str(c), CLASS_KINDS.get(c, "class"), label, title=name, iri=str(c), facts=[
            ("class", name), ("label", _str(g.value(c, RDFS.label))), ("comment", _str(g.value(c, RDFS.comment))),
            ("data properties", ", ".join(datatype_props)), ("values", ", ".join(members)),
            ("defined in", "ontology/kg.ttl" if own else "an imported vocabulary"),
        ])

    for c in classes:
        class_node(c)
    for c in classes:
        for sup in g.objects(c, RDFS.subClassOf):
            if isinstance(sup, URIRef):
                b.edge(str(c), class_node(sup), "subClassOf", "subclass of")
    for p in sorted(g.subjects(RDF.type, OWL.ObjectProperty)):
        if not str(p).startswith(ns):
            continue
        domain, rng = g.value(p, RDFS.domain), g.value(p, RDFS.range)
        if domain is not None and rng is not None and str(domain) in b.g and str(rng) in b.g:
            b.edge(str(domain), str(rng), _local(p), _local(p))
        elif domain is not None and str(domain) in b.g:
            b.g.nodes[str(domain)]["facts"].append(("object property", f"{_local(p)} (any range)"))
        elif rng is not None and str(rng) in b.g:
            b.g.nodes[str(rng)]["facts"].append(("is the range of", _local(p)))
    _assign_levels(b.g)
    return b.g


def _assign_levels(graph: nx.DiGraph) -> None:
    """Columns for the layout: a node's level is its depth from nodes nothing points to."""
    roots = [n for n in graph if graph.in_degree(n) == 0] or list(graph)[:1]
    depth = {n: 0 for n in roots}
    frontier = list(roots)
    while frontier:
        nxt = []
        for n in frontier:
            for m in graph.successors(n):
                if m not in depth:
                    depth[m] = depth[n] + 1
                    nxt.append(m)
        frontier = nxt
    for n in graph:
        graph.nodes[n]["level"] = min(depth.get(n, 0), 6)


# --- helpers --------------------------------------------------------------------------------

def _confidence(g: Graph, node: Node) -> tuple[str, str]:
    if g.value(node, K.confidence) == K.Verified:
        against = _str(g.value(node, K.verifiedAgainst))
        return "confidence", f"verified against {against}" if against else "verified"
    if g.value(node, K.confidence) == K.Unverified:
        return "confidence", "unverified: check the guideline itself"
    return "confidence", ""


def _wrap(text: str, width: int = _WRAP) -> str:
    return "\n".join(textwrap.wrap(" ".join(clean(text).split()), width=width, break_long_words=True)) or "-"


def _words(name: str) -> str:
    """camelCase property name → words (priorTreatment → prior treatment)."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).lower()


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _label(g: Graph, node: Node | None) -> str:
    if node is None:
        return ""
    for prop in (SKOS.prefLabel, RDFS.label):
        value = g.value(node, prop)
        if value is not None:
            return str(value)
    return _local(node)


def _str(node: Node | None) -> str | None:
    return str(node) if node is not None else None


def _key(node: Node) -> str:
    return f"_:{node}" if isinstance(node, BNode) else str(node)


def _node_of(key: str | None) -> Node | None:
    if key is None:
        return None
    return BNode(key[2:]) if key.startswith("_:") else URIRef(key)


def _local(node: Node) -> str:
    text = str(node)
    for sep in ("#", "/", ":"):
        if sep in text:
            return text.rsplit(sep, 1)[1] or text
    return text


def _qname(g: Graph, node: Node) -> str:
    try:
        return g.namespace_manager.normalizeUri(node)
    except Exception:  # noqa: BLE001 - a label is all we need
        return _local(node)


__all__ = ["NODE_KINDS", "build_case_graph", "case_graph", "ontology_graph", "resolve_topic", "topic_graph"]
