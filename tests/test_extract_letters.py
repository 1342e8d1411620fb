"""kg extract on the real letters: items, decisions, citations and spot-checked clinical facts.

Expected values live in tests/data/letters-expected.json and letters-clinical-expected.json
(see their "_about"). The tests skip when /work/shared (the letters) is not on this machine.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.namespaces import KG

SHARED = Path("/work/shared")
LETTERS = SHARED / "imr-letters"
SEED = SHARED / "seeds" / "000_36fcd6cd313974ab.txt"
DATA = Path(__file__).parent / "data"


def _short(iri: object) -> str | None:
    return None if iri is None else str(iri).rsplit("/", 1)[-1]


@pytest.fixture(scope="module")
def letters() -> dict[str, object]:
    if not LETTERS.is_dir() or not any(LETTERS.glob("*.pdf")):
        pytest.skip(f"{LETTERS} is absent: the real IMR letters are not on this machine")
    pytest.importorskip("pypdf")
    from kg.extract import extract_letter

    return {p.stem: extract_letter(p) for p in sorted(LETTERS.glob("*.pdf"))}


@pytest.fixture(scope="module")
def expected() -> dict[str, dict]:
    return json.loads((DATA / "letters-expected.json").read_text(encoding="utf-8"))["letters"]


def test_every_letter_extracts_and_is_expected(letters: dict, expected: dict) -> None:
    assert len(letters) == 97
    assert set(expected) == {letter.case_id for letter in letters.values()}


def test_item_counts_match_the_letters(letters: dict, expected: dict) -> None:
    for stem, letter in letters.items():
        assert len(letter.items) == len(expected[letter.case_id]["items"]), stem
        assert len(letter.items) == letter.items_in_letter, stem
    assert sum(len(x.items) for x in letters.values()) == 201


def test_labels_and_decisions_match(letters: dict, expected: dict) -> None:
    for letter in letters.values():
        for got, want in zip(letter.items, expected[letter.case_id]["items"], strict=True):
            assert (got.label, got.decision) == (want["label"], want["decision"]), letter.case_id
    decisions = [i.decision for x in letters.values() for i in x.items]
    assert decisions.count("Overturned") == 19


def _cites(block) -> list[dict]:  # noqa: ANN001
    return [{"guideline": _short(c.guideline), "document": _short(c.document), "edition": _short(c.edition),
             "locator": c.locator} for c in block.citations]


def test_citations_match(letters: dict, expected: dict) -> None:
    for letter in letters.values():
        for got, want in zip(letter.items, expected[letter.case_id]["items"], strict=True):
            where = f"{letter.case_id}: {got.label}"
            assert _cites(got.ur_citations) == want["ur"], where
            assert _cites(got.imr_citations) == want["imr"], where
            assert got.ur_citations.no_evidence == want.get("ur_no_evidence", False), where
            assert got.imr_citations.no_evidence == want.get("imr_no_evidence", False), where
            assert not got.ur_citations.unparsed and not got.imr_citations.unparsed, where


def test_partial_authorizations(letters: dict, expected: dict) -> None:
    partial = 0
    for letter in letters.values():
        for got, want in zip(letter.items, expected[letter.case_id]["items"], strict=True):
            assert (got.original.value if got.original else None) == want.get("original"), letter.case_id
            assert (got.authorized.value if got.authorized else None) == want.get("authorized"), letter.case_id
            partial += got.original is not None
    assert partial == 26  # counted in the letters: "original request ... is: Upheld|Overturned"


def test_partial_authorization_quantities_in_graph(letters: dict) -> None:
    g = letters["CM16-0230651"].graph()
    req = next(r for r in g.subjects(KG.requestText, None) if "two sessions" in str(g.value(r, KG.requestText)))
    assert (int(g.value(req, KG.originalQuantity)), int(g.value(req, KG.authorizedQuantity)),
            int(g.value(req, KG.quantity))) == (8, 6, 2)


def test_conflict_flags_in_the_letters(letters: dict) -> None:
    """29 items where UR cited only non-MTUS sources and the reviewer cited the MTUS (domain notes)."""
    flagged = [i for x in letters.values() for i in x.items
               if i.ur_citations.only_non_mtus and i.imr_citations.any_mtus]
    assert len(flagged) == 29


@pytest.fixture(scope="module")
def clinical_expected() -> dict[str, dict]:
    return json.loads((DATA / "letters-clinical-expected.json").read_text(encoding="utf-8"))["letters"]


def test_clinical_spot_checks(letters: dict, clinical_expected: dict) -> None:
    assert len(clinical_expected) >= 15
    for case, want in clinical_expected.items():
        letter = letters[case]
        c = letter.clinical
        assert c.age is not None and c.age.value == want["age"], case
        assert c.sex is not None and c.sex.value == want["sex"], case
        if "work" in want:
            assert c.work_status is not None and _short(c.work_status.value).split("#")[-1] == want["work"], case
        if "mechanism" in want:
            assert c.mechanism is not None and want["mechanism"] in c.mechanism.value, case
        dx = [d.value.lower() for d in c.diagnoses]
        for label in want.get("diagnoses", []):
            assert label.lower() in dx, (case, label, dx)
        for label in want.get("not_diagnoses", []):
            assert label.lower() not in dx, (case, label)
        codes = {letter.icd10_for(d.extra["concept"]) for d in c.diagnoses if d.extra.get("concept") is not None}
        for code in want.get("icd10", []):
            assert code in codes, (case, code, codes)
        treatments = {_short(t.extra["topic"]): t.extra["count"] for t in c.treatments}
        for topic, count in want.get("treatments", {}).items():
            assert topic in treatments and treatments[topic] == count, (case, topic, treatments)
        meds = [m.value for m in c.medications]
        for med in want.get("medications", []):
            assert med in meds, (case, med, meds)
        if want.get("no_medications"):
            assert meds == [], (case, meds)


def test_provenance_spans_quote_the_letter(letters: dict) -> None:
    from rdflib.namespace import RDF

    from kg.extract.to_rdf import MAX_QUOTE, OA

    for case in ("CM16-0230651", "CM17-0013240", "CM16-0242667"):
        letter = next(x for x in letters.values() if x.case_id == case)
        g = letter.graph()
        selectors = list(g.subjects(RDF.type, OA.TextPositionSelector))
        assert len(selectors) >= 15, case
        for target in g.subjects(RDF.type, OA.SpecificResource):
            pos = next(s for s in g.objects(target, OA.hasSelector) if (s, RDF.type, OA.TextPositionSelector) in g)
            quote = next(s for s in g.objects(target, OA.hasSelector) if (s, RDF.type, OA.TextQuoteSelector) in g)
            start, end = int(g.value(pos, OA.start)), int(g.value(pos, OA.end))
            exact = str(g.value(quote, OA.exact))
            assert end - start <= MAX_QUOTE and exact
            assert " ".join(letter.text[start:end].split()) == exact, case


def test_recorded_decision_is_not_read_as_clinical_fact(letters: dict) -> None:
    """No clinical fact may come from the issues section (decisions and rationales)."""
    for letter in letters.values():
        _, end = letter.sections.summary_span
        c = letter.clinical
        facts = [c.age, c.sex, c.mechanism, c.work_status, *c.diagnoses, *c.treatments, *c.medications, *c.tests,
                 *c.findings]
        for fact in facts:
            if fact is not None:
                assert fact.span[1] <= end, letter.case_id


@pytest.fixture(scope="module")
def seed_letter():
    if not SEED.is_file():
        pytest.skip(f"{SEED} is absent")
    from kg.extract import extract_letter

    return extract_letter(SEED)


def test_seed_letter_gives_the_seed_determination(seed_letter, repo_root: Path) -> None:  # noqa: ANN001
    from kg.api import validate, validate_graph
    from kg.knowledge import bundled_knowledge

    [from_letter] = validate_graph(seed_letter.graph(), bundled_knowledge(), file=str(SEED))
    [from_seed] = validate(repo_root / "cases" / "seed.ttl")
    [got], [want] = from_letter.items, from_seed.items
    assert got.outcome == want.outcome == "not-medically-necessary"
    assert [(c.id, c.status) for c in got.criteria] == [(c.id, c.status) for c in want.criteria]
    assert [c.type for c in got.conflicts] == [c.type for c in want.conflicts] == ["non-mtus-where-mtus-applies"]
    assert got.recorded_imr == "upheld" and got.agrees_with_imr


def test_seed_negations_stay_apart(seed_letter) -> None:  # noqa: ANN001
    c = seed_letter.clinical
    esi = next(t for t in c.treatments if _short(t.extra["topic"]) == "EpiduralSteroidInjection")
    assert esi.extra["painRelief"] is False  # "without relief": documented as absent
    assert esi.extra["count"] is None  # "multiple": no number stated
    assert not any("cane" in m.value or "walker" in m.value for m in c.medications)  # "was not using a cane"
    assert _short(c.work_status.value).split("#")[-1] == "NotWorking"
    assert not any(_short(t.extra["topic"]) == "LumbarSympatheticBlock" for t in c.treatments)


def test_extracted_cases_are_pure_case_data(letters: dict) -> None:
    """kg's own output must pass its quarantine untouched (a note on every letter would hide real ones)."""
    from kg.knowledge import bundled_knowledge
    from kg.prepare import split_case

    guidelines = bundled_knowledge().guidelines
    for name, letter in letters.items():
        _, quarantined = split_case(letter.graph(), guidelines)
        assert quarantined == [], (name, quarantined[:3])
