"""kg query: the named queries answer correctly on the bundled cases; bad queries fail cleanly."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from rdflib import Graph

from kg import validate
from kg.cli import main
from kg.errors import KgError
from kg.namespaces import G
from kg.store import QueryError, named_queries, run_query
from kg.store.named import resolve_topic

SEED_DATE = "2015-07-22"  # UR decision date of the seed case (CPMTG 2009 in force)
DEV_DATE = "2017-01-10"  # within the dev letters' span (CPMTG 2016 in force)


@pytest.fixture(scope="module")
def cases(repo_root):
    return sorted((repo_root / "cases").glob("*.ttl"))


def column(result, name):
    index = result.variables.index(name)
    return [row[index] for row in result.rows]


def rows(result):
    return [dict(zip(result.variables, (None if t is None else str(t) for t in row), strict=True))
            for row in result.rows]


def test_library_has_at_least_twelve_documented_queries():
    queries = named_queries()
    assert len(queries) >= 12
    for q in queries.values():
        assert q.description, q.name
        run_check = pytest.importorskip("kg.store.sparql").check
        run_check(q.text, source=q.name)


def test_criteria_for_topic_cites_page_57_for_the_seed_topic():
    result = run_query("criteria-for-topic", params={"topic": "lumbar sympathetic block"})
    found = {r["criterion"]: r for r in rows(result)}
    assert {"LSB-1", "LSB-2", "LSB-3"} <= set(found)
    assert found["LSB-2"]["pages"] == "57"
    assert found["LSB-2"]["guideline"] == "MTUS"
    assert found["LSB-2"]["confidence"] == "verified"
    assert any(c.startswith("ODG-SB-") for c in found)


def test_topic_parameter_accepts_iri_prefixed_name_and_label():
    expected = G.LumbarSympatheticBlock
    assert resolve_topic("g:LumbarSympatheticBlock") == expected
    assert resolve_topic(str(expected)) == expected
    assert resolve_topic("Lumbar Sympathetic Block") == expected
    with pytest.raises(ValueError):
        resolve_topic("no such treatment")


def test_editions_in_force_on_a_date():
    before = {(r["document"], r["edition"]) for r in rows(run_query("editions-in-force", params={"date": SEED_DATE}))}
    after = {(r["document"], r["edition"]) for r in rows(run_query("editions-in-force", params={"date": DEV_DATE}))}
    cpmtg = "Chronic Pain Medical Treatment Guidelines"
    assert (cpmtg, "2009") in before and (cpmtg, "2016") not in before
    assert (cpmtg, "2016") in after and (cpmtg, "2009") not in after


def test_mtus_topics_follow_the_edition_in_force():
    seed_era = rows(run_query("mtus-topics-on-date", params={"date": SEED_DATE}))
    topics = {r["topic"] for r in seed_era}
    assert str(G.LumbarSympatheticBlock) in topics
    assert str(G.HipMRI) not in topics  # the MTUS of 2015 has no hip chapter
    assert {r["edition"] for r in seed_era} == {"2009"} or "2016" not in {r["edition"] for r in seed_era}
    dev_era = rows(run_query("mtus-topics-on-date", params={"date": DEV_DATE}))
    physical = [r for r in dev_era if r["topic"] == str(G.PhysicalMedicine)]
    assert physical and {r["edition"] for r in physical} == {"2016"}


def test_odg_only_topics_are_those_the_mtus_is_silent_on():
    topics = set(column(run_query("odg-only-topics-on-date", params={"date": SEED_DATE}), "topic"))
    assert G.HipMRI in topics
    assert G.LumbarSympatheticBlock not in topics


def test_ur_conflict_query_agrees_with_the_procedural_shape(cases, tmp_path):
    acute = tmp_path / "acute.ttl"  # injured a month before the UR: the shape and the query must still agree
    acute.write_text((cases[-1]).read_text(encoding="utf-8")
                     .replace('"2010-08-25"^^xsd:date', '"2015-06-20"^^xsd:date')
                     .replace('"SEED-2015"', '"ACUTE-2015"').replace("case/seed#", "case/acute#"), encoding="utf-8")
    cases = [*cases, acute]
    by_sparql = {str(n) for n in column(run_query("ur-non-mtus-where-mtus-applies", cases), "caseNumber")}
    by_shacl = {c.case_number for c in validate(*cases) for i in c.items
                if any(x.type == "non-mtus-where-mtus-applies" for x in i.conflicts)}
    assert by_sparql == by_shacl
    assert "SEED-2015" in by_sparql
    assert "VARIANT-HIP-2015" not in by_sparql


def test_outcomes_by_topic_match_kg_validate(cases):
    result = run_query("outcomes-by-topic", cases)
    counted = {(str(r["topic"]), r["outcome"]): int(r["items"]) for r in rows(result)}
    expected: dict[tuple[str, str], int] = {}
    for case in validate(*cases):
        for item in case.items:
            key = (item.topic_iri, item.outcome.replace("-", " "))
            expected[key] = expected.get(key, 0) + 1
    assert counted == expected


def test_agreement_and_specialty_and_conflicts(cases):
    agreement = rows(run_query("imr-agreement-by-topic", cases))
    assert agreement == [{"topic": str(G.LumbarSympatheticBlock), "imrOutcome": "upheld", "items": "1",
                          "agree": "1", "disagree": "0"}]
    specialty = rows(run_query("outcomes-by-reviewer-specialty", cases))
    assert [(r["specialty"], r["outcome"], r["conflicts"]) for r in specialty] == [
        ("Preventive Medicine, Occupational Medicine", "not medically necessary", "1")]
    conflicts = rows(run_query("cases-with-conflicts", cases))
    assert {r["caseNumber"] for r in conflicts} == {"SEED-2015", "SEED-2015-V1"}
    documents = rows(run_query("outcomes-by-document", cases))
    by_document = {(r["document"], r["outcome"]): r["conflicts"] for r in documents}
    assert by_document[("Chronic Pain Medical Treatment Guidelines", "not medically necessary")] == "1"


def test_requests_no_guideline_addresses(cases, tmp_path):
    assert run_query("requests-without-guideline", cases).rows == []
    orphan = tmp_path / "orphan.ttl"
    orphan.write_text("""@prefix kg: <https://w3id.org/kg-imr/ns#> . @prefix g: <https://w3id.org/kg-imr/guideline/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<urn:case:orphan> a kg:Case ; kg:caseNumber "ORPHAN-1" ;
    kg:hasRequest <urn:case:orphan#unknown>, <urn:case:orphan#too-early>, <urn:case:orphan#covered> .
