"""Coverage of the procedures area (ontology/topics/procedures*.ttl, injections.ttl).

Injections, interventional procedures, surgery, perioperative services and equipment. Every
criterion of the area's recommendations must be checked by a shape and cite a section; every
topic must have a governing recommendation on the dates the letters need and fixtures on both
sides; perioperative items must be judged against a planned surgery.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from rdflib import Graph, Namespace, URIRef

from kg.decide import governing_recommendation
from kg.knowledge import bundled_knowledge
from kg.namespaces import KG, RDF, SKOS
from kg.resources import ontology_dir, shapes_dir

G = Namespace("https://w3id.org/kg-imr/guideline/")
KGC = Namespace("https://w3id.org/kg-imr/components#")
SH = Namespace("http://www.w3.org/ns/shacl#")
VERIFIED_AGAINST = URIRef("https://w3id.org/kg-imr/ns#verifiedAgainst")
FIXTURES = Path(__file__).parent / "fixtures" / "topics" / "procedures"

TOPICS = [
    "EpiduralSteroidInjection", "FacetInjection", "MedialBranchBlock", "RadiofrequencyAblation",
    "TriggerPointInjection", "PRPInjection", "KneeInjection", "ShoulderCorticosteroidInjection",
    "SpinalCordStimulator", "CarpalTunnelRelease", "KneeArthroscopy", "ShoulderSurgery",
    "HipArthroplasty", "SurgicalAssistant", "ColdTherapyUnit", "Sling", "DVTProphylaxisDevice",
    "DurableMedicalEquipment", "KneeScooter", "HearingAid", "MedicalSupplies",
]
# MTUS silent on a dev-letter date: ODG governs (and a UR citing ODG is no conflict).
MTUS_SILENT = {"PRPInjection", "HipArthroplasty", "SurgicalAssistant", "ColdTherapyUnit",
               "DVTProphylaxisDevice", "HearingAid", "MedicalSupplies"}
# CPMTG topics need a 2009 recommendation (seed era) and a 2016 one (dev letters).
CPMTG_BOTH_EDITIONS = {"EpiduralSteroidInjection": ("CPMTG-2009-esi", "CPMTG-2016-esi"),
                       "TriggerPointInjection": ("CPMTG-2009-tpi", "CPMTG-2016-tpi"),
                       "SpinalCordStimulator": ("CPMTG-2009-scs", "CPMTG-2016-scs")}
PERIOPERATIVE = ["SurgicalAssistant", "ColdTherapyUnit", "DVTProphylaxisDevice"]
SURGERIES = ["CarpalTunnelRelease", "KneeArthroscopy", "ShoulderSurgery", "HipArthroplasty"]
DEV_DATE = dt.date(2016, 12, 15)
SEED_ERA_DATE = dt.date(2015, 7, 22)


def _area_graph() -> Graph:
    graph = Graph()
    for path in [*sorted(ontology_dir().glob("topics/procedures*.ttl")), ontology_dir() / "topics" / "injections.ttl"]:
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def area() -> Graph:
    return _area_graph()


@pytest.fixture(scope="module")
def area_shapes() -> Graph:
    return Graph().parse(shapes_dir() / "criteria" / "procedures.ttl", format="turtle")


def test_area_has_the_topics_it_claims(area: Graph) -> None:
    assert len(TOPICS) == len(set(TOPICS)) == 21
    declared = set(area.subjects(RDF.type, KG.TreatmentTopic))
    assert not [t for t in TOPICS if G[t] not in declared]
    about = set(area.objects(None, KG.aboutTopic))
    assert not [t for t in TOPICS if G[t] not in about]


def test_every_area_criterion_is_checked_and_cited(area: Graph) -> None:
    kb = bundled_knowledge()
    checked = set(kb.shapes.objects(None, KG.checksCriterion))
    problems = []
    for rec in area.subjects(RDF.type, KG.Recommendation):
        if area.value(rec, KG.status) is None:
            problems.append(f"{rec}: no status")
        for criterion in area.objects(rec, KG.hasCriterion):
            if criterion not in checked:
                problems.append(f"{criterion}: no shape")
            section = area.value(criterion, KG.source) or area.value(rec, KG.source)
            if section is None or kb.guidelines.value(section, KG.inEdition) is None:
                problems.append(f"{criterion}: cites no section with an edition")
            confidence = area.value(criterion, KG.confidence)
            if confidence not in (KG.Verified, KG.Unverified):
                problems.append(f"{criterion}: no confidence mark")
            if confidence == KG.Verified and area.value(criterion, VERIFIED_AGAINST) is None:
                problems.append(f"{criterion}: verified against nothing")
            if area.value(criterion, KG.statement) is None or area.value(criterion, KG.notation) is None:
                problems.append(f"{criterion}: statement or notation missing")
    assert not problems, problems


def test_area_shapes_only_check_declared_criteria(area_shapes: Graph) -> None:
    """A typo in a shape's kg:checksCriterion would leave the real criterion unchecked."""
    kb = bundled_knowledge()
    unknown = {c for c in area_shapes.objects(None, KG.checksCriterion)
               if (c, RDF.type, KG.Criterion) not in kb.guidelines}
    assert not unknown, unknown


