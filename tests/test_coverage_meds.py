"""Coverage of the medication area: every criterion is checked and cited; the topic count holds."""

from __future__ import annotations

import json
from pathlib import Path

from rdflib import Graph, URIRef

from kg.knowledge import bundled_knowledge
from kg.namespaces import KG, RDF, G

#: Declared in ontology/kg.ttl but not (yet) in the closed KG namespace class.
VERIFIED_AGAINST = URIRef("https://w3id.org/kg-imr/ns#verifiedAgainst")
MEDS_TTL = Path(__file__).parents[1] / "ontology" / "topics" / "meds.ttl"

#: The requestable medication topics this area claims (README "Coverage: meds").
MEDS_TOPICS = {
    "OpioidAnalgesic", "Tramadol", "MuscleRelaxant", "TopicalAnalgesic", "TopicalNSAID", "LidocainePatch",
    "CompoundedTopical", "CompoundedOralSuspension", "MedicalFood", "NSAID", "ProtonPumpInhibitor",
    "Antidepressant", "AntiepilepticDrug", "BarbiturateAnalgesic", "Sildenafil", "Hypnotic", "Benzodiazepine",
}


def _meds_recommendations() -> list[URIRef]:
    area = Graph().parse(MEDS_TTL)
    return sorted(set(area.subjects(RDF.type, KG.Recommendation)))


def test_area_has_the_claimed_topics_each_with_a_recommendation() -> None:
    kb = bundled_knowledge().guidelines
    for name in MEDS_TOPICS:
        topic = G[name]
        assert (topic, RDF.type, KG.TreatmentTopic) in kb, name
        assert any(True for _ in kb.subjects(KG.aboutTopic, topic)), f"{name} has no recommendation"
    assert len(MEDS_TOPICS) == 17


def test_every_meds_criterion_is_checked_by_a_shape_and_cites_a_section() -> None:
    kb = bundled_knowledge()
    recs = _meds_recommendations()
    assert recs
    unchecked, uncited, unmarked = [], [], []
    for rec in recs:
        rec_source = kb.guidelines.value(rec, KG.source)
        for criterion in kb.guidelines.objects(rec, KG.hasCriterion):
            if not any(True for _ in kb.shapes.subjects(KG.checksCriterion, criterion)):
                unchecked.append(str(criterion))
            section = kb.guidelines.value(criterion, KG.source) or rec_source
            if section is None or kb.guidelines.value(section, KG.inEdition) is None:
                uncited.append(str(criterion))
            if kb.guidelines.value(criterion, KG.confidence) not in (KG.Verified, KG.Unverified):
                unmarked.append(str(criterion))
    assert not unchecked, f"criteria without a shape: {unchecked}"
    assert not uncited, f"criteria without a section in an edition: {uncited}"
    assert not unmarked, f"criteria without a confidence mark: {unmarked}"


def test_verified_facts_name_their_source() -> None:
    area = Graph().parse(MEDS_TTL)
    for node in area.subjects(KG.confidence, KG.Verified):
        assert area.value(node, VERIFIED_AGAINST), f"{node} is Verified without kg:verifiedAgainst"


def test_every_meds_topic_has_a_passing_and_a_failing_fixture() -> None:
    fixtures = Path(__file__).parent / "fixtures" / "topics" / "meds"
    seen: dict[str, set[str]] = {}
    for ttl in fixtures.glob("*.ttl"):
        case = Graph().parse(ttl)
        expected = json.loads(ttl.with_suffix(".expected.json").read_text(encoding="utf-8"))
        outcomes = {i["label"]: i["outcome"] for i in expected["items"]}
        for req in case.subjects(KG.topic, None):
            topic = str(case.value(req, KG.topic)).rsplit("/", 1)[-1]
            seen.setdefault(topic, set()).add(outcomes[str(case.value(req, KG.requestText))])
    for name in MEDS_TOPICS:
        assert "not-medically-necessary" in seen.get(name, set()), f"{name}: no failing fixture"
        if name != "BarbiturateAnalgesic":  # not recommended: no case can meet it
            assert "medically-necessary" in seen.get(name, set()), f"{name}: no passing fixture"
