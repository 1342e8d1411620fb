"""Synthetic IMR cases for benchmarks and property tests: realistic mix, deterministic per seed.

Nothing here is a guideline fact. The generator reads the guideline graph and the shapes at run
time: every topic with a recommendation whose criteria all have checks can be requested, and the
facts of a case are chosen per check (kg's constraint components) to pass it, to leave it
undocumented, or to document it as unmet. Proportions follow published IMR statistics: about a
quarter of disputed items are imaging, then physical therapy, EMG/NCS, equipment, chiropractic,
muscle relaxants, topicals, opioids, acupuncture; about 89% of items are upheld (not medically
necessary), so about 89% of items get at least one failing criterion.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.term import Node

from kg.namespaces import KG, RDF, SH, SKOS

#: Share of IMR disputed items per treatment category (percent); "other" takes the rest.
CATEGORY_WEIGHTS: dict[str, float] = {
    "imaging": 25, "physical-therapy": 12, "electrodiagnostics": 7, "equipment": 7,
    "chiropractic": 5, "muscle-relaxants": 6, "topicals": 6, "opioids": 8, "acupuncture": 5,
    "other": 19,
}
_KEYWORDS: dict[str, tuple[str, ...]] = {
    "imaging": ("mri", "ct ", "computed tomography", "x-ray", "xray", "radiograph", "imaging", "scan",
                "ultrasound", "bone scan", "arthrogram", "myelogra"),
    "physical-therapy": ("physical therapy", "physical medicine", "physiotherapy", "occupational therapy",
                         "work hardening", "work conditioning"),
    "electrodiagnostics": ("emg", "electromyograph", "nerve conduction", "ncs", "ncv", "electrodiagnos"),
    "equipment": ("tens", "equipment", "brace", "orthosis", "orthotic", "dme", "cold therapy", "unit",
                  "cane", "walker", "wheelchair", "mattress", "pillow", "interferential"),
    "chiropractic": ("chiropract", "manipulation", "manual therapy"),
    "muscle-relaxants": ("muscle relaxant", "cyclobenzaprine", "carisoprodol", "tizanidine", "baclofen",
                         "methocarbamol", "metaxalone", "orphenadrine", "flexeril", "soma"),
    "topicals": ("topical", "lidocaine", "lidoderm", "cream", "compound", "patch", "gel"),
    "opioids": ("opioid", "hydrocodone", "oxycodone", "tramadol", "morphine", "norco", "percocet",
                "hydromorphone", "fentanyl", "tapentadol", "buprenorphine", "methadone"),
    "acupuncture": ("acupunct",),
}
UPHELD_SHARE = 0.89
#: Share of failing criteria that fail by silence (not documented) rather than as documented unmet.
NOT_DOCUMENTED_SHARE = 0.6
#: Share of items whose recorded IMR decision disagrees with the facts (reviewers differ).
RECORDED_NOISE = 0.04
#: Share of UR decisions citing only non-MTUS guidance.
NON_MTUS_UR_SHARE = 0.3
#: Share of cases with a data-quality defect (an item kg must leave undetermined).
MALFORMED_SHARE = 0.01


@dataclass(frozen=True)
class Check:
    """One criterion check: the component parameter and its value, and the criterion."""

    criterion: URIRef
    parameter: URIRef
    value: Node


@dataclass(frozen=True)
class TopicPlan:
    """A requestable topic: its label, category, a date its recommendation is in force, checks."""

    topic: URIRef
    label: str
    category: str
    dates: tuple[dt.date, dt.date]
    checks: tuple[Check, ...]


@dataclass
class _Facts:
    diagnoses: dict[str, str] = field(default_factory=dict)  # key -> turtle body
    findings: dict[str, str] = field(default_factory=dict)
    priors: dict[str, str] = field(default_factory=dict)


def topic_plans(guidelines: Graph, shapes: Graph) -> list[TopicPlan]:
    """Every topic of the guideline graph that kg can decide, with its checks (stable order)."""

    checks_by_criterion: dict[Node, list[Check]] = {}
    for shape, criterion in shapes.subject_objects(KG.checksCriterion):
        inner = shapes.value(shape, SH.node)
        if inner is None:
            continue
        for p, o in shapes.predicate_objects(inner):
            if p != RDF.type:
                checks_by_criterion.setdefault(criterion, []).append(Check(criterion, p, o))
    plans = []
    for topic in sorted(set(guidelines.subjects(RDF.type, KG.TreatmentTopic)), key=str):
        label = str(guidelines.value(topic, SKOS.prefLabel) or topic)
        category = _category(guidelines, topic)
        for rec, window in _decidable_windows(guidelines, topic, checks_by_criterion).items():
            checks = tuple(c for crit in sorted(guidelines.objects(rec, KG.hasCriterion), key=str)
                           for c in sorted(checks_by_criterion.get(crit, []), key=str))
            plans.append(TopicPlan(topic, label, category, window, checks))
    return plans


def _decidable_windows(guidelines: Graph, topic: Node,
                       checks: dict[Node, list[Check]]) -> dict[Node, tuple[dt.date, dt.date]]:
    """Per governing recommendation, the span of dates in 2013-2017 (the era of the real
    letters) on which it governs the topic and every one of its criteria has a check."""
    from kg.decide import governing_recommendation

    day, end = dt.date(2013, 1, 1), dt.date(2017, 10, 31)
    found: dict[Node, tuple[dt.date, dt.date]] = {}
    while day <= end:
        rec = governing_recommendation(guidelines, topic, day)
        crits = list(guidelines.objects(rec, KG.hasCriterion)) if rec is not None else []
        if rec is not None and crits and all(c in checks for c in crits):
            found[rec] = (found[rec][0], day) if rec in found else (day, day)
        day += dt.timedelta(days=15)
    return found


def _category(guidelines: Graph, topic: Node) -> str:
    words = []
    node: Node | None = topic
    seen: set[Node] = set()
    while node is not None and node not in seen:
        seen.add(node)
        words.append(str(node).rsplit("/", 1)[-1])
        words.extend(str(o) for o in guidelines.objects(node, SKOS.prefLabel))
        words.extend(str(o) for o in guidelines.objects(node, SKOS.altLabel))
        node = guidelines.value(node, SKOS.broader)
    text = " ".join(words).lower() + " "
    for category, keys in _KEYWORDS.items():
        if any(k in text for k in keys):
            return category
    return "other"


def _weights(plans: list[TopicPlan]) -> list[float]:
    """Each category's IMR share spread over its topics; shares of absent categories are dropped."""
    per_category: dict[str, int] = {}
    for plan in plans:
        per_category[plan.category] = per_category.get(plan.category, 0) + 1
    return [CATEGORY_WEIGHTS[p.category] / per_category[p.category] for p in plans]


