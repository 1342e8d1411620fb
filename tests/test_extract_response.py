"""The response to earlier care (kg/extract/response.py through clinical.py), on short synthetic sentences.

Each sentence is written for this test; none is copied from a letter.
"""

from __future__ import annotations

import pytest
from rdflib import Literal

from kg.extract.clinical import extract_clinical
from kg.extract.response import course_response, list_response
from kg.knowledge import bundled_knowledge
from kg.namespaces import KG, G


@pytest.fixture(scope="module")
def graph():  # noqa: ANN201
    return bundled_knowledge().guidelines


def _read(text: str, graph) -> dict[str, dict[str, object]]:  # noqa: ANN001
    """Treatments read from ``text``, by topic local name: count, given, relief, function."""
    c = extract_clinical(text, (0, len(text)), graph)
    return {str(t.extra["topic"]).rsplit("/", 1)[-1]: {k: t.extra.get(k) for k in
                                                      ("count", "given", "painRelief", "functionalImprovement")}
            for t in c.treatments}


def test_pain_persisting_despite_a_list_is_no_relief_for_each(graph) -> None:  # noqa: ANN001
    got = _read("His neck pain persists despite physical therapy and medications.", graph)
    assert got["PhysicalMedicine"] == {"count": None, "given": True, "painRelief": False,
                                       "functionalImprovement": None}
    assert got["Medication"]["painRelief"] is False and got["Medication"]["given"] is True


def test_did_not_help_after_a_list_covers_the_list(graph) -> None:  # noqa: ANN001
    got = _read("Chiropractic care and acupuncture did not help.", graph)
    for topic in ("Chiropractic", "Acupuncture"):
        assert got[topic]["painRelief"] is False and got[topic]["functionalImprovement"] is False


def test_a_response_does_not_leak_to_the_next_treatment(graph) -> None:  # noqa: ANN001
    got = _read("Physical therapy helped, but acupuncture did not help.", graph)
    assert got["PhysicalMedicine"]["painRelief"] is True
    assert got["Acupuncture"]["painRelief"] is False
    got = _read("Massage was helpful and chiropractic care was not helpful.", graph)
    assert got["Massage"]["painRelief"] is True and got["Chiropractic"]["painRelief"] is False


def test_no_improvement_with_is_no_relief_and_no_functional_gain(graph) -> None:  # noqa: ANN001
    got = _read("She reported no improvement with chiropractic treatment.", graph)
    assert got["Chiropractic"] == {"count": None, "given": True, "painRelief": False,
                                   "functionalImprovement": False}


def test_a_stated_number_is_kept_and_given_is_not_written(graph) -> None:  # noqa: ANN001
    got = _read("Treatment to date has included eight sessions of physical therapy without improvement.", graph)
    assert got["PhysicalMedicine"] == {"count": 8, "given": None, "painRelief": False,
                                       "functionalImprovement": False}


def test_never_given_has_no_response_and_is_not_given(graph) -> None:  # noqa: ANN001
    got = _read("He had not started physical therapy. There has been no improvement.", graph)
    assert got == {"PhysicalMedicine": {"count": 0, "given": None, "painRelief": None,
                                        "functionalImprovement": None}}


def test_failed_conservative_care_is_recorded_on_the_group(graph) -> None:  # noqa: ANN001
    got = _read("The worker failed conservative management.", graph)
    assert got["ConservativeCare"] == {"count": None, "given": True, "painRelief": False,
                                       "functionalImprovement": False}


def test_a_course_statement_needs_care_on_record_and_stays_on_the_group(graph) -> None:  # noqa: ANN001
    got = _read("Treatment has included physical therapy and medications. Her symptoms remained unchanged.", graph)
    assert got["ConservativeCare"] == {"count": None, "given": True, "painRelief": False,
                                       "functionalImprovement": None}
    # the general statement does not say which treatment failed: nothing on the named ones
    assert got["PhysicalMedicine"]["painRelief"] is None and got["Medication"]["painRelief"] is None
    # with no care on record the same sentence records nothing
    assert _read("Her symptoms remained unchanged.", graph) == {}


