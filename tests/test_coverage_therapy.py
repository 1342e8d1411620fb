"""Guideline coverage, therapy area: the topics claimed exist, every one is governed in both eras
of the letters, each criterion is checked and cited, and each topic has fixtures on both sides."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from rdflib import URIRef

from kg import validate
from kg.decide import governing_recommendation
from kg.knowledge import bundled_knowledge
from kg.namespaces import KG, RDF, G

FIXTURES = Path(__file__).parent / "fixtures" / "topics" / "therapy"

#: The therapy area's topics (README "Coverage: therapy" claims this many).
THERAPY_TOPICS = (
    "PhysicalMedicine OccupationalTherapy PostsurgicalPhysicalMedicine Chiropractic ChiropracticReexam "
    "Massage AquaticTherapy Acupuncture Electroacupuncture InfraredTherapy Traction HeatColdTherapy "
    "TherapeuticUltrasound TENS NMES InterferentialStimulation ESWT LocalizedIntenseNeurostimulation "
    "Biofeedback WorkHardening FunctionalRestoration PsychologicalTreatment PsychologicalEvaluation "
    "HomeHealth OfficeVisit SpecialistConsultation InpatientRehabilitation"
).split()
CLAIMED = 27
#: Declared in ontology/kg.ttl but not (yet) in the closed KG namespace class.
VERIFIED_AGAINST = URIRef(str(KG._NS) + "verifiedAgainst")
NOT_RECOMMENDED = URIRef(str(KG._NS) + "NotRecommended")

#: A 2015 date (seed era: CPMTG 2009) and a dev-letter date (CPMTG 2016 and its companions).
ERAS = (dt.date(2015, 3, 10), dt.date(2017, 1, 10))


def test_the_area_has_the_number_of_topics_it_claims() -> None:
    g = bundled_knowledge().guidelines
    assert len(set(THERAPY_TOPICS)) == CLAIMED
    for name in THERAPY_TOPICS:
        assert (G[name], RDF.type, KG.TreatmentTopic) in g, f"g:{name} is not a treatment topic"


@pytest.mark.parametrize("name", THERAPY_TOPICS)
def test_topic_is_governed_in_both_eras_with_checked_cited_criteria(name: str) -> None:
    kb = bundled_knowledge()
    g = kb.guidelines
    checked = set(kb.shapes.objects(None, KG.checksCriterion))
    for day in ERAS:
        rec = governing_recommendation(g, G[name], day)
        assert rec is not None, f"nothing governs g:{name} on {day}"
        assert g.value(rec, KG.status) is not None
        criteria = list(g.objects(rec, KG.hasCriterion))
        assert criteria, f"{rec} has no criteria"
        for criterion in criteria:
            assert criterion in checked, f"{criterion} has no SHACL check"
            section = g.value(criterion, KG.source) or g.value(rec, KG.source)
            assert g.value(section, KG.inEdition) is not None, f"{criterion} cites no section with an edition"
            assert g.value(criterion, KG.confidence) in (KG.Verified, KG.Unverified)
            if g.value(criterion, KG.confidence) == KG.Verified:
                assert g.value(criterion, VERIFIED_AGAINST), f"{criterion} is verified against nothing"


def test_cpmtg_topics_have_a_2009_and_a_2016_recommendation() -> None:
    """A 2015 request must be judged by the 2009 edition, a 2017 one by the 2016 edition."""
    g = bundled_knowledge().guidelines
    for name in THERAPY_TOPICS:
        old, new = (governing_recommendation(g, G[name], day) for day in ERAS)
        old_ed = g.value(g.value(old, KG.source), KG.inEdition)
        new_ed = g.value(g.value(new, KG.source), KG.inEdition)
        if old_ed == G["CPMTG-2009"]:
            assert new_ed == G["CPMTG-2016"], f"g:{name}: 2009 edition governs in 2015 but not the 2016 one in 2017"


def test_statutory_visit_caps_are_separate_checks_with_their_legal_basis() -> None:
    g = bundled_knowledge().guidelines
    for cid in ("PM-5", "OT-5", "CHI-6"):
        assert "4604.5(c)(1)" in str(g.value(G[cid], KG.legalBasis)), cid


def _fixtures() -> dict[str, list[dict]]:
    by_topic: dict[str, list[dict]] = {}
    for path in sorted(FIXTURES.glob("*.expected.json")):
        for item in json.loads(path.read_text(encoding="utf-8"))["items"]:
            by_topic.setdefault(item["topic_iri"], []).append(item)
    return by_topic


@pytest.mark.parametrize("name", THERAPY_TOPICS)
def test_topic_has_a_passing_and_a_failing_fixture(name: str) -> None:
    """Not-recommended topics cannot pass; they get two failing fixtures (one per era) instead."""
    items = _fixtures().get(str(G[name]), [])
    assert len(items) >= 2, f"g:{name} has {len(items)} fixture(s)"
    failing = [i for i in items if i["outcome"] == "not-medically-necessary"]
    assert failing and all(any(s != "met" for s in i["criteria"].values()) for i in failing), \
        f"g:{name}: a failing fixture must name the criterion that fails"
    g = bundled_knowledge().guidelines
    statuses = {g.value(governing_recommendation(g, G[name], day), KG.status) for day in ERAS}
    if statuses != {NOT_RECOMMENDED} or name == "NMES":
        assert any(i["outcome"] == "medically-necessary" for i in items), f"g:{name} has no passing fixture"


CASE = """@prefix kg: <https://w3id.org/kg-imr/ns#> .
@prefix g: <https://w3id.org/kg-imr/guideline/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix : <https://w3id.org/kg-imr/case/test-therapy#> .
:case a kg:Case ; kg:diagnosis [ kg:icd10 "M54.5" ] ;
  kg:priorTreatment [ kg:treatment g:PhysicalMedicine ; kg:count {a} ; kg:functionalImprovement true ] ,
                    [ kg:treatment g:PhysicalMedicine ; kg:count {b} ; kg:functionalImprovement true ] ;
  kg:hasRequest :req .
:req a kg:Request ; kg:requestText "PT" ; kg:topic g:PhysicalMedicine ; kg:quantity {q} ;
  kg:concurrentCare [ kg:treatment g:HomeExercise ; kg:planned true ] ;
  kg:requestDate "2017-01-10"^^xsd:date .
"""


@pytest.mark.parametrize(("a", "b", "q", "status"), [(3, 3, 4, "met"), (4, 4, 4, "unmet"), (0, 0, 11, "unmet")])
def test_visit_total_sums_every_prior_course(tmp_path: Path, a: int, b: int, q: int, status: str) -> None:
    """Two partial courses of 4 and 4 plus 4 requested exceed the 10-visit course; 3 + 3 + 4 does not."""
    path = tmp_path / "case.ttl"
    path.write_text(CASE.replace("{a}", str(a)).replace("{b}", str(b)).replace("{q}", str(q)), encoding="utf-8")
    (item,) = [i for case in validate(path) for i in case.items]
    assert {c.id: c.status for c in item.criteria}["PM-3"] == status
    assert item.governing is not None and item.governing.recommendation == str(
        URIRef(G["rec-CPMTG-2016-PhysicalMedicine"]))
