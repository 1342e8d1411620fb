"""kg extract on small synthetic texts: citation parsing, negation, errors. No shared data needed."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.knowledge import bundled_knowledge
from kg.namespaces import G


@pytest.fixture(scope="module")
def graph():  # noqa: ANN201
    return bundled_knowledge().guidelines


def _parse(text: str, graph):  # noqa: ANN001, ANN202
    from kg.extract.citations import parse_block

    return parse_block(text, 0, graph)


def test_mtus_citation_with_sections(graph) -> None:  # noqa: ANN001
    b = _parse("Decision based on MTUS Low Back Complaints 2004, Section(s): Special Studies.", graph)
    [c] = b.citations
    assert (c.guideline, c.document, c.edition, c.locator) == (
        G.MTUS, G["ACOEM-LowBack"], G["ACOEM-LowBack-2004"], "Special Studies")


def test_two_mtus_documents_and_a_section_named_like_a_chapter(graph) -> None:  # noqa: ANN001
    b = _parse("Decision based on MTUS Acupuncture Treatment 2007, and Chronic Pain Medical Treatment 2016, "
               "Section(s): Low-Level Laser Therapy (LLLT).", graph)
    assert [(c.document, c.locator) for c in b.citations] == [
        (G.AcupunctureTG, None), (G.CPMTG, "Low-Level Laser Therapy (LLLT)")]
    b = _parse("Decision based on MTUS Postsurgical Treatment 2009, Section(s): Knee, Forearm, Wrist, & Hand.", graph)
    assert [(c.document, c.locator) for c in b.citations] == [(G.PostsurgicalTG, "Knee, Forearm, Wrist, & Hand")]


def test_mixed_mtus_and_odg_is_not_only_non_mtus(graph) -> None:  # noqa: ANN001
    b = _parse("Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): Muscle relaxants (for pain). "
               "Decision based on Non-MTUS Citation Official Disability Guidelines (ODG), Pain Chapter.", graph)
    assert [c.guideline for c in b.citations] == [G.MTUS, G.ODG]
    assert b.citations[1].document == G["ODG-Pain"]
    assert b.any_mtus and not b.only_non_mtus


def test_non_mtus_only_and_no_evidence(graph) -> None:  # noqa: ANN001
    b = _parse("The Claims Administrator based their decision on recommendation(s) outside of the MTUS Guidelines. "
               "Decision based on Non-MTUS Citation Official Disability Guidelines (ODG) MRI Elbow.", graph)
    [c] = b.citations
    assert (c.guideline, c.document, c.locator) == (G.ODG, G["ODG-Elbow"], "MRI")
    assert b.only_non_mtus and b.outside_mtus
    b = _parse("The Claims Administrator did not cite any medical evidence for its decision.", graph)
    assert b.no_evidence and not b.citations and not b.only_non_mtus


def test_other_evidence_has_no_guideline(graph) -> None:  # noqa: ANN001
    b = _parse("Decision based on Non-MTUS Citation Sildenafil: Drug information, accessed from UpToDate.com.", graph)
    [c] = b.citations
    assert c.guideline is None and not b.unparsed


LETTER = """
Case Number: CM99-0000001
Date Assigned: 01/02/2017 Date of Injury: 10/01/2016
Decision Date: 02/01/2017 UR Denial Date: 01/01/2017

CLINICAL CASE SUMMARY
The injured worker is a 50 year old female who sustained an industrial injury on 10-01-2016. Diagnoses include
lumbar radiculopathy. Treatment to date has included 8 sessions of physical therapy without relief. There is no
documentation of functional improvement with chiropractic care. The injured worker was not using a cane.
The injured worker remains off work. Current medications include Naproxen.

IMR ISSUES, DECISIONS AND RATIONALES
The Final Determination was based on decisions for the disputed items/services set forth below:

MRI of the lumbar spine: Overturned

Claims Administrator guideline: The Claims Administrator did not cite any medical evidence for its decision.

MAXIMUS guideline: Decision based on MTUS Low Back Complaints 2004, Section(s): Special Studies.

Decision rationale: Lumbar radiculopathy with functional improvement after therapy, physical therapy helped.
"""


def test_synthetic_letter_negation_and_rationale_kept_apart() -> None:
    from kg.extract import extract_text

    letter = extract_text(LETTER, "synthetic.txt")
    c = letter.clinical
    pt = [t for t in c.treatments if str(t.extra["topic"]).endswith("/PhysicalMedicine")]
    assert len(pt) == 1
    # "without relief" is documented absence; the rationale's "physical therapy helped" is never read
    assert pt[0].extra == {**pt[0].extra, "count": 8, "painRelief": False}
    assert pt[0].extra["functionalImprovement"] is None
    assert str(c.work_status.value).endswith("#NotWorking")
    assert [m.value for m in c.medications] == ["Naproxen"]
    [item] = letter.items
    assert (item.label, item.decision) == ("MRI of the lumbar spine", "Overturned")
    assert item.ur_citations.no_evidence
    g = letter.graph()
    assert len(list(g.subjects())) > 10


def test_not_a_letter_is_a_one_line_error(tmp_path: Path) -> None:
    from kg.cli import main

    bad = tmp_path / "note.txt"
    bad.write_text("just some text\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["extract", str(bad)])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "no disputed items" in result.output and "Traceback" not in result.output
    result = CliRunner().invoke(main, ["extract", str(tmp_path / "missing.pdf")])
    assert result.exit_code == 2 and "no such file" in result.output
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 not really")
    result = CliRunner().invoke(main, ["extract", str(broken)])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_cli_extract_and_eval_on_a_synthetic_folder(tmp_path: Path) -> None:
    import json

    from kg.cli import main

    folder = tmp_path / "letters"
    folder.mkdir()
    (folder / "one.txt").write_text(LETTER, encoding="utf-8")
    out = tmp_path / "cases"
    result = CliRunner().invoke(main, ["extract", str(folder), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "CM99-0000001.ttl").is_file()
    result = CliRunner().invoke(main, ["validate", str(out / "CM99-0000001.ttl")])
    assert result.exit_code in (0, 1), result.output
    result = CliRunner().invoke(main, ["eval", str(folder), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    s = report["summary"]
    assert (s["letters"], s["items_found"], s["items_in_letters"], s["decisions_parsed"]) == (1, 1, 1, 1)
    assert sum(s["confusion"]["overturned"].values()) == 1
    assert s["baseline_always_upheld"]["recall_overturned"] == 0.0
    # every disagreement is counted once, by kind, and an item kg calls not necessary names the
    # criteria it found not met
    [item] = report["letters"][0]["items"]
    agrees = (item["recorded"], item["outcome"]) == ("overturned", "medically-necessary")
    assert sum(s["disagreements"].values()) == (0 if agrees else 1)
    assert bool(item["criteria_not_met"]) == (item["outcome"] == "not-medically-necessary")
    assert all(c.split()[1] in {"unmet", "not-documented"} for c in item["criteria_not_met"])
    result = CliRunner().invoke(main, ["eval", str(folder)])
    assert result.exit_code == 0 and "balanced accuracy" in result.output
    assert "Disagreements, by kind:" in result.output
