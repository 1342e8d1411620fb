"""Invariance: a case's determinations do not depend on how it is written down.

Hypothesis generates cases (diagnoses, earlier treatments, planned care, dates, topics, UR
citations; nodes as IRIs or blank nodes) and writes each as Turtle, N-Triples (shuffled lines,
fresh blank-node labels), JSON-LD (expanded, and compacted with kg's bundled context) and
RDF/XML. Every variant must give byte-identical JSON after sorting, ignoring the "file" field;
so must validating the case alongside another one (``kg validate a.ttl b.ttl``).
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from kg.api import validate
from kg.cli import main
from kg.render.json import to_dict

KG = Namespace("https://w3id.org/kg-imr/ns#")
G = Namespace("https://w3id.org/kg-imr/guideline/")
CONTEXT = "https://w3id.org/kg-imr/context.jsonld"

TOPICS = [G.LumbarSympatheticBlock, G.StellateGanglionBlock, G.SympatheticBlock, G.HipMRI, G.HipXRay]
PRIOR_TOPICS = [G.LumbarSympatheticBlock, G.SympatheticBlock, G.PhysicalMedicine, G.EpiduralSteroidInjection]
PLANNED = [G.PhysicalMedicine, G.HomeExercise, G.FunctionalRestoration]
ICD = ["G90.522", "G90.512", "G57.71", "M54.5", "M25.551", "F32.9"]
# Each example runs the SHACL engine several times: shrinking a failure would take many minutes.
NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate)
DATES = ["2015-07-22", "2016-10-03", "2017-02-14"]


@st.composite
def cases(draw: st.DrawFn) -> dict[str, Any]:
    """A case as plain data; ``build`` turns it into a graph."""
    return {
        "bnodes": draw(st.booleans()),
        "case_bnode": draw(st.booleans()),
        "diagnoses": draw(st.lists(st.sampled_from(ICD), max_size=3, unique=True)),
        "priors": draw(st.lists(st.tuples(st.sampled_from(PRIOR_TOPICS), st.sampled_from([None, 0, 1, 3]),
                                          st.sampled_from([None, True, False])), max_size=3)),
        "requests": draw(st.lists(st.tuples(
            st.sampled_from(TOPICS), st.sampled_from(DATES),
            st.sampled_from([None, *PLANNED]), st.booleans(), st.sampled_from([None, G.ODG, G.MTUS])),
            min_size=1, max_size=2)),
    }


def build(spec: dict[str, Any], name: str) -> Graph:
    g = Graph()
    base = Namespace(f"https://example.org/invariance/{name}#")
    counter = iter(range(1000))

    def node(label: str) -> URIRef | BNode:
        return BNode() if spec["bnodes"] else base[f"{label}-{next(counter)}"]

    case = BNode() if spec["case_bnode"] else base.case
    g.add((case, RDF.type, KG.Case))
    g.add((case, RDFS.label, Literal(f"Generated case {name}")))
    for code in spec["diagnoses"]:
        dx = node("dx")
        g.add((case, KG.diagnosis, dx))
        g.add((dx, RDF.type, KG.Diagnosis))
        g.add((dx, KG.icd10, Literal(code)))
    for topic, count, improved in spec["priors"]:
        prior = node("prior")
        g.add((case, KG.priorTreatment, prior))
        g.add((prior, RDF.type, KG.PriorTreatment))
        g.add((prior, KG.treatment, topic))
        if count is not None:
            g.add((prior, KG["count"], Literal(count)))
        if improved is not None:
            g.add((prior, KG.functionalImprovement, Literal(improved)))
    for index, (topic, date, planned, is_planned, cited) in enumerate(spec["requests"]):
        req = base[f"req-{index}"]  # requests keep IRIs here; blank-node requests are tested below
        g.add((case, KG.hasRequest, req))
        g.add((req, RDF.type, KG.Request))
        g.add((req, KG.requestText, Literal(f"item {index}")))
        g.add((req, KG.topic, topic))
        g.add((req, KG.quantity, Literal(1)))
        g.add((req, KG.requestDate, Literal(date, datatype=XSD.date)))
        if planned is not None:
            care = node("care")
            g.add((req, KG.concurrentCare, care))
            g.add((care, RDF.type, KG.PlannedCare))
            g.add((care, KG.treatment, planned))
            g.add((care, KG.planned, Literal(is_planned)))
        if cited is not None:
            ur, cite = node("ur"), node("cite")
            g.add((req, KG.urDecision, ur))
            g.add((ur, RDF.type, KG.URDecision))
            g.add((ur, KG.decisionDate, Literal(date, datatype=XSD.date)))
            g.add((ur, KG.urOutcome, KG.Denied))
            g.add((ur, KG.cites, cite))
            g.add((cite, RDF.type, KG.Citation))
            g.add((cite, KG.citesGuideline, cited))
    return g


def shuffled_ntriples(g: Graph, seed: int) -> str:
    """N-Triples with fresh blank-node labels and the lines in a random order."""
    rng = random.Random(seed)
    fresh: dict[BNode, BNode] = {}

    def relabel(term: Any) -> Any:
        if isinstance(term, BNode):
            return fresh.setdefault(term, BNode(f"b{rng.randrange(10**9)}x{len(fresh)}"))
        return term

    out = Graph()
    for s, p, o in g:
        out.add((relabel(s), p, relabel(o)))
    lines = [line for line in out.serialize(format="nt").splitlines() if line.strip()]
    rng.shuffle(lines)
    return "\n".join(lines) + "\n"


def variants(g: Graph, tmp: Path, seed: int) -> list[Path]:
    files = {
        "case.ttl": g.serialize(format="turtle"),
        "case.nt": shuffled_ntriples(g, seed),
        "case.jsonld": g.serialize(format="json-ld"),
        "case-compact.jsonld": _compacted(g),
        "case.rdf": g.serialize(format="xml"),
    }
    paths = []
    for name, text in files.items():
        path = tmp / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def _compacted(g: Graph) -> str:
    """JSON-LD that names kg's bundled context by IRI (resolved locally by the loader)."""
    doc = json.loads(g.serialize(format="json-ld"))
    return json.dumps({"@context": CONTEXT, "@graph": doc})