def generate(n: int, seed: int, guidelines: Graph, shapes: Graph) -> Iterator[tuple[str, str]]:
    """Yield ``(file name, Turtle text)`` for ``n`` synthetic cases; the same seed gives the same
    files byte for byte."""
    plans = topic_plans(guidelines, shapes)
    if not plans:
        raise ValueError("the guideline graph has no topic kg can decide; nothing to synthesise")
    weights = _weights(plans)
    rng = random.Random(seed)
    width = max(6, len(str(n)))
    for index in range(1, n + 1):
        name = f"synth-{seed}-{index:0{width}d}"
        yield f"{name}.ttl", _case(rng, name, seed, plans, weights, guidelines)


def write(n: int, seed: int, outdir: Path, guidelines: Graph, shapes: Graph) -> int:
    """Write ``n`` cases into ``outdir`` (created); return how many were written."""
    outdir.mkdir(parents=True, exist_ok=True)
    count = 0
    for name, text in generate(n, seed, guidelines, shapes):
        (outdir / name).write_text(text, encoding="utf-8")
        count += 1
    return count


def _case(rng: random.Random, name: str, seed: int, plans: list[TopicPlan], weights: list[float],
          guidelines: Graph) -> str:
    items = rng.choices((1, 2, 3), weights=(70, 22, 8))[0]
    chosen = []
    for plan in rng.choices(plans, weights=weights, k=items):
        if plan not in chosen:
            chosen.append(plan)
    facts = _Facts()
    requests = []
    malformed = rng.random() < MALFORMED_SHARE
    for number, plan in enumerate(chosen, start=1):
        requests.append(_request(rng, number, plan, facts, guidelines, malformed and number == 1))
    lines = [
        "@prefix kg: <https://w3id.org/kg-imr/ns#> .",
        "@prefix g: <https://w3id.org/kg-imr/guideline/> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        f"@prefix : <https://w3id.org/kg-imr/case/synth/{seed}/{name}#> .",
        "",
        f"# Synthetic case {name} (kg synth --seed {seed}); not a real person.",
        ":case a kg:Case ;",
        f'    rdfs:label "Synthetic case {name}" ;',
        f'    kg:caseNumber "{name.upper()}" ;',
        f"    kg:applicant [ a kg:Applicant ; kg:age {rng.randint(22, 66)} ] ;",
        f'    kg:injury [ a kg:Injury ; kg:injuryDate "{_date(rng, 2008, 2015)}"^^xsd:date ] ;',
    ]
    for body in facts.diagnoses.values():
        lines.append(f"    kg:diagnosis [ a kg:Diagnosis ; {body} ] ;")
    for body in facts.findings.values():
        lines.append(f"    kg:finding [ a kg:Finding ; {body} ] ;")
    for body in facts.priors.values():
        lines.append(f"    kg:priorTreatment [ a kg:PriorTreatment ; {body} ] ;")
    lines.append("    kg:hasRequest " + ", ".join(f":req-{i}" for i in range(1, len(requests) + 1)) + " .")
    lines.append("")
    lines.extend(requests)
    return "\n".join(lines) + "\n"