@pytest.mark.parametrize("topic", TOPICS)
def test_governing_recommendation_on_a_dev_date(topic: str) -> None:
    data = bundled_knowledge().guidelines
    rec = governing_recommendation(data, G[topic], DEV_DATE)
    assert rec is not None, f"{topic}: nothing governs on {DEV_DATE}"
    edition = data.value(data.value(rec, KG.source), KG.inEdition)
    guideline = data.value(data.value(edition, KG.editionOf), KG.guideline)
    is_mtus = data.value(guideline, KG.isMTUS)
    assert bool(is_mtus and is_mtus.toPython()) == (topic not in MTUS_SILENT), (topic, str(rec))


@pytest.mark.parametrize("topic", sorted(set(TOPICS) - MTUS_SILENT))
def test_seed_era_is_covered_by_the_mtus(topic: str) -> None:
    """CPMTG 2009 and the ACOEM 2004 chapters are in force in 2015, so MTUS topics are judged then too."""
    data = bundled_knowledge().guidelines
    rec = governing_recommendation(data, G[topic], SEED_ERA_DATE)
    assert rec is not None, topic
    edition = data.value(data.value(rec, KG.source), KG.inEdition)
    assert data.value(data.value(data.value(edition, KG.editionOf), KG.guideline), KG.isMTUS).toPython()


@pytest.mark.parametrize("topic", sorted(CPMTG_BOTH_EDITIONS))
def test_cpmtg_topics_follow_the_edition(topic: str) -> None:
    data = bundled_knowledge().guidelines
    old, new = CPMTG_BOTH_EDITIONS[topic]
    seed = governing_recommendation(data, G[topic], SEED_ERA_DATE, phase=KG.ChronicPhase)
    dev = governing_recommendation(data, G[topic], DEV_DATE, phase=KG.ChronicPhase)
    assert data.value(seed, KG.source) == G[old]
    assert data.value(dev, KG.source) == G[new]


def test_acute_esi_falls_to_the_low_back_chapter() -> None:
    """The CPMTG governs chronic pain only; an acute ESI is judged under ACOEM Low Back 2004."""
    data = bundled_knowledge().guidelines
    rec = governing_recommendation(data, G.EpiduralSteroidInjection, DEV_DATE, phase=KG.AcutePhase)
    assert rec == G["rec-LowBack-2004-ESI"]


def test_surgeries_are_procedures_a_perioperative_item_can_wait_for() -> None:
    data = bundled_knowledge().guidelines
    for topic in SURGERIES:
        assert G.SurgicalProcedure in set(data.transitive_objects(G[topic], SKOS.broader)), topic
        assert G.SurgicalOrInvasiveProcedure in set(data.transitive_objects(G[topic], SKOS.broader)), topic


@pytest.mark.parametrize("topic", PERIOPERATIVE)
def test_perioperative_items_require_a_planned_surgery(area_shapes: Graph, topic: str) -> None:
    """Each perioperative item has a value check that surgery is planned, and one that the plan is on record."""
    found = set()
    for shape in area_shapes.subjects(SH.targetNode, G[topic]):
        node = area_shapes.value(shape, SH.node)
        if (node, KGC.requiresConcurrent, G.SurgicalProcedure) in area_shapes:
            found.add(area_shapes.value(shape, KG.failureStatus))
        if (node, KGC.concurrentDocumented, G.SurgicalProcedure) in area_shapes:
            found.add(area_shapes.value(shape, KG.failureStatus))
    assert found == {KG.Unmet, KG.NotDocumented}, topic


def _fixture_outcomes() -> dict[str, set[str]]:
    outcomes: dict[str, set[str]] = {}
    for path in FIXTURES.glob("*.expected.json"):
        for item in json.loads(path.read_text(encoding="utf-8"))["items"]:
            outcomes.setdefault(item["topic_iri"].rsplit("/", 1)[1], set()).add(item["outcome"])
    return outcomes


@pytest.mark.parametrize("topic", TOPICS)
def test_every_topic_has_passing_and_failing_fixtures(topic: str) -> None:
    outcomes = _fixture_outcomes().get(topic, set())
    assert "not-medically-necessary" in outcomes, f"{topic}: no failing fixture"
    assert "medically-necessary" in outcomes, f"{topic}: no fixture meeting all criteria"
