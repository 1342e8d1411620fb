"""The hostile corpus: broken and malicious case files, each judged through the CLI.

Every ``tests/hostile/NAME.expected.json`` sits beside one case file ``NAME.<ext>`` and says::

    {"why": "...", "exit": 0|1|2, "outcomes": [...],          # sorted item outcomes (exit 0/1)
     "findings_contain": "...", "notes_contain": "...",        # optional substrings
     "error_contains": "...", "args": ["--max-bytes", "500"]}  # exit 2: the one-line error

Most files are one-fact mutations of a made-up case whose criteria are all met (the
``control-necessary`` file), so a broken fact that kg silently ignored would show up as
"medically-necessary". Whatever a file expects, an item is only ever "medically-necessary"
where the expectation says so.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main

CORPUS = Path(__file__).parent / "hostile"


def _cases() -> list[tuple[Path, Path]]:
    pairs = []
    for expected in sorted(CORPUS.glob("*.expected.json")):
        stem = expected.name[: -len(".expected.json")]
        files = [p for p in CORPUS.glob(stem + ".*") if p != expected and not p.name.endswith(".expected.json")]
        assert len(files) == 1, f"{expected.name}: expected exactly one case file, found {files}"
        pairs.append((files[0], expected))
    return pairs


CASES = _cases()


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 30
    orphans = [p for p in CORPUS.iterdir() if not p.name.endswith((".expected.json", ".py"))
               and not (CORPUS / (p.name.split(".")[0] + ".expected.json")).exists()]
    assert not orphans, orphans


def run_cli(path: Path, *extra: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["validate", *extra, str(path), "--format", "json"])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(("path", "expected_path"), CASES, ids=[p.name for p, _ in CASES])
def test_hostile_file(path: Path, expected_path: Path) -> None:
    want = json.loads(expected_path.read_text(encoding="utf-8"))
    code, out, err = run_cli(path, *want.get("args", []))
    assert "Traceback" not in out + err
    assert code == want["exit"], (code, err, out[:2000])
    if code == 2:
        lines = err.strip().splitlines()
        assert len(lines) == 1, err
        assert lines[0].startswith("kg: error: ") and path.name in lines[0], lines[0]
        assert want["error_contains"] in lines[0], lines[0]
        assert out == ""
        return
    report = json.loads(out)
    items = [i for case in report["cases"] for i in case["items"]]
    got = sorted(i["outcome"] for i in items)
    assert got == sorted(want["outcomes"]), [(i["outcome"], i["findings"]) for i in items]
    if "medically-necessary" not in want["outcomes"]:
        assert all(i["outcome"] != "medically-necessary" for i in items)
    for item in items:  # an undetermined item without a finding would leave the reader guessing
        assert item["outcome"] != "undetermined" or item["findings"], item
    if "findings_contain" in want:
        findings = [f for i in items for f in i["findings"]]
        assert any(want["findings_contain"].lower() in f.lower() for f in findings), findings
    notes = [n for case in report["cases"] for n in case["notes"]]
    if "notes_contain" in want:
        assert any(want["notes_contain"] in n for n in notes), notes
    else:
        assert not any("Quarantined" in n for n in notes), notes



def test_slow_validation_in_batch_mode_names_only_that_file(repo_root: Path) -> None:
    """Batch mode packs files into one SHACL run; past the time box the pack is rerun file by
    file, so the slow file is reported and the seed case beside it is still judged."""
    slow = CORPUS / "slow-validation.ttl"
    seed = repo_root / "cases" / "seed.ttl"
    result = CliRunner().invoke(main, ["validate", str(slow), str(seed), "--format", "jsonl", "--timeout", "5",
                                       "--no-progress", "--jobs", "1"])
    assert result.exit_code == 2, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    errors = [line for line in lines if "error" in line]
    assert [e["file"] for e in errors] == [str(slow)]
    assert "validation took longer than the 5-second limit" in errors[0]["error"]
    judged = [line for line in lines if "items" in line]
    assert [c["case_number"] for c in judged] == ["SEED-2015"]
    assert judged[0]["items"][0]["outcome"] == "not-medically-necessary"