def _date(rng: random.Random, first_year: int, last_year: int) -> str:
    start = dt.date(first_year, 1, 1).toordinal()
    return dt.date.fromordinal(rng.randint(start, dt.date(last_year, 12, 31).toordinal())).isoformat()


def _request(rng: random.Random, number: int, plan: TopicPlan, facts: _Facts, guidelines: Graph,
             malformed: bool) -> str:
    necessary = rng.random() >= UPHELD_SHARE
    by_criterion: dict[URIRef, list[Check]] = {}
    for check in plan.checks:
        by_criterion.setdefault(check.criterion, []).append(check)
    criteria = sorted(by_criterion, key=str)
    failing: dict[URIRef, str] = {}
    if not necessary and criteria:
        for crit in rng.sample(criteria, k=min(len(criteria), rng.choices((1, 2), weights=(75, 25))[0])):
            failing[crit] = "silent" if rng.random() < NOT_DOCUMENTED_SHARE else "unmet"
    req = f":req-{number}"
    first, last = plan.dates
    day = dt.date.fromordinal(rng.randint(first.toordinal(), max(first.toordinal(), last.toordinal() - 14)))
    body = [f"{req} a kg:Request ;", f'    kg:requestText "{_escape(plan.label)} (synthetic item {number})" ;',
            f"    kg:topic <{plan.topic}> ;"]
    if not malformed:
        body.append(f'    kg:requestDate "{day.isoformat()}"^^xsd:date ;')
    limits = [int(c.value) for c in plan.checks if str(c.parameter).endswith("#maxQuantity")]
    quantity_modes = {failing.get(c.criterion, "pass") for c in plan.checks
                      if str(c.parameter).endswith(("#maxQuantity", "#quantityStated"))}
    if quantity_modes and "silent" not in quantity_modes:
        limit = min(limits) if limits else None
        if "unmet" in quantity_modes and limit is not None:
            quantity = limit + rng.randint(1, max(2, limit))
        else:
            quantity = rng.randint(1, limit) if limit else rng.randint(1, 12)
        body.append(f"    kg:quantity {quantity} ;")
    concurrent: list[str] = []
    for crit in criteria:
        mode = failing.get(crit, "pass")
        for check in by_criterion[crit]:
            name = str(check.parameter).rsplit("#", 1)[-1]
            value = check.value
            if name in ("quantityStated", "maxQuantity"):
                continue
            elif name in ("concurrentDocumented", "requiresConcurrent") and isinstance(value, URIRef):
                if mode != "silent":
                    planned = "false" if mode == "unmet" else "true"
                    concurrent.append(f"[ a kg:PlannedCare ; kg:treatment <{value}> ; kg:planned {planned} ]")
            else:
                _case_fact(rng, name, value, mode, facts, guidelines)
    if concurrent:
        body.append("    kg:concurrentCare " + ", ".join(dict.fromkeys(concurrent)) + " ;")
    ur_date = day + dt.timedelta(days=rng.randint(3, 14))
    mtus = rng.random() >= NON_MTUS_UR_SHARE
    cite = ('[ a kg:Citation ; kg:citesGuideline g:MTUS ]' if mtus
            else '[ a kg:Citation ; kg:citesGuideline g:ODG ]')
    upheld = (not necessary) != (rng.random() < RECORDED_NOISE)
    body.append(f"    kg:urDecision [ a kg:URDecision ; kg:decisionDate \"{ur_date.isoformat()}\"^^xsd:date ;"
                f" kg:urOutcome kg:Denied ; kg:cites {cite} ] ;")
    imr = "kg:Upheld" if upheld else "kg:Overturned"
    body.append(f"    kg:imrDecision [ a kg:IMRDecision ; kg:imrOutcome {imr} ] .")
    return "\n".join(body) + "\n"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _icd(guidelines: Graph, concept: Node, rng: random.Random) -> str | None:
    codes = sorted(str(n) for n in guidelines.objects(concept, SKOS.notation))
    return rng.choice(codes) if codes else None