def canonical(results: list) -> str:
    """JSON of the determinations, sorted, without the file names."""
    doc = to_dict(results)
    for case in doc["cases"]:
        case.pop("file")
        case["items"].sort(key=lambda item: json.dumps(item, sort_keys=True))
    doc["cases"].sort(key=lambda case: json.dumps(case, sort_keys=True))
    return json.dumps(doc, sort_keys=True)


@settings(max_examples=6, deadline=None, phases=NO_SHRINK, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                HealthCheck.too_slow])
@given(spec=cases(), seed=st.integers(0, 2**16))
def test_same_determinations_in_every_serialization(spec: dict[str, Any], seed: int, tmp_path_factory: Any) -> None:
    tmp = tmp_path_factory.mktemp("inv")
    paths = variants(build(spec, "a"), tmp, seed)
    outputs = {p.name: canonical(validate(p)) for p in paths}
    reference = outputs["case.ttl"]
    for name, out in outputs.items():
        assert out == reference, name


@settings(max_examples=3, deadline=None, phases=NO_SHRINK, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                HealthCheck.too_slow])
@given(first=cases(), second=cases())
def test_same_determinations_alone_or_with_other_cases(first: dict[str, Any], second: dict[str, Any],
                                                        tmp_path_factory: Any) -> None:
    tmp = tmp_path_factory.mktemp("pair")
    a, b = tmp / "a.ttl", tmp / "b.jsonld"
    a.write_text(build(first, "a").serialize(format="turtle"), encoding="utf-8")
    b.write_text(build(second, "b").serialize(format="json-ld"), encoding="utf-8")

    def cli(*files: Path) -> list[dict[str, Any]]:
        result = CliRunner().invoke(main, ["validate", *map(str, files), "--format", "json"])
        assert result.exit_code in (0, 1), result.stderr
        return json.loads(result.stdout)["cases"]

    together = cli(a, b)
    alone = cli(a) + cli(b)
    assert json.dumps(together, sort_keys=True) == json.dumps(alone, sort_keys=True)
    reversed_order = cli(b, a)
    assert sorted(json.dumps(c, sort_keys=True) for c in reversed_order) == \
        sorted(json.dumps(c, sort_keys=True) for c in together)


def test_blank_node_requests_get_stable_ids(tmp_path: Path) -> None:
    """Requests written as blank nodes: the ids in the output come from the content, not labels."""
    spec = {"bnodes": True, "case_bnode": True, "diagnoses": ["G90.522"],
            "priors": [(G.LumbarSympatheticBlock, 1, True)],
            "requests": [(G.LumbarSympatheticBlock, "2015-07-22", G.PhysicalMedicine, True, G.ODG),
                         (G.HipMRI, "2016-10-03", None, False, None)]}
    g = build(spec, "bn")
    as_bnodes = Graph()
    mapping = {s: BNode() for s in g.subjects(RDF.type, KG.Request)}
    for s, p, o in g:
        as_bnodes.add((mapping.get(s, s), p, mapping.get(o, o)))
    first = variants(as_bnodes, tmp_path, 1)
    second_dir = tmp_path / "again"
    second_dir.mkdir()
    second = variants(as_bnodes, second_dir, 2)
    outputs = {canonical(validate(p)) for p in first + second}
    assert len(outputs) == 1
    requests = [i["request"] for c in json.loads(outputs.pop())["cases"] for i in c["items"]]
    assert all(r.startswith("_:") for r in requests) and len(set(requests)) == 2
