"""Tests as data: every case file under tests/fixtures/ with a sibling ``NAME.expected.json``.

The expected file names, per requested item (matched by its request text), the outcome, the
status of the criteria that matter, and the exact list of conflict types::

    {"items": [{"label": "MRI of the lumbar spine", "outcome": "not-medically-necessary",
                "criteria": {"LMRI-1": "unmet"}, "conflicts": []}]}

Add a topic's fixtures by dropping files here; no Python needed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg import validate

FIXTURES = Path(__file__).parent / "fixtures"
CASE_SUFFIXES = (".ttl", ".jsonld", ".nt", ".rdf")


def _fixture_files() -> list[Path]:
    return sorted(p for p in FIXTURES.rglob("*") if p.suffix in CASE_SUFFIXES
                  and p.with_suffix(".expected.json").exists())


@pytest.mark.parametrize("path", _fixture_files(), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture(path: Path) -> None:
    expected = json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))
    items = {i.label: i for case in validate(path) for i in case.items}
    assert len(items) == len(expected["items"]), f"items found: {sorted(items)}"
    for want in expected["items"]:
        got = items[want["label"]]
        assert got.outcome == want["outcome"], (got.outcome, got.findings, [(c.id, c.status) for c in got.criteria])
        statuses = {c.id: c.status for c in got.criteria}
        for cid, status in want.get("criteria", {}).items():
            assert statuses.get(cid) == status, f"{cid}: {statuses}"
        if "conflicts" in want:
            assert sorted(c.type for c in got.conflicts) == sorted(want["conflicts"])
        if "topic_iri" in want:
            assert got.topic_iri == want["topic_iri"]


def test_every_fixture_has_expectations() -> None:
    """A case file under fixtures/ without an expected file would silently test nothing."""
    orphans = [p for p in FIXTURES.rglob("*") if p.suffix in CASE_SUFFIXES
               and not p.with_suffix(".expected.json").exists()]
    assert not orphans, orphans
