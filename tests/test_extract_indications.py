"""Indications read from prose (branch indications): consultation reasons, radiating arm symptoms,
nerve-territory sensory loss, vertebral fracture, acute hospital stay; symptom vs diagnosis vs doubt.

Sentences are short synthetic ones written for these tests, not letter text.
"""

from __future__ import annotations

import pytest
from rdflib.namespace import SKOS

from kg.extract.findings import FindingMatcher
from kg.knowledge import bundled_knowledge
from kg.namespaces import G


@pytest.fixture(scope="module")
def matcher() -> FindingMatcher:
    return FindingMatcher(bundled_knowledge().guidelines)


def _read(matcher: FindingMatcher, sentence: str) -> list[tuple[str, bool]]:
    return [(str(h.concept).rsplit("/", 1)[-1], h.present) for h in matcher.scan(sentence)]


def _broader(concept: str, ancestor: str) -> bool:
    g = bundled_knowledge().guidelines
    return (G[ancestor]) in set(g.transitive_objects(G[concept], SKOS.broader))


def test_radiating_arm_pain_is_a_symptom_that_raises_radiculopathy(matcher: FindingMatcher) -> None:
    assert ("RadiatingArmSymptoms", True) in _read(matcher, "Her neck pain radiates down the left arm.")
    assert ("RadiatingArmSymptoms", True) in _read(matcher, "He has radiating pain about the right hand and forearm.")
    assert _read(matcher, "She denies pain radiating into the arms.") == [("RadiatingArmSymptoms", False)]
    # doubt never becomes a finding
    assert _read(matcher, "Rule out radiculopathy given pain radiating to the hand.") == []
    # leg radiation is not an arm symptom
    assert all(c != "RadiatingArmSymptoms" for c, _ in _read(matcher, "Back pain radiating to the left leg."))
    # the symptom counts for the electrodiagnostic criteria, not for cervical imaging
    assert _broader("RadiatingArmSymptoms", "UpperLimbEMGIndication")
    assert _broader("RadiatingArmSymptoms", "UpperLimbEDXIndication")
    assert not _broader("RadiatingArmSymptoms", "NeckUpperBackImagingIndication")
    assert not _broader("RadiatingArmSymptoms", "NeckNerveCompromise")


def test_spurling_needs_its_result(matcher: FindingMatcher) -> None:
    assert _read(matcher, "Spurling's test was positive on the right.") == [("EquivocalCervicalRadiculopathy", True)]
    assert _read(matcher, "Spurling's maneuver was negative.") == [("EquivocalCervicalRadiculopathy", False)]
    assert _read(matcher, "A Spurling test was done.") == []


def test_sensory_loss_in_a_nerve_territory(matcher: FindingMatcher) -> None:
    assert _read(matcher, "Sensation is decreased over the ulnar fingers.") == [("SuspectedUlnarEntrapment", True)]
    assert _read(matcher, "Decreased sensation in the left fifth and fourth fingers.") == [
        ("SuspectedUlnarEntrapment", True)]
    assert _read(matcher, "He reports numbness in the radial digits.") == [("SuspectedCarpalTunnelSyndrome", True)]
    # an ulnar entrapment overlaps C8: it is an EMG indication; sensory loss is not cervical imaging proof
    assert _broader("SuspectedUlnarEntrapment", "UpperLimbEMGIndication")
    assert not _broader("SuspectedUlnarEntrapment", "NeckUpperBackImagingIndication")
    # classic carpal tunnel syndrome stays a nerve-conduction indication only
    assert not _broader("SuspectedCarpalTunnelSyndrome", "UpperLimbEMGIndication")


def test_vertebral_fracture_and_its_doubt(matcher: FindingMatcher) -> None:
    assert _read(matcher, "Radiographs showed a fracture of the C2 spinous process.") == [
        ("SuspectedSpinalFracture", True)]
    assert _read(matcher, "An acute L1 vertebral fracture was seen.") == [("SuspectedSpinalFracture", True)]
    assert _read(matcher, "The change is probably an old spinous process fracture.") == []
    assert _read(matcher, "No vertebral fracture was found.") == [("SuspectedSpinalFracture", False)]


def test_consultation_reasons(matcher: FindingMatcher) -> None:
    assert _read(matcher, "Her pain persists despite therapy and medication.") == [("DelayedRecovery", True)]
    assert _read(matcher, "His symptoms were unchanged over the past month.") == [("DelayedRecovery", True)]
    assert _read(matcher, "The etiology remains unclear.") == [("DiagnosisUncertain", True)]
    for concept in ("DelayedRecovery", "DiagnosisUncertain", "SevereJointDegeneration", "CandidateForSurgery"):
        assert _broader(concept, "ConsultationIndication"), concept


def test_acute_hospital_stay(matcher: FindingMatcher) -> None:
    assert _read(matcher, "The hospitalist note says he cannot walk yet.") == [("RecentAcuteHospitalStay", True)]