def test_symptoms_that_persist_after_care_on_record_are_no_relief(graph) -> None:  # noqa: ANN001
    text = "Treatment included physical therapy and rest. Currently, she complained of persistent left knee pain."
    assert _read(text, graph)["ConservativeCare"] == {"count": None, "given": True, "painRelief": False,
                                                      "functionalImprovement": None}
    text = "He has had chiropractic care. He continues to have low back pain and stiffness."
    assert _read(text, graph)["ConservativeCare"]["painRelief"] is False
    # negated, doubtful or with no care on record: nothing
    assert "ConservativeCare" not in _read("He has had chiropractic care. There was no persistent pain.", graph)
    assert "ConservativeCare" not in _read("He has had chiropractic care. The pain may persist.", graph)
    assert _read("She complained of persistent left knee pain.", graph) == {}


def test_course_statements_both_ways_cancel(graph) -> None:  # noqa: ANN001
    text = ("She has had physical therapy. On one visit there was no improvement. "
            "On a later visit her pain was gradually improving.")
    assert "ConservativeCare" not in _read(text, graph)


def test_silence_and_doubt_record_no_response(graph) -> None:  # noqa: ANN001
    assert _read("There is no documentation of improvement with physical therapy.", graph).get(
        "PhysicalMedicine", {}).get("painRelief") is None
    assert _read("It is unclear whether acupuncture helped.", graph).get("Acupuncture", {}).get("painRelief") is None
    assert course_response("It is unclear if there was any improvement.")[1] is None


def test_positive_response_names_function_only_when_written(graph) -> None:  # noqa: ANN001
    got = _read("He reported 40% relief with acupuncture and was able to return to full duty.", graph)
    assert got["Acupuncture"] == {"count": None, "given": True, "painRelief": True, "functionalImprovement": True}
    got = _read("Physical therapy decreased her pain.", graph)
    assert got["PhysicalMedicine"]["painRelief"] is True
    assert got["PhysicalMedicine"]["functionalImprovement"] is None


def test_a_mention_both_helped_and_not_helped_has_no_response(graph) -> None:  # noqa: ANN001
    got = _read("Physical therapy helped. Later, physical therapy did not help.", graph)
    assert got["PhysicalMedicine"]["painRelief"] is None


def test_list_response_offsets() -> None:
    s = "Pain continued despite ice, rest and stretching, and she was seen again."
    r = list_response(s, s.index("ice"), s.index("stretching") + len("stretching"), len(s))
    assert r.painRelief is False and r.functionalImprovement is None


LETTER = """
Case Number: CM99-0000002
Date Assigned: 01/02/2017 Date of Injury: 10/01/2016
Decision Date: 02/01/2017 UR Denial Date: 01/01/2017

CLINICAL CASE SUMMARY
The injured worker is a 40 year old male who sustained an industrial injury on 10-01-2016. Treatment has
included acupuncture. Acupuncture did not help.

IMR ISSUES, DECISIONS AND RATIONALES
The Final Determination was based on decisions for the disputed items/services set forth below:

MRI of the cervical spine: Upheld

Claims Administrator guideline: The Claims Administrator did not cite any medical evidence for its decision.

MAXIMUS guideline: Decision based on MTUS Neck and Upper Back Complaints 2004, Section(s): Special Studies.

Decision rationale: Acupuncture helped a great deal.
"""


def test_given_reaches_the_case_graph(graph) -> None:  # noqa: ANN001
    from kg.extract import extract_text

    letter = extract_text(LETTER, "synthetic.txt", graph)
    g = letter.graph()
    [node] = [p for p in g.objects(None, KG.priorTreatment) if (p, KG.treatment, G.Acupuncture) in g]
    assert (node, KG.given, Literal(True)) in g
    assert g.value(node, KG.count) is None
    assert (node, KG.painRelief, Literal(False)) in g
