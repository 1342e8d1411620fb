"""Turn an extracted letter into a kg case graph, every fact annotated with its source span.

Provenance uses the W3C Web Annotation vocabulary: an ``oa:Annotation`` whose body is the fact
(the node, or an ``rdf:Statement`` for a single triple) and whose target selects the span of
the letter by position (``oa:TextPositionSelector`` over kg's normalized text) and by a short
quote (``oa:TextQuoteSelector``, at most 160 characters: never whole paragraphs).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from kg.extract.clinical import NUMBER, to_number
from kg.extract.sections import parse_date
from kg.namespaces import KG

if TYPE_CHECKING:
    from kg.extract import Letter

OA = Namespace("http://www.w3.org/ns/oa#")
CASE = "https://w3id.org/kg-imr/case/"
MAX_QUOTE = 160


def parse_quantity(text: str) -> tuple[int | None, str | None]:
    """How many units an item asks for, where the item text says so plainly; else (None, None)."""
    t = text.lower()
    m = re.search(r"(" + NUMBER + r")\s*(?:x|times)\s*(?:a\s+|per\s+)?(?:week|wk)\w*\s*(?:for|x|times)\s*(" + NUMBER
                  + r")\s*weeks?", t)
    if m and to_number(m.group(1)) and to_number(m.group(2)):
        return to_number(m.group(1)) * to_number(m.group(2)), "visit"  # type: ignore[operator]
    m = re.search(r"(?:^|\s)(" + NUMBER + r")\s+(?:\w+\s+){0,3}?(sessions?|visits?)\b", t) or \
        re.search(r"\b(sessions?|visits?)\b[^#\d]{0,20}?(?:#|x|times)?\s*(\d+)", t)
    if m:
        groups = m.groups()
        num = to_number(groups[0]) if to_number(groups[0]) is not None else to_number(groups[1])
        if num:
            return num, "visit"
    m = re.search(r"#\s*(\d+)", t)
    if m:
        return int(m.group(1)), "unit"
    m = re.search(r"\b(?:times|x)\s*(\d+)\b", t) or re.search(r"\((\d+)\)\s*$", t)
    if m:
        return int(m.group(1)), "visit"
    return None, None


class _Builder:
    def __init__(self, letter: Letter) -> None:
        self.letter = letter
        self.g = Graph()
        for prefix, ns in (("kg", KG._NS), ("g", "https://w3id.org/kg-imr/guideline/"), ("oa", OA),
                           ("prov", PROV), ("dcterms", DCTERMS), ("xsd", XSD), ("rdfs", RDFS)):
            self.g.bind(prefix, ns)
        self.ns = Namespace(case_namespace(letter.case_id))
        self.g.bind("", self.ns)
        self.source = self.ns["letter"]
        self.n = 0

    def node(self, name: str) -> URIRef:
        return self.ns[name]

    def annotate(self, body: URIRef | BNode, span: tuple[int, int] | None) -> None:
        """Attach the letter span a fact came from."""
        if span is None:
            return
        start, end = span
        exact = self.letter.text[start:end]
        if len(exact) > MAX_QUOTE:
            exact = exact[:MAX_QUOTE]
            end = start + MAX_QUOTE
        self.n += 1
        ann = self.ns[f"ann-{self.n}"]
        target, pos, quote = BNode(), BNode(), BNode()
        g = self.g
        g.add((ann, RDF.type, OA.Annotation))
        g.add((ann, OA.motivatedBy, OA.identifying))
        g.add((ann, OA.hasBody, body))
        g.add((ann, OA.hasTarget, target))
        g.add((target, RDF.type, OA.SpecificResource))
        g.add((target, OA.hasSource, self.source))
        g.add((target, OA.hasSelector, pos))
        g.add((target, OA.hasSelector, quote))
        g.add((pos, RDF.type, OA.TextPositionSelector))
        g.add((pos, OA.start, Literal(start)))
        g.add((pos, OA.end, Literal(end)))
        g.add((quote, RDF.type, OA.TextQuoteSelector))
        g.add((quote, OA.exact, Literal(" ".join(exact.split()))))

    def fact(self, s: URIRef, p: URIRef, o: object, span: tuple[int, int] | None) -> None:
        """Add one triple and annotate it (as an rdf:Statement) with its span."""
        obj = o if isinstance(o, URIRef | Literal | BNode) else Literal(o)
        self.g.add((s, p, obj))
        if span is not None:
            st = BNode()
            self.g.add((st, RDF.type, RDF.Statement))
            self.g.add((st, RDF.subject, s))
            self.g.add((st, RDF.predicate, p))
            self.g.add((st, RDF.object, obj))
            self.annotate(st, span)


def letter_graph(letter: Letter) -> Graph:
    """The case graph of one extracted letter (see module docstring for provenance)."""
    b = _Builder(letter)
    g = b.g
    case = b.node("case")
    h = letter.sections.header
    g.add((b.source, RDF.type, PROV.Entity))
    g.add((b.source, RDFS.label, Literal(f"IMR determination letter {letter.case_id}")))
    g.add((b.source, DCTERMS.identifier, Literal(letter.file_name)))
    g.add((case, RDF.type, KG.Case))
    g.add((case, RDFS.label, Literal(f"IMR case {letter.case_id}")))
    g.add((case, PROV.wasDerivedFrom, b.source))
    if "case_number" in h:
        b.fact(case, KG.caseNumber, Literal(h["case_number"].value), h["case_number"].span)
    else:
        g.add((case, KG.caseNumber, Literal(letter.case_id)))
    for key, prop in (("date_assigned", KG.dateAssigned), ("application_received", KG.applicationReceived)):
        if key in h and (d := parse_date(h[key].value)):
            b.fact(case, prop, Literal(d), h[key].span)
    _clinical(b, case)
    ur_date = parse_date(h["ur_denial_date"].value) if "ur_denial_date" in h else None
    imr_date = parse_date(h["decision_date"].value) if "decision_date" in h else None
    if ur_date is None and letter.ur_date_in_summary is not None:
        ur_date = letter.ur_date_in_summary.value
    for n, item in enumerate(letter.items, start=1):
        _item(b, case, n, item, ur_date, imr_date)
    return g


def _clinical(b: _Builder, case: URIRef) -> None:
    c = b.letter.clinical
    g = b.g
    h = b.letter.sections.header
    if c.age or c.sex or c.represented:
        app = b.node("applicant")
        g.add((case, KG.applicant, app))
        g.add((app, RDF.type, KG.Applicant))
        if c.age:
            b.fact(app, KG.age, Literal(c.age.value, datatype=XSD.integer), c.age.span)
        if c.sex:
            b.fact(app, KG.sex, Literal(c.sex.value), c.sex.span)
        if c.represented:
            b.fact(app, KG.represented, Literal(c.represented.value), c.represented.span)
    injury_date = None
    span = None
    if "injury_date" in h:
        injury_date, span = parse_date(h["injury_date"].value), h["injury_date"].span
    elif c.injury_date is not None:
        injury_date, span = _long_date(str(c.injury_date.value)), c.injury_date.span
    if injury_date or c.mechanism:
        inj = b.node("injury")
        g.add((case, KG.injury, inj))
        g.add((inj, RDF.type, KG.Injury))
        if injury_date:
            b.fact(inj, KG.injuryDate, Literal(injury_date), span)
        if c.mechanism:
            b.fact(inj, KG.mechanism, Literal(c.mechanism.value), c.mechanism.span)
    for n, dx in enumerate(c.diagnoses, start=1):
        node = b.node(f"dx-{n}")
        g.add((case, KG.diagnosis, node))
        g.add((node, RDF.type, KG.Diagnosis))
        g.add((node, RDFS.label, Literal(dx.value)))
        concept = dx.extra.get("concept")
        if concept is not None:
            g.add((node, KG.concept, concept))
            code = b.letter.icd10_for(concept)
            if code:
                g.add((node, KG.icd10, Literal(code)))
        b.annotate(node, dx.span)
    for n, t in enumerate(c.treatments, start=1):
        node = b.node(f"prior-{n}")
        g.add((case, KG.priorTreatment, node))
        g.add((node, RDF.type, KG.PriorTreatment))
        g.add((node, KG.treatment, t.extra["topic"]))
        g.add((node, RDFS.label, Literal(str(t.value))))
        for key, prop in (("count", KG.count), ("given", KG.given), ("painRelief", KG.painRelief),
                          ("functionalImprovement", KG.functionalImprovement)):
            value = t.extra.get(key)
            if value is not None:
                g.add((node, prop, Literal(value, datatype=XSD.integer) if key == "count" else Literal(value)))
        b.annotate(node, t.span)
    for m in c.medications:
        b.fact(case, KG.currentMedication, Literal(m.value), m.span)
    for t in c.tests:
        b.fact(case, KG.testResult, Literal(t.value), t.span)
    for n, f in enumerate(c.findings, start=1):
        node = b.node(f"finding-{n}")
        g.add((case, KG.finding, node))
        g.add((node, RDF.type, KG.Finding))
        g.add((node, KG.concept, f.extra["concept"]))
        g.add((node, KG.present, Literal(bool(f.extra["present"]))))
        g.add((node, RDFS.label, Literal(str(f.value))))
        b.annotate(node, f.span)
    if c.work_status:
        b.fact(case, KG.workStatus, c.work_status.value, c.work_status.span)
    for n, f in enumerate(c.planned, start=1):
        node = b.node(f"plan-{n}")
        g.add((node, RDF.type, KG.PlannedCare))
        g.add((node, KG.treatment, f.extra["topic"]))
        g.add((node, KG.planned, Literal(bool(f.extra["planned"]))))
        g.add((node, RDFS.label, Literal(str(f.value))))
        b.annotate(node, f.span)


def _item(b: _Builder, case: URIRef, n: int, item, ur_date, imr_date) -> None:  # noqa: ANN001
    g = b.g
    req = b.node(f"item-{n}")
    g.add((case, KG.hasRequest, req))
    g.add((req, RDF.type, KG.Request))
    b.fact(req, KG.requestText, Literal(item.label), item.label_span)
    if item.topic is not None:
        g.add((req, KG.topic, item.topic))
    for k in range(1, len(b.letter.clinical.planned) + 1):
        g.add((req, KG.concurrentCare, b.node(f"plan-{k}")))
    rec = item.recognition
    qty, unit = parse_quantity(item.label)
    if rec is not None and getattr(rec, "quantity", None):
        qty, unit = rec.quantity, rec.unit or unit
        qty = int(qty) if float(qty).is_integer() else qty
    if rec is not None and getattr(rec, "laterality", None) in {"left", "right", "bilateral"}:
        g.add((req, KG.laterality, {"left": KG.Left, "right": KG.Right, "bilateral": KG.Bilateral}[rec.laterality]))
    if rec is not None and getattr(rec, "body_region", None):
        g.add((req, KG.bodyRegion, Literal(rec.body_region)))
    if qty:
        g.add((req, KG.quantity, Literal(qty, datatype=XSD.integer if isinstance(qty, int) else XSD.decimal)))
        g.add((req, KG.unit, Literal(unit)))
    if item.original is not None:
        b.fact(req, KG.originalRequestText, Literal(item.original.value), item.original.span)
        oq, _ = parse_quantity(item.original.value)
        if oq:
            g.add((req, KG.originalQuantity, Literal(oq, datatype=XSD.integer)))
    if item.authorized is not None:
        b.fact(req, KG.authorizedText, Literal(item.authorized.value), item.authorized.span)
        aq, _ = parse_quantity(item.authorized.value)
        if aq:
            g.add((req, KG.authorizedQuantity, Literal(aq, datatype=XSD.integer)))
    ur = b.node(f"item-{n}-ur")
    g.add((req, KG.urDecision, ur))
    g.add((ur, RDF.type, KG.URDecision))
    g.add((ur, KG.urOutcome, KG.Modified if item.authorized is not None else KG.Denied))
    if ur_date:
        g.add((ur, KG.decisionDate, Literal(ur_date)))
    _cites(b, ur, item.ur_citations, f"item-{n}-ur")
    imr = b.node(f"item-{n}-imr")
    g.add((req, KG.imrDecision, imr))
    g.add((imr, RDF.type, KG.IMRDecision))
    b.fact(imr, KG.imrOutcome, KG.Upheld if item.decision == "Upheld" else KG.Overturned, item.decision_span)
    if imr_date:
        g.add((imr, KG.decisionDate, Literal(imr_date)))
    h = b.letter.sections.header
    if "specialty" in h:
        b.fact(imr, KG.reviewerSpecialty, Literal(h["specialty"].value), h["specialty"].span)
    if "licensure" in h:
        b.fact(imr, KG.reviewerLicensure, Literal(h["licensure"].value), h["licensure"].span)
    _cites(b, imr, item.imr_citations, f"item-{n}-imr")


def _cites(b: _Builder, decision: URIRef, block, name: str) -> None:  # noqa: ANN001
    g = b.g
    if block.no_evidence:
        b.fact(decision, KG.citedNoEvidence, Literal(True), block.span)
    for k, c in enumerate(block.citations, start=1):
        node = b.node(f"{name}-cite-{k}")
        g.add((decision, KG.cites, node))
        g.add((node, RDF.type, KG.Citation))
        g.add((node, KG.citesGuideline, c.guideline if c.guideline is not None else b.letter.other_evidence))
        if c.document is not None:
            g.add((node, KG.citesDocument, c.document))
        if c.edition is not None:
            g.add((node, KG.citesEdition, c.edition))
        if c.locator:
            g.add((node, KG.locator, Literal(c.locator)))
        g.add((node, KG.citationText, Literal(" ".join(c.text.split())[:MAX_QUOTE])))
        b.annotate(node, c.span)


def case_namespace(case_id: str) -> str:
    """The IRI namespace of the case extracted from a letter (stable: the case number)."""
    return f"{CASE}{_slug(case_id)}#"


def _slug(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", value).strip("-") or "letter"


def _long_date(value: str):  # noqa: ANN202
    import datetime as dt

    for fmt in ("%B %d, %Y", "%m/%d/%Y", "%m-%d-%Y", "%m/%d/%y", "%m-%d-%y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None
