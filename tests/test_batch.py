"""Batch validation gives, file for file, exactly what single-file validation gives."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg import validate
from kg.batch import FileOutcome, _split_report, case_files, judge_files, validate_many
from kg.cli import main
from kg.knowledge import bundled_knowledge
from kg.render.json import to_dict
from kg.synth import write

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Bundled cases, every sixth fixture (tests/test_engines.py runs them all) and 40 synthetic cases."""
    kb = bundled_knowledge()
    out = tmp_path_factory.mktemp("synth")
    write(40, 11, out, kb.guidelines, kb.shapes)
    fixtures = case_files([REPO / "tests" / "fixtures"])[::6]
    return case_files([REPO / "cases"]) + fixtures + case_files([out])


def _norm(cases: list[dict]) -> list[dict]:
    """Conflicts and findings are sets (their order follows the engine's report order)."""
    for case in cases:
        for item in case["items"]:
            item["conflicts"] = sorted(item["conflicts"], key=lambda c: (c["type"], c["citation"]))
            item["findings"] = sorted(item["findings"])
    return cases


def _single(path: Path) -> list[dict]:
    return _norm(to_dict(validate(path))["cases"])


def test_batch_equals_single_file(corpus: list[Path]) -> None:
    by_file = {o.file: o for o in validate_many(corpus, jobs=1, chunk=16)}
    assert sorted(by_file) == sorted(str(p) for p in corpus)
    for path in corpus:
        outcome = by_file[str(path)]
        assert outcome.error is None
        assert _norm(to_dict(list(outcome.results))["cases"]) == _single(path), path


def test_cli_jsonl_in_parallel_matches_single_file(corpus: list[Path]) -> None:
    subset = corpus[:12]
    result = CliRunner().invoke(main, ["validate", *map(str, subset), "-j", "2", "--chunk", "3",
                                       "--format", "jsonl"])
    assert result.exit_code == 1, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    got = {line["file"]: line for line in lines}
    for path in subset:
        [want] = _single(path)
        assert _norm([got[str(path)]]) == [want]
    assert "agrees with IMR (upheld)" in result.stderr


def test_files_with_the_same_iris_are_never_merged(tmp_path: Path) -> None:
    """Two copies of the seed (same IRIs) and its variant: each judged as on its own."""
    for name in ("a.ttl", "b.ttl"):
        shutil.copy(REPO / "cases" / "seed.ttl", tmp_path / name)
    shutil.copy(REPO / "cases" / "seed-variant-necessary.ttl", tmp_path / "c.ttl")
    paths = [str(p) for p in sorted(tmp_path.glob("*.ttl"))]
    outcomes = judge_files(paths)
    for outcome in outcomes:
        assert _norm(to_dict(list(outcome.results))["cases"]) == _single(Path(outcome.file))
    assert [i.outcome for o in outcomes for c in o.results for i in c.items] == [
        "not-medically-necessary", "not-medically-necessary", "medically-necessary"]


def test_a_bad_file_is_reported_and_the_rest_judged(tmp_path: Path) -> None:
    shutil.copy(REPO / "cases" / "seed.ttl", tmp_path / "good.ttl")
    (tmp_path / "bad.ttl").write_text("@prefix kg: <https://w3id.org/kg-imr/ns#> .\n:x kg:topic .\n")
    result = CliRunner().invoke(main, ["validate", str(tmp_path), "--format", "jsonl"])
    assert result.exit_code == 2
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    errors = [line for line in lines if "error" in line]
    assert len(errors) == 1 and errors[0]["file"].endswith("bad.ttl") and "bad.ttl" in errors[0]["error"]
    assert any(line.get("case_number") == "SEED-2015" for line in lines)
    assert "Traceback" not in result.output


def test_single_file_output_is_unchanged_by_batch_options() -> None:
    """Without batch options kg validate prints the documented text, not a summary table."""
    result = CliRunner().invoke(main, ["validate", str(REPO / "cases" / "seed.ttl")])
    assert result.exit_code == 1
    assert result.stdout.startswith("Case: Seed case: left lumbar sympathetic block (2015)")
    assert "agrees with IMR" not in result.stdout


def test_report_results_about_no_file_go_to_every_file() -> None:
    from rdflib import BNode, Graph, URIRef

    from kg.namespaces import RDF, SH

    report, rep, res = Graph(), BNode(), BNode()
    report.add((rep, RDF.type, SH.ValidationReport))
    report.add((rep, SH.result, res))
    report.add((res, SH.focusNode, URIRef("https://w3id.org/kg-imr/guideline/X")))
    parts = _split_report(report, {}, [{}, {}])
    assert [len(list(p.objects(None, SH.result))) for p in parts] == [1, 1]


def test_unknown_executor_is_one_line_error() -> None:
    result = CliRunner().invoke(main, ["validate", str(REPO / "cases"), "--executor", "spark://x"])
    assert result.exit_code == 2
    assert "unknown executor" in result.stderr


def test_dask_local_cluster_gives_the_same_results(corpus: list[Path]) -> None:
    distributed = pytest.importorskip("distributed")
    subset = corpus[:8]
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        got = list(validate_many(subset, executor="dask://" + address, chunk=3))
    assert sorted(o.file for o in got) == sorted(str(p) for p in subset)
    for outcome in got:
        assert isinstance(outcome, FileOutcome) and outcome.error is None
        assert _norm(to_dict(list(outcome.results))["cases"]) == _single(Path(outcome.file))