def _case_fact(rng: random.Random, name: str, value: Node, mode: str, facts: _Facts, guidelines: Graph) -> None:
    """Add the case facts that make one check pass, stay silent, or be documented as unmet.

    Checks of components this generator does not know get no facts, except a waiver parameter
    (``...Waiver``: a finding that waives the requirement, e.g. a red flag), documented as
    present when the check should pass."""
    if name.endswith("Waiver") and isinstance(value, URIRef) and (value, RDF.type, KG.ClinicalConcept) in guidelines:
        if mode == "pass":
            facts.findings.setdefault(str(value), f"kg:concept <{value}> ; kg:present true")
    elif name == "diagnosisRecorded":
        if mode != "silent" and not facts.diagnoses:
            facts.diagnoses["generic"] = 'rdfs:label "low back pain" ; kg:icd10 "M54.5"'
    elif name == "requiresDiagnosis" and isinstance(value, URIRef):
        if mode == "pass":
            code = _icd(guidelines, value, rng)
            if code and rng.random() < 0.5:
                facts.diagnoses[str(value)] = f'rdfs:label "coded diagnosis" ; kg:icd10 "{code}"'
            else:
                facts.diagnoses[str(value)] = f"kg:concept <{value}>"
        elif mode == "unmet":
            facts.diagnoses.setdefault("other", 'rdfs:label "unrelated diagnosis" ; kg:icd10 "Z99.89"')
    elif name in ("findingDocumented", "requiresFinding") and isinstance(value, URIRef):
        if mode != "silent":
            present = "false" if mode == "unmet" else "true"
            facts.findings.setdefault(str(value), f"kg:concept <{value}> ; kg:present {present}")
    elif name in ("priorResponseDocumented", "noFailedPrior") and isinstance(value, URIRef):
        if mode == "silent":
            return
        count = rng.randint(1, 8) if mode == "unmet" or rng.random() < 0.5 else 0
        improved = "false" if mode == "unmet" else "true"
        extra = f" ; kg:functionalImprovement {improved}" if count else ""
        facts.priors.setdefault(str(value), f"kg:treatment <{value}> ; kg:count {count}{extra}")
    elif name in ("priorTriedDocumented", "requiresPriorTrial") and isinstance(value, URIRef):
        if mode != "silent":
            count = 0 if mode == "unmet" else rng.randint(1, 6)
            facts.priors.setdefault(str(value), f"kg:treatment <{value}> ; kg:count {count}")

