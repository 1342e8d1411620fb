"""The finding recognizer (kg/extract/findings.py): labels from the RDF, negation, doubt, provenance."""

from __future__ import annotations

import pytest
from rdflib import Literal, Namespace
from rdflib.namespace import RDF

from kg.extract.findings import FindingMatcher
from kg.knowledge import bundled_knowledge
from kg.namespaces import KG, G

OA = Namespace("http://www.w3.org/ns/oa#")


@pytest.fixture(scope="module")
def matcher() -> FindingMatcher:
    return FindingMatcher(bundled_knowledge().guidelines)


def _read(matcher: FindingMatcher, sentence: str) -> list[tuple[str, str, bool]]:
    return [(sentence[h.start:h.end], str(h.concept).rsplit("/", 1)[-1], h.present) for h in matcher.scan(sentence)]


def test_positive_signs_map_to_their_concepts(matcher: FindingMatcher) -> None:
    assert _read(matcher, "Tinel's sign and Phalen's test are positive.") == [
        ("Tinel's", "SuspectedCarpalTunnelSyndrome", True), ("Phalen's", "SuspectedCarpalTunnelSyndrome", True)]
    # levels and sides between the words of a label; synonyms ("diminished" = "decreased")
    assert _read(matcher, "Exam showed decreased C5 and C6 dermatome sensation.") == [
        ("decreased C5 and C6 dermatome", "NeckNerveCompromise", True)]
    found = _read(matcher, "Diminished sensation in the right L4 and L5 dermatomes.")
    assert found and found[0][1:] == ("LumbarNerveRootCompromise", True)
    # the longer, more specific label wins: Tinel at the cubital tunnel is ulnar, not carpal tunnel
    assert _read(matcher, "There was a positive Tinel's sign over the cubital tunnel.")[0][1:] == (
        "SuspectedUlnarEntrapment", True)
    assert _read(matcher, "She has numbness, tingling and paresthesias of the bilateral hands.")[0][1:] == (
        "UpperLimbParesthesia", True)


def test_negation_gives_documented_absence(matcher: FindingMatcher) -> None:
    assert _read(matcher, "Straight leg raise was negative bilaterally.")[0][1:] == ("EquivocalRadiculopathyLE", False)
    assert _read(matcher, "He denies bowel or bladder incontinence.")[0][1:] == ("SuspectedCaudaEquina", False)
    assert _read(matcher, "The patella was not tender and no joint effusion was noted.")[0][1:] == (
        "KneeInternalDerangementSigns", False)
    assert _read(matcher, "Tenderness to the right elbow and Tinel's negative.")[0][2] is False
    # the result stated for one side does not leak: positive on the left is a positive finding
    assert _read(matcher, "Straight leg raise test on the left is positive and on the right is negative.")[0][2] is True


def test_doubt_and_bare_signs_give_nothing(matcher: FindingMatcher) -> None:
    assert _read(matcher, "An MRI to rule out possible carpal tunnel with a positive Tinel.") == []
    assert _read(matcher, "EMG to evaluate for numbness in the hands.") == []
    # an exam sign with no result stated is not a finding either way
    assert _read(matcher, "Tinel's test at the wrist was performed.") == []
    # an unrelated word is not a finding
    assert _read(matcher, "Moderate weakness was noted.") == []


def test_labels_come_from_the_rdf() -> None:
    from rdflib import Graph

    g = Graph()
    g.add((G.TestConcept, RDF.type, KG.ClinicalConcept))
    from rdflib.namespace import SKOS

    g.add((G.TestConcept, SKOS.hiddenLabel, Literal("purple toes")))
    m = FindingMatcher(g)
    [hit] = m.scan("Exam: the left purple toes, no swelling.")
    assert hit.concept == G.TestConcept and hit.present is True
    assert FindingMatcher(Graph()).scan("Positive Tinel's sign.") == []


LETTER = """
Case Number: CM99-0000002
Date Assigned: 01/02/2017 Date of Injury: 06/01/2016
Decision Date: 02/01/2017 UR Denial Date: 01/01/2017

CLINICAL CASE SUMMARY
The injured worker is a 45 year old female who sustained an industrial injury on 06-01-2016. She reported
numbness and tingling in the right hand. Examination of the right wrist revealed a positive Phalen's test. Straight
leg raise was negative. An EMG was requested to rule out cervical radiculopathy.

IMR ISSUES, DECISIONS AND RATIONALES
The Final Determination was based on decisions for the disputed items/services set forth below:

EMG of the right upper extremity: Overturned

Claims Administrator guideline: The Claims Administrator did not cite any medical evidence for its decision.

MAXIMUS guideline: Decision based on MTUS Forearm, Wrist, and Hand Complaints 2004, Section(s): Special Studies.

Decision rationale: There was a positive Tinel's sign at the elbow and decreased C6 dermatome sensation.
"""


def test_findings_in_a_letter_carry_provenance_and_skip_the_rationale() -> None:
    from kg.extract import extract_text

    letter = extract_text(LETTER, "synthetic.txt")
    text = letter.text
    got = {(str(f.extra["concept"]).rsplit("/", 1)[-1], f.extra["present"]) for f in letter.clinical.findings}
    assert ("SuspectedCarpalTunnelSyndrome", True) in got
    assert ("UpperLimbParesthesia", True) in got
    assert ("EquivocalRadiculopathyLE", False) in got
    # the rationale's findings are never read; the requested test's purpose is not a finding
    rationale_only = {"SuspectedUlnarEntrapment", "NeckNerveCompromise", "EquivocalCervicalRadiculopathy"}
    assert not {c for c, _ in got} & rationale_only
    for f in letter.clinical.findings:  # the span selects the words the finding was read from
        assert " ".join(text[f.span[0]:f.span[1]].split()) == f.value
    g = letter.graph()
    findings = list(g.objects(None, KG.finding))
    assert len(findings) == len(letter.clinical.findings)
    quotes = {str(q) for q in g.objects(None, OA.exact)}
    for node in findings:
        assert len(list(g.objects(node, KG.present))) == 1 and len(list(g.objects(node, KG.concept))) == 1
    assert any("Phalen" in q for q in quotes)
