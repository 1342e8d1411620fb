"""Recognition coverage over the real letters: at least 95% of disputed items map to a topic."""

from __future__ import annotations

from pathlib import Path

import pytest

LETTERS = Path("/work/shared/imr-letters")
THRESHOLD = 0.95


def _items() -> list[tuple[str, str, str]]:
    from kg.letters import disputed_item_lines, letter_text

    out = []
    for pdf in sorted(LETTERS.glob("*.pdf")):
        out.extend((pdf.stem, item, decision) for item, decision in disputed_item_lines(letter_text(pdf)))
    return out


@pytest.fixture(scope="module")
def items() -> list[tuple[str, str, str]]:
    if not LETTERS.is_dir() or not any(LETTERS.glob("*.pdf")):
        pytest.skip(f"{LETTERS} is absent: the real IMR letters are not on this machine")
    pytest.importorskip("pypdf")
    return _items()


def test_every_letter_yields_disputed_items(items: list[tuple[str, str, str]]) -> None:
    letters = {pdf.stem for pdf in LETTERS.glob("*.pdf")}
    with_items = {case for case, _, _ in items}
    assert letters - with_items == set(), "letters with no disputed item found"
    assert all(decision in ("Upheld", "Overturned") for _, _, decision in items)


def test_recognition_covers_95_percent_of_disputed_items(items: list[tuple[str, str, str]]) -> None:
    from kg.recognize import recognize

    missed = [f"{case}: {text}" for case, text, _ in items if recognize(text).topic is None]
    share = 1 - len(missed) / len(items)
    assert share >= THRESHOLD, (f"{share:.1%} of {len(items)} items map to a topic; unmapped:\n  "
                                + "\n  ".join(missed))
