"""Turn a SHACL validation report into determinations: a pure function, no I/O.

Inputs are the data graph that was validated (case facts plus the guideline graph), the shapes
graph, and the report. The shapes carry the meaning of each result:

* ``kg:checksCriterion`` + ``kg:failureStatus`` — a criterion check failed for the request in
  ``sh:value`` (not documented, or documented as unmet);
* ``kg:conflictShape`` — a procedural finding about the UR decision in ``sh:focusNode``;
* ``kg:dataQualityShape`` — the data are malformed: the affected items are undetermined.

Outcome rules (see DESIGN.md): malformed data or no governing guideline → undetermined;
any criterion of the governing recommendation unmet or not documented → not medically
necessary; otherwise medically necessary. Conflicts never change the outcome.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg.model import (
    MEDICALLY_NECESSARY,
    MET,
    NOT_DOCUMENTED,
    NOT_MEDICALLY_NECESSARY,
    UNDETERMINED,
    UNMET,
    CaseResult,
    Conflict,
    CriterionResult,
    Determination,
    Governing,
)
from kg.namespaces import KG, RDF, RDFS, SH, SKOS, G

_STATUS = {KG.NotDocumented: NOT_DOCUMENTED, KG.Unmet: UNMET}
_SEVERITY_ORDER = {NOT_DOCUMENTED: 2, UNMET: 1, MET: 0}
_CHRONIC_MONTHS = 3  # whole months from injury (8 CCR 9792.20); the same rule is in shapes/procedural.ttl
# Guideline and schema nodes are shared by every case: a data-quality walk never passes through them.
_SHARED_NODES = (str(G), str(KG._NS))


@dataclass(frozen=True)
class _Result:
    shape: Node
    focus: Node
    value: Node | None
    message: str


def decide(data: Graph, shapes: Graph, report: Graph, *, file: str = "") -> list[CaseResult]:
    """Determinations for every case (and stray request) in ``data``."""
    results = _results(report)
    index = _shape_index(shapes)
    criterion_failures: dict[tuple[Node, Node], tuple[str, Node]] = {}
    conflicts_by_focus: dict[Node, list[tuple[URIRef, _Result]]] = defaultdict(list)
    dq_by_request: dict[Node, list[str]] = defaultdict(list)

    for res in results:
        kind, meaning = index.classify(res.shape)
        if kind == "criterion" and res.value is not None:
            for criterion, status in meaning:
                key = (res.value, criterion)
                current = criterion_failures.get(key, (MET, None))[0]
                if _SEVERITY_ORDER[status] > _SEVERITY_ORDER[current]:
                    criterion_failures[key] = (status, res.shape)
        elif kind == "conflict":
            conflicts_by_focus[res.focus].append((meaning, res))
        else:  # data quality, or a shape kg does not know: never judged favourably
            owners = _owning_requests(data, res.focus)
            if not owners and (res.focus, RDF.type, KG.Case) not in data:
                # Nothing links the bad node to a request (an orphan, a mistyped link): it may
                # still have been meant for any of them, so it holds back every item in the file.
                owners = sorted(_all_requests(data), key=str)
                message = f"{res.message} (on a node no request or case links to)"
            else:
                message = res.message
            for request in owners:
                dq_by_request[request].append(message)
            dq_by_request[res.focus].append(message)

    cases = sorted(set(data.subjects(RDF.type, KG.Case)) | set(data.subjects(KG.hasRequest, None)), key=str)
    requests_seen: set[Node] = set()
    out: list[CaseResult] = []
    for case in cases:
        requests = sorted(set(data.objects(case, KG.hasRequest)), key=str)
        requests_seen.update(requests)
        items = [
            _determine(data, shapes, index, r, criterion_failures, conflicts_by_focus, dq_by_request)
            for r in requests
        ]
        if not items:
            findings = tuple(dq_by_request.get(case, ())) or ("The case has no requested item.",)
            items = [Determination(request=None, label="(no requested item)", topic=None, topic_iri=None,
                                   outcome=UNDETERMINED, findings=findings)]
        out.append(CaseResult(case=_iri(case), file=file, items=tuple(items),
                              label=_str(data.value(case, RDFS.label)),
                              case_number=_str(data.value(case, KG.caseNumber))))

    stray = sorted(_all_requests(data) - requests_seen, key=str)
    if stray:
        items = [_determine(data, shapes, index, r, criterion_failures, conflicts_by_focus, dq_by_request)
                 for r in stray]
        out.append(CaseResult(case=None, file=file, items=tuple(items)))
    if not out:
        out.append(CaseResult(case=None, file=file, items=(Determination(
            request=None, label="(nothing to judge)", topic=None, topic_iri=None, outcome=UNDETERMINED,
            findings=("The file holds no kg:Case and no kg:Request.",)),)))
    return out


def _determine(data: Graph, shapes: Graph, index: _ShapeIndex, request: Node,
               failures: dict[tuple[Node, Node], tuple[str, Node]],
               conflicts_by_focus: dict[Node, list[tuple[URIRef, _Result]]],
               dq_by_request: dict[Node, list[str]]) -> Determination:
    label = _str(data.value(request, KG.requestText)) or _str(data.value(request, RDFS.label)) or _local(request)
    topic = data.value(request, KG.topic)
    topic_label = _label(data, topic) if topic is not None else None
    ur = data.value(request, KG.urDecision)
    imr = data.value(request, KG.imrDecision)
    ur_outcome = data.value(ur, KG.urOutcome) if ur is not None else None
    recorded_ur = _label(data, ur_outcome) if ur_outcome is not None else None
    imr_outcome = data.value(imr, KG.imrOutcome) if imr is not None else None
    recorded_imr = {KG.Upheld: "upheld", KG.Overturned: "overturned"}.get(imr_outcome)

    conflicts = tuple(_conflicts(data, conflicts_by_focus, [n for n in (ur, imr) if n is not None]))
    base = dict(request=_iri(request), label=label, topic=topic_label, topic_iri=_iri(topic),
                conflicts=conflicts, recorded_ur=recorded_ur, recorded_imr=recorded_imr)

    findings = tuple(dict.fromkeys(dq_by_request.get(request, ())))
    ref_date = _reference_date(data, request)
    if findings:
        return Determination(outcome=UNDETERMINED, findings=findings, **base)
    if topic is None or ref_date is None:
        return Determination(outcome=UNDETERMINED, findings=("The request lacks a topic or a date.",), **base)

    rec = governing_recommendation(data, topic, ref_date, phase=case_phase(data, request, ref_date))
    if rec is None:
        return Determination(
            outcome=UNDETERMINED, reference_date=ref_date.isoformat(),
            findings=(f"No guideline in kg's graph addresses {topic_label} for a decision dated "
                      f"{ref_date.isoformat()}.",), **base)
    governing = describe_recommendation(data, rec)
    criteria: list[CriterionResult] = []
    unchecked: list[str] = []
    def order(c: Node) -> str:
        return _str(data.value(c, KG.notation)) or str(c)

    for criterion in sorted(data.objects(rec, KG.hasCriterion), key=order):
        if not index.has_checks(criterion):
            unchecked.append(_str(data.value(criterion, KG.notation)) or _local(criterion))
            continue
        status, shape = failures.get((request, criterion), (MET, None))
        reason = index.reason(shape, data) if shape is not None else None
        criteria.append(_criterion_result(data, criterion, status, reason, data.value(rec, KG.source)))
    if unchecked:
        return Determination(outcome=UNDETERMINED, governing=governing, reference_date=ref_date.isoformat(),
                             criteria=tuple(criteria),
                             findings=(f"Criteria without a SHACL check: {', '.join(unchecked)}.",), **base)
    if not criteria:
        return Determination(outcome=UNDETERMINED, governing=governing, reference_date=ref_date.isoformat(),
                             findings=("The governing recommendation has no criteria to check.",), **base)
    outcome = MEDICALLY_NECESSARY if all(c.status == MET for c in criteria) else NOT_MEDICALLY_NECESSARY
    agrees = None
    if recorded_imr is not None:
        agrees = (recorded_imr == "upheld") == (outcome == NOT_MEDICALLY_NECESSARY)
    return Determination(outcome=outcome, governing=governing, reference_date=ref_date.isoformat(),
                         criteria=tuple(criteria), agrees_with_imr=agrees, **base)


# --- guideline lookups (read the data graph, which holds the guideline graph) ---------------

def governing_recommendation(data: Graph, topic: Node, on: dt.date, *, phase: Node | None = None) -> Node | None:
    """The recommendation the evidence hierarchy puts first for ``topic`` on date ``on``.

    Among recommendations about the topic whose edition is in force on the date, the one from
    the guideline with the lowest evidence rank (the MTUS before ODG). Within a rank, the case's
    phase (``phase``; None = unknown) orders them: a recommendation limited to that phase first,
    then one for any phase, and one limited to another phase last. A phase never removes an MTUS
    recommendation: in the dev letters reviewers decided 70 of 194 acute-phase items under the
    Chronic Pain guidelines when no body-part chapter addressed the treatment. Ties are broken by
    IRI so the choice is stable.
    """
    candidates: list[tuple[int, int, str, Node]] = []
    for rec in data.subjects(KG.aboutTopic, topic):
        edition = data.value(data.value(rec, KG.source), KG.inEdition)
        if edition is None or not edition_in_force(data, edition, on):
            continue
        document = data.value(edition, KG.editionOf)
        limited = data.value(rec, KG.appliesToPhase) or data.value(document, KG.appliesToPhase)
        if limited is None or phase is None:
            fit = 1
        else:
            fit = 0 if limited == phase else 2
        guideline = data.value(document, KG.guideline)
        rank = data.value(data.value(guideline, KG.evidenceLevel), KG.rank)
        candidates.append((int(rank.toPython()) if isinstance(rank, Literal) else 99, fit, str(rec), rec))
    return min(candidates)[3] if candidates else None


def case_phase(data: Graph, request: Node, on: dt.date) -> Node | None:
    """Acute or chronic on the reference date, from the date of injury (None when unknown)."""
    case = data.value(None, KG.hasRequest, request) if (None, KG.hasRequest, request) in data else None
    injury = data.value(case, KG.injury) if case is not None else None
    injured = _date(data.value(injury, KG.injuryDate)) if injury is not None else None
    if injured is None or injured > on:
        return None
    months = (on.year - injured.year) * 12 + on.month - injured.month - (1 if on.day < injured.day else 0)
    return KG.ChronicPhase if months >= _CHRONIC_MONTHS else KG.AcutePhase


def edition_in_force(data: Graph, edition: Node, on: dt.date) -> bool:
    start = _date(data.value(edition, KG.effectiveFrom))
    end = _date(data.value(edition, KG.effectiveUntil))
    return start is not None and start <= on and (end is None or on <= end)


def describe_recommendation(data: Graph, rec: Node) -> Governing:
    section = data.value(rec, KG.source)
    g = _section_parts(data, section)
    return Governing(recommendation=str(rec), **g)


def citation_for(data: Graph, section: Node | None) -> str:
    """A short citation: guideline, document, edition, and page or section."""
    if section is None:
        return ""
    return str(Governing(**_section_parts(data, section)))


def _section_parts(data: Graph, section: Node | None) -> dict[str, str]:
    edition = data.value(section, KG.inEdition) if section is not None else None
    document = data.value(edition, KG.editionOf) if edition is not None else None
    guideline = data.value(document, KG.guideline) if document is not None else None
    pages = _str(data.value(section, KG.pages)) if section is not None else None
    title = _str(data.value(section, KG.sectionTitle)) if section is not None else None
    if pages:
        locator = f"{title}, p. {pages}" if title and "-" not in pages else (
            f"{title}, pp. {pages}" if title else f"p. {pages}")
    else:
        locator = f"Section: {title}" if title else ""
    return dict(
        guideline=_label(data, guideline) or "",
        document=_label(data, document) or "",
        edition=_str(data.value(edition, KG.editionLabel)) or "",
        locator=locator,
    )


def _criterion_result(data: Graph, criterion: Node, status: str, reason: str | None,
                      rec_section: Node | None) -> CriterionResult:
    """A criterion cites its own section, or else the governing recommendation's section (so one
    criterion can be shared by the recommendations of several editions)."""
    section = data.value(criterion, KG.source) or rec_section
    return CriterionResult(
        id=_str(data.value(criterion, KG.notation)) or _local(criterion),
        iri=str(criterion),
        status=status,
        statement=_str(data.value(criterion, KG.statement)) or "",
        citation=citation_for(data, section),
        verified=data.value(criterion, KG.confidence) == KG.Verified,
        reason=reason,
    )


def _conflicts(data: Graph, by_focus: dict[Node, list[tuple[URIRef, _Result]]],
               decisions: list[Node]) -> Iterable[Conflict]:
    seen: set[tuple[str, str]] = set()
    for decision in decisions:
        for ctype, res in by_focus.get(decision, ()):
            kind = _str(data.value(ctype, KG.notation)) or _local(ctype)
            basis = _str(data.value(ctype, KG.legalBasis)) or ""
            citation = basis
            if res.value is not None and (res.value, RDF.type, KG.Recommendation) in data:
                mtus = citation_for(data, data.value(res.value, KG.source))
                citation = f"{mtus}; {basis}" if basis else mtus
            key = (kind, citation)
            if key not in seen:
                seen.add(key)
                yield Conflict(type=kind, message=res.message, citation=citation, iri=str(ctype))


# --- report and shapes ----------------------------------------------------------------------

def _results(report: Graph) -> list[_Result]:
    out = []
    for rep in report.subjects(RDF.type, SH.ValidationReport):
        for r in report.objects(rep, SH.result):
            out.append(_Result(
                shape=report.value(r, SH.sourceShape),
                focus=report.value(r, SH.focusNode),
                value=report.value(r, SH.value),
                message=_str(report.value(r, SH.resultMessage)) or "A data-quality rule failed.",
            ))
    return out


_INDEX_CACHE: dict[int, tuple[Graph, int, _ShapeIndex]] = {}


def _shape_index(shapes: Graph) -> _ShapeIndex:
    """The index of ``shapes``, built once per shapes graph (and rebuilt if it changes size):
    batch runs decide thousands of cases against the same shapes."""
    hit = _INDEX_CACHE.get(id(shapes))
    if hit is None or hit[0] is not shapes or hit[1] != len(shapes):
        hit = _INDEX_CACHE[id(shapes)] = (shapes, len(shapes), _ShapeIndex(shapes))
    return hit[2]


class _ShapeIndex:
    """What each shape of the shapes graph means to kg."""

    def __init__(self, shapes: Graph) -> None:
        self._shapes = shapes
        self._criterion: dict[Node, list[tuple[Node, str]]] = defaultdict(list)
        for shape, criterion in shapes.subject_objects(KG.checksCriterion):
            status = _STATUS.get(shapes.value(shape, KG.failureStatus), UNMET)
            self._criterion[shape].append((criterion, status))
        self._checked = {c for pairs in self._criterion.values() for c, _ in pairs}
        self._conflict = dict(shapes.subject_objects(KG.conflictShape))
        self._parent = {prop: node for node, prop in shapes.subject_objects(SH.property)}

        # Each SHACL-SPARQL component: its parameter paths (required, all) and its message.
        self._components: list[tuple[frozenset[Node], tuple[Node, ...], str]] = []
        for component in shapes.subjects(RDF.type, SH.ConstraintComponent):
            message = shapes.value(shapes.value(component, SH.validator), SH.message)
            params = [p for p in shapes.objects(component, SH.parameter)]
            paths = tuple(sorted((shapes.value(p, SH.path) for p in params if shapes.value(p, SH.path) is not None),
                                 key=str))
            required = frozenset(shapes.value(p, SH.path) for p in params
                                 if shapes.value(p, SH.path) is not None and not _true(shapes.value(p, SH.optional)))
            if paths and message is not None:
                self._components.append((required, paths, str(message)))

    def reason(self, shape: Node, data: Graph) -> str | None:
        """Why a criterion check failed, from its component's message with every {$param} filled in.

        The component is the one whose required parameters the check's sh:node sets (the most
        specific when several fit), so the text does not depend on the engine's own message.
        """
        inner = self._shapes.value(shape, SH.node)
        if inner is None:
            return self._str_message(shape)
        given = {p for p in self._shapes.predicates(inner) if p != RDF.type}
        fitting = [(len(required), paths, template) for required, paths, template in self._components
                   if required and required <= given]
        if not fitting:
            return self._str_message(shape)
        _, paths, template = max(fitting, key=lambda f: (f[0], f[2]))
        for path in paths:
            value = self._shapes.value(inner, path)
            if value is not None:
                shown = _label(data, value) if not isinstance(value, Literal) else str(value)
                template = template.replace("{$" + _local(path) + "}", shown or str(value))
        return template

    def _str_message(self, shape: Node) -> str | None:
        return _str(self._shapes.value(shape, SH.message))

    def has_checks(self, criterion: Node) -> bool:
        return criterion in self._checked

    def classify(self, shape: Node) -> tuple[str, object]:
        if shape in self._criterion:
            return "criterion", self._criterion[shape]
        node = shape
        while node is not None:
            if node in self._conflict:
                return "conflict", self._conflict[node]
            node = self._parent.get(node)
        return "data-quality", None


def _owning_requests(data: Graph, node: Node) -> list[Node]:
    """The requests a data-quality finding about ``node`` affects.

    Walks incoming links back from ``node`` (any predicate, any depth) to the requests or cases
    that hold it; a case stands for all of its requests.
    """
    requests = _all_requests(data)
    seen: set[Node] = set()
    frontier = [node]
    owners: set[Node] = set()
    while frontier:
        current = frontier.pop()
        if current in seen:
            continue
        seen.add(current)
        if current in requests:
            owners.add(current)
            continue
        if (current, RDF.type, KG.Case) in data or (current, KG.hasRequest, None) in data:
            owners.update(data.objects(current, KG.hasRequest))
            continue
        if isinstance(current, URIRef) and str(current).startswith(_SHARED_NODES):
            continue
        frontier.extend(s for s in data.subjects(None, current) if s not in seen)
    return sorted(owners, key=str)


def _all_requests(data: Graph) -> set[Node]:
    return (set(data.subjects(RDF.type, KG.Request)) | set(data.objects(None, KG.hasRequest))
            | set(data.subjects(KG.topic, None)))


def _reference_date(data: Graph, request: Node) -> dt.date | None:
    ur = data.value(request, KG.urDecision)
    return _date(data.value(ur, KG.decisionDate)) if ur is not None and _date(data.value(ur, KG.decisionDate)) \
        else _date(data.value(request, KG.requestDate))


def _date(node: Node | None) -> dt.date | None:
    if isinstance(node, Literal):
        value = node.toPython()
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
    return None


def _label(data: Graph, node: Node | None) -> str | None:
    if node is None:
        return None
    for prop in (SKOS.prefLabel, RDFS.label):
        value = data.value(node, prop)
        if value is not None:
            return str(value)
    return _local(node)


def _str(node: Node | None) -> str | None:
    return str(node) if node is not None else None


def _iri(node: Node | None) -> str | None:
    if node is None:
        return None
    return f"_:{node}" if isinstance(node, BNode) else str(node)


def _local(node: Node) -> str:
    text = str(node)
    for sep in ("#", "/", ":"):
        if sep in text:
            text = text.rsplit(sep, 1)[1] or text
            break
    return text


def _true(node: Node | None) -> bool:
    return isinstance(node, Literal) and node.toPython() is True
