"""The CLI through click's runner and as a real subprocess: output, exit codes, errors."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"
SEED = str(REPO / "cases" / "seed.ttl")


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_seed_text_reads_like_the_letter() -> None:
    result = run("validate", SEED)
    assert result.exit_code == 1
    out = result.output
    assert "Determination: NOT MEDICALLY NECESSARY" in out
    assert "Chronic Pain Medical Treatment Guidelines 2009" in out and "p. 57" in out
    assert out.count("[NOT DOCUMENTED]") == 2
    assert "non-mtus-where-mtus-applies" in out
    assert "Recorded IMR decision: upheld (kg agrees)" in out


def test_seed_json_shape() -> None:
    result = run("validate", SEED, "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.output)
    [case] = doc["cases"]
    assert set(case) >= {"case", "file", "items"}
    [item] = case["items"]
    assert set(item) >= {"request", "label", "topic", "outcome", "governing", "criteria", "conflicts",
                         "recorded", "agrees_with_imr"}
    assert set(item["governing"]) >= {"guideline", "document", "edition", "locator"}
    for criterion in item["criteria"]:
        assert set(criterion) >= {"id", "status", "statement", "citation"}
        assert criterion["status"] in ("met", "unmet", "not-documented")


def test_turtle_output_is_rdf_with_provenance() -> None:
    from rdflib import Graph

    from kg.namespaces import KG, PROV, RDF

    result = run("validate", SEED, "--format", "turtle")
    assert result.exit_code == 1
    g = Graph().parse(data=result.output, format="turtle")
    [det] = list(g.subjects(RDF.type, KG.Determination))
    assert g.value(det, KG.outcome) == KG.NotMedicallyNecessary
    activity = g.value(det, PROV.wasGeneratedBy)
    assert (activity, RDF.type, PROV.Activity) in g
    used = {str(o) for o in g.objects(activity, PROV.used)}
    assert "https://w3id.org/kg-imr/guideline/CPMTG-2009" in used


def test_all_necessary_exits_zero() -> None:
    cases = REPO / "cases"
    result = run("validate", str(cases / "seed-variant-necessary.ttl"), str(cases / "hip-mri-odg.ttl"))
    assert result.exit_code == 0, result.output
    assert "NOT MEDICALLY NECESSARY" not in result.output


def test_output_file(tmp_path: Path) -> None:
    out = tmp_path / "seed.json"
    result = run("validate", SEED, "-f", "json", "-o", str(out))
    assert result.exit_code == 1
    assert json.loads(out.read_text())["cases"][0]["items"][0]["outcome"] == "not-medically-necessary"


def test_unparseable_file_is_one_line_with_file_and_line() -> None:
    result = run("validate", str(DATA / "bad-syntax.ttl"))
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert re.search(r"bad-syntax\.ttl:6: ", lines[0]), lines[0]
    assert "Traceback" not in result.output


def test_json_named_ttl_gets_a_clear_message() -> None:
    result = run("validate", str(DATA / "json-named-ttl.ttl"))
    assert result.exit_code == 2
    assert "looks like JSON" in result.output


def test_missing_file_exit_2() -> None:
    result = run("validate", str(DATA / "does-not-exist.ttl"))
    assert result.exit_code == 2
    assert "does-not-exist.ttl" in result.output


def test_case_without_request_is_undetermined() -> None:
    result = run("validate", str(DATA / "no-request.ttl"), "-f", "json")
    assert result.exit_code == 1
    [item] = json.loads(result.output)["cases"][0]["items"]
    assert item["outcome"] == "undetermined"
    assert any("no requested item" in f for f in item["findings"])


def test_unknown_topic_is_undetermined() -> None:
    result = run("validate", str(DATA / "unknown-topic.ttl"), "-f", "json")
    assert result.exit_code == 1
    [item] = json.loads(result.output)["cases"][0]["items"]
    assert item["outcome"] == "undetermined"
    assert any("not a treatment topic" in f for f in item["findings"])


def test_topic_without_recommendation_in_force_is_undetermined() -> None:
    result = run("validate", str(DATA / "topic-without-recommendation.ttl"), "-f", "json")
    assert result.exit_code == 1
    [item] = json.loads(result.output)["cases"][0]["items"]
    assert item["outcome"] == "undetermined"
    assert any("No guideline" in f for f in item["findings"])


def test_subprocess_exit_codes_and_stderr() -> None:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    ok = subprocess.run([sys.executable, "-m", "kg.cli", "validate", SEED], capture_output=True, text=True, env=env)
    assert ok.returncode == 1 and "NOT MEDICALLY NECESSARY" in ok.stdout
    bad = subprocess.run([sys.executable, "-m", "kg.cli", "validate", str(DATA / "bad-syntax.ttl")],
                         capture_output=True, text=True, env=env)
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert len(bad.stderr.strip().splitlines()) == 1 and "bad-syntax.ttl:6" in bad.stderr


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_has_help_with_example_and_readme_entry(command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.output, f"kg {command} --help has no example"
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"kg {command}" in readme, f"kg {command} is not documented in README.md"


def test_stored_determinations_record_the_editions_they_rest_on() -> None:
    """`kg load --with-determinations` writes the same PROV as `kg validate --format turtle`."""
    from kg.knowledge import bundled_knowledge
    from kg.loader import load_rdf
    from kg.namespaces import KG, PROV, RDF
    from kg.store.load import determinations_graph

    g = determinations_graph(load_rdf(Path(SEED)), bundled_knowledge(), file=SEED)
    [det] = list(g.subjects(RDF.type, KG.Determination))
    used = {str(o) for o in g.objects(g.value(det, PROV.wasGeneratedBy), PROV.used)}
    assert "https://w3id.org/kg-imr/guideline/CPMTG-2009" in used