<urn:case:orphan#unknown> a kg:Request ; kg:topic g:NoSuchTreatment ; kg:requestDate "2015-01-05"^^xsd:date .
<urn:case:orphan#too-early> a kg:Request ; kg:topic g:LumbarSympatheticBlock ;
    kg:requestDate "2001-01-05"^^xsd:date .
<urn:case:orphan#covered> a kg:Request ; kg:topic g:LumbarSympatheticBlock ;
    kg:requestDate "2015-01-05"^^xsd:date .
""", encoding="utf-8")
    found = rows(run_query("requests-without-guideline", [*cases, orphan]))
    assert sorted((r["caseNumber"], r["topic"], r["referenceDate"]) for r in found) == [
        ("ORPHAN-1", str(G.LumbarSympatheticBlock), "2001-01-05"), ("ORPHAN-1", str(G.NoSuchTreatment), "2015-01-05")]


def test_string_parameters_are_bound_as_values_not_pasted(repo_root):
    seed = [repo_root / "cases" / "seed.ttl"]
    assert len(run_query("case-requests", seed, params={"number": "SEED-2015"}).rows) == 1
    hostile = 'SEED-2015" } } UNION { ?request ?topic ?requestDate } #'
    assert run_query("case-requests", seed, params={"number": hostile}).rows == []


def test_parameter_errors_are_clear():
    with pytest.raises(QueryError, match="date"):
        run_query("editions-in-force", params={"date": "22/07/2015"})
    with pytest.raises(QueryError, match="needs --param date"):
        run_query("editions-in-force")
    with pytest.raises(QueryError, match="no parameter"):
        run_query("editions-in-force", params={"date": SEED_DATE, "other": "x"})


@pytest.mark.parametrize("update", [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "PREFIX kg: <https://w3id.org/kg-imr/ns#>\nDELETE WHERE { ?s kg:caseNumber ?n }",
    "DROP ALL",
    "LOAD <http://example.org/data.ttl>",
])
def test_cli_refuses_sparql_update(update):
    result = CliRunner().invoke(main, ["query", update])
    assert result.exit_code == 2
    assert "SPARQL Update" in result.output and "refused" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * FROM <http://example.org/data.ttl> WHERE { ?s ?p ?o }",
    "SELECT * FROM NAMED <http://example.org/data.ttl> WHERE { GRAPH ?g { ?s ?p ?o } }",
])
def test_queries_that_would_reach_the_network_are_refused(query):
    result = CliRunner().invoke(main, ["query", query])
    assert result.exit_code == 2
    assert "refused" in result.output and "Traceback" not in result.output


def test_words_inside_names_and_strings_are_not_mistaken_for_keywords():
    query = ('PREFIX kg: <https://w3id.org/kg-imr/ns#>\n'
             'SELECT ?from WHERE { ?ed kg:effectiveFrom ?from . FILTER(?from != "FROM SERVICE") }')
    assert len(run_query(query).rows) > 3


def test_cli_syntax_error_names_line_and_column(tmp_path):
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT ?s\nWHERE {\n  ?s ?p\n}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["query", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:3:3: SPARQL syntax error" in result.output


def test_cli_reads_query_from_file_stdin_and_inline(tmp_path, repo_root):
    text = "PREFIX kg: <https://w3id.org/kg-imr/ns#>\nSELECT ?n WHERE { ?c kg:caseNumber ?n }"
    seed = str(repo_root / "cases" / "seed.ttl")
    file = tmp_path / "q.rq"
    file.write_text(text, encoding="utf-8")
    for args, stdin in (([str(file), seed], None), (["-", seed], text), ([text, seed], None)):
        result = CliRunner().invoke(main, ["query", *args, "--format", "csv"], input=stdin)
        assert result.exit_code == 0, result.output
        assert result.stdout_bytes == b"n\r\nSEED-2015\r\n"


def test_cli_formats_are_w3c_results(repo_root):
    seed = str(repo_root / "cases" / "seed.ttl")
    runner = CliRunner()
    as_json = json.loads(runner.invoke(main, ["query", "case-requests", seed, "-p", "number=SEED-2015",
                                              "-f", "json"]).output)
    [binding] = as_json["results"]["bindings"]
    assert binding["topic"] == {"type": "uri", "value": str(G.LumbarSympatheticBlock)}
    assert binding["urDate"]["datatype"].endswith("#date")
    tsv = runner.invoke(main, ["query", "case-requests", seed, "-p", "number=SEED-2015", "-f", "tsv"]).output
    assert tsv.splitlines()[0].startswith("?request\t?topic")
    assert f"<{G.LumbarSympatheticBlock}>" in tsv
    table = runner.invoke(main, ["query", "case-requests", seed, "-p", "number=SEED-2015"]).output
    assert "g:LumbarSympatheticBlock" in table and "(1 row)" in table
    rows_ = list(csv.reader(io.StringIO(runner.invoke(main, ["query", "outcomes-by-topic", seed, "-f", "csv"]).output)))
    assert rows_ == [["topic", "outcome", "items"], [str(G.LumbarSympatheticBlock), "not medically necessary", "1"]]
    ask = runner.invoke(main, ["query", "ASK { ?s a <https://w3id.org/kg-imr/ns#Case> }", seed, "-f", "json"])
    assert json.loads(ask.output) == {"head": {}, "boolean": True}


def test_cli_construct_gives_parseable_rdf():
    query = ("PREFIX kg: <https://w3id.org/kg-imr/ns#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
             "CONSTRUCT { ?t skos:prefLabel ?l } WHERE { ?t a kg:TreatmentTopic ; skos:prefLabel ?l }")
    for fmt, parser in (("turtle", "turtle"), ("json-ld", "json-ld"), ("nt", "nt")):
        result = CliRunner().invoke(main, ["query", query, "-f", fmt])
        assert result.exit_code == 0, result.output
        graph = Graph().parse(data=result.output, format=parser)
        assert (G.HipMRI, None, None) in graph


def test_cli_list_shows_every_named_query():
    result = CliRunner().invoke(main, ["query", "--list"])
    assert result.exit_code == 0
    for name in named_queries():
        assert name in result.output
    assert "--param date=<date>" in result.output


def test_bad_case_file_is_one_line_error(tmp_path):
    bad = tmp_path / "broken.ttl"
    bad.write_text("@prefix kg: <https://w3id.org/kg-imr/ns#> .\n<urn:a> a kg:Case\n<urn:b> a kg:Case .\n")
    result = CliRunner().invoke(main, ["query", "outcomes-by-topic", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:" in result.output and "Traceback" not in result.output
    with pytest.raises(KgError):
        run_query("topics", [bad])
