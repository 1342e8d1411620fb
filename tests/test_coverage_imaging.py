"""Coverage of the imaging, electrodiagnostics and tests area (ontology/topics/imaging*.ttl).

Every criterion of the area's recommendations must be checked by a shape and cite a section;
every topic must have a governing recommendation on the dates the letters need and fixtures
that exercise it (a passing case, unless the guideline does not recommend the test at all,
and a failing one).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from kg.decide import governing_recommendation
from kg.knowledge import bundled_knowledge
from kg.namespaces import KG, RDF
from kg.resources import ontology_dir, shapes_dir

G = "https://w3id.org/kg-imr/guideline/"
# Declared in ontology/kg.ttl but not (yet) in the closed KG namespace class.
VERIFIED_AGAINST = URIRef("https://w3id.org/kg-imr/ns#verifiedAgainst")
FIXTURES = Path(__file__).parent / "fixtures" / "topics" / "imaging"

# The topics this area claims (issue 3), in the IRIs the other helpers and the recognizer use.
TOPICS = [
    "LumbarMRI", "CervicalMRI", "ThoracicMRI", "ShoulderMRI", "KneeMRI", "HipMRI", "ElbowMRI",
    "WristHandMRI", "AnkleFootMRI", "BrainMRI", "SpineCT", "LumbarXRay", "CervicalXRay",
    "ThoracicXRay", "HipXRay", "SkullXRay", "BoneScan", "EMGLowerExtremity", "NCSLowerExtremity",
    "EMGNCSLowerExtremity", "EMGUpperExtremity", "NCSUpperExtremity", "EMGNCSUpperExtremity",
    "UrineDrugTest", "Electrocardiogram", "PreoperativeLabs", "FunctionalCapacityEvaluation",
    "ComputerizedROMTesting", "GripStrengthTesting", "TriggerPointImpedanceImaging",
]
# Governing guideline on a dev-letter date (UR Nov 2016 - Feb 2017): True = an MTUS document.
MTUS_SILENT = {"HipMRI", "HipXRay", "ElbowMRI", "BrainMRI", "SkullXRay", "Electrocardiogram",
               "PreoperativeLabs", "ComputerizedROMTesting", "GripStrengthTesting",
               "TriggerPointImpedanceImaging"}
# Topics whose governing recommendation is "not recommended": no case can meet it.
NOT_RECOMMENDED = {"ComputerizedROMTesting", "GripStrengthTesting", "TriggerPointImpedanceImaging"}
DEV_DATE = dt.date(2016, 12, 15)
SEED_ERA_DATE = dt.date(2015, 7, 22)


def _area_graph() -> Graph:
    graph = Graph()
    for path in sorted(ontology_dir().glob("topics/imaging*.ttl")):
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def area() -> Graph:
    return _area_graph()


def test_area_has_the_topics_it_claims(area: Graph) -> None:
    declared = {str(t) for t in area.subjects(RDF.type, KG.TreatmentTopic)}
    missing = [t for t in TOPICS if G + t not in declared]
    assert not missing, missing
    about = {str(t) for t in area.objects(None, KG.aboutTopic)}
    assert {G + t for t in TOPICS} <= about
    assert len(TOPICS) == 30


def test_every_area_criterion_is_checked_and_cited(area: Graph) -> None:
    kb = bundled_knowledge()
    checked = set(kb.shapes.objects(None, KG.checksCriterion))
    problems = []
    for rec in area.subjects(RDF.type, KG.Recommendation):
        rec_section = area.value(rec, KG.source)
        for criterion in area.objects(rec, KG.hasCriterion):
            if criterion not in checked:
                problems.append(f"{criterion}: no shape")
            section = area.value(criterion, KG.source) or rec_section
            if section is None or kb.guidelines.value(section, KG.inEdition) is None:
                problems.append(f"{criterion}: cites no section with an edition")
            if area.value(criterion, KG.confidence) not in (KG.Verified, KG.Unverified):
                problems.append(f"{criterion}: no confidence mark")
            verified = area.value(criterion, KG.confidence) == KG.Verified
            if verified and area.value(criterion, VERIFIED_AGAINST) is None:
                problems.append(f"{criterion}: verified against nothing")
            if area.value(criterion, KG.statement) is None or area.value(criterion, KG.notation) is None:
                problems.append(f"{criterion}: statement or notation missing")
    assert not problems, problems


def test_area_shapes_only_check_declared_criteria() -> None:
    """A typo in a shape's kg:checksCriterion would leave the real criterion unchecked."""
    kb = bundled_knowledge()
    shapes = Graph().parse(shapes_dir() / "criteria" / "imaging.ttl", format="turtle")
    unknown = {c for c in shapes.objects(None, KG.checksCriterion) if (c, RDF.type, KG.Criterion) not in kb.guidelines}
    assert not unknown, unknown


