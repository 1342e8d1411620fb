"""The hostile corpus through `kg viz case`: the picture goes through the same safe loader and
quarantine as `kg validate`, and case text never becomes markup or terminal control in it.

(The viz helper's own escaping tests — DOT quoting, Mermaid entities, the HTML script block,
well-formed SVG — live in tests/test_viz.py; these add the corpus and control characters.)
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main

CORPUS = Path(__file__).parent / "hostile"
GOOD = CORPUS / "control-necessary.ttl"


def _pairs(prefix: str) -> list[tuple[Path, dict]]:
    out = []
    for expected in sorted(CORPUS.glob(prefix + "*.expected.json")):
        stem = expected.name[: -len(".expected.json")]
        case = next(p for p in CORPUS.glob(stem + ".*") if p != expected)
        out.append((case, json.loads(expected.read_text(encoding="utf-8"))))
    return out


@pytest.mark.parametrize(("path", "want"), _pairs("load-"), ids=lambda v: v.name if isinstance(v, Path) else "")
def test_viz_refuses_what_validate_refuses(path: Path, want: dict) -> None:
    result = CliRunner().invoke(main, ["viz", "case", *want.get("args", []), str(path), "-f", "dot"])
    assert result.exit_code == 2, result.output[:500]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and path.name in lines[0] and want["error_contains"] in lines[0]
    assert result.stdout == "" and "Traceback" not in result.stderr


@pytest.mark.parametrize("name", ["attack-fake-recommendation", "attack-rewrite-criterion", "attack-altlabel-remap"])
def test_viz_draws_the_case_as_judged_without_its_rule_triples(name: str) -> None:
    result = CliRunner().invoke(main, ["viz", "case", str(CORPUS / f"{name}.ttl"), "-f", "mermaid"])
    assert result.exit_code == 0, result.output
    assert "Always met" not in result.stdout  # the rewritten criterion statement is not drawn
    assert "not medically necessary" in result.stdout.lower() or "not-medically-necessary" in result.stdout


NASTY = r"A\u001B[31mB\u001B]0;pwned\u0007C\u202Edesrever\u202C\u0000D"


@pytest.mark.parametrize("fmt", ["dot", "mermaid", "html", "graphml", "gexf"])
def test_control_characters_never_reach_a_picture(fmt: str, tmp_path: Path) -> None:
    path = tmp_path / "nasty.ttl"
    path.write_text(GOOD.read_text(encoding="utf-8").replace(
        'rdfs:label "Hostile corpus case"', f'rdfs:label "{NASTY}"'), encoding="utf-8")
    out = tmp_path / f"picture.{fmt}"
    result = CliRunner().invoke(main, ["viz", "case", str(path), "-f", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x9b\u202a-\u202e\u2066-\u2069]", text)
    assert "\\u001b" not in text.lower() and "\\u202e" not in text.lower()
    assert "pwned" not in text