@pytest.mark.parametrize("topic", TOPICS)
def test_governing_recommendation_on_a_dev_date(topic: str) -> None:
    data = bundled_knowledge().guidelines
    rec = governing_recommendation(data, URIRef(G + topic), DEV_DATE)
    assert rec is not None, f"{topic}: nothing governs on {DEV_DATE}"
    edition = data.value(data.value(rec, KG.source), KG.inEdition)
    guideline = data.value(data.value(edition, KG.editionOf), KG.guideline)
    is_mtus = data.value(guideline, KG.isMTUS)
    assert bool(is_mtus and is_mtus.toPython()) == (topic not in MTUS_SILENT), (topic, str(rec))


@pytest.mark.parametrize("topic", ["LumbarMRI", "CervicalMRI", "ShoulderMRI", "KneeMRI", "UrineDrugTest"])
def test_seed_era_is_covered(topic: str) -> None:
    """ACOEM 2004 chapters and CPMTG 2009 are in force in 2015, so these topics are judged then too."""
    assert governing_recommendation(bundled_knowledge().guidelines, URIRef(G + topic), SEED_ERA_DATE) is not None


@pytest.mark.parametrize("topic", TOPICS)
def test_governing_recommendation_in_both_phases(topic: str) -> None:
    """The CPMTG governs chronic pain only: acute-phase requests need an ACOEM or ODG recommendation."""
    data = bundled_knowledge().guidelines
    for phase in (KG.AcutePhase, KG.ChronicPhase):
        assert governing_recommendation(data, URIRef(G + topic), DEV_DATE, phase=phase) is not None, (topic, phase)


@pytest.mark.parametrize("topic", ["EMGLowerExtremity", "EMGNCSLowerExtremity", "EMGUpperExtremity",
                                   "NCSUpperExtremity", "EMGNCSUpperExtremity"])
def test_chronic_electrodiagnostics_follow_the_cpmtg(topic: str) -> None:
    data = bundled_knowledge().guidelines
    rec = governing_recommendation(data, URIRef(G + topic), DEV_DATE, phase=KG.ChronicPhase)
    assert str(rec).startswith(G + "rec-CPMTG-2016-"), rec
    acute = governing_recommendation(data, URIRef(G + topic), DEV_DATE, phase=KG.AcutePhase)
    assert not str(acute).startswith(G + "rec-CPMTG-"), acute


def _fixture_outcomes() -> dict[str, set[str]]:
    outcomes: dict[str, set[str]] = {}
    for path in FIXTURES.glob("*.expected.json"):
        for item in json.loads(path.read_text(encoding="utf-8"))["items"]:
            topic = item["topic_iri"].rsplit("/", 1)[1]
            outcomes.setdefault(topic, set()).add(item["outcome"])
    return outcomes


@pytest.mark.parametrize("topic", TOPICS)
def test_every_topic_has_passing_and_failing_fixtures(topic: str) -> None:
    outcomes = _fixture_outcomes().get(topic, set())
    assert "not-medically-necessary" in outcomes, f"{topic}: no failing fixture"
    if topic not in NOT_RECOMMENDED:
        assert "medically-necessary" in outcomes, f"{topic}: no fixture meeting all criteria"
