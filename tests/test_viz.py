"""kg viz: the typed graph of each view, every format, escaping of case strings, errors.

The browser test of the HTML page is in test_viz_browser.py.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from rdflib import Graph

from kg.cli import main
from kg.errors import KgError
from kg.knowledge import bundled_knowledge
from kg.viz import FORMATS, case_graph, format_for, ontology_graph, render, resolve_topic, topic_graph
from kg.viz.graph import NODE_KINDS
from kg.viz.html import json_for_script
from kg.viz.render import dot_quote, mermaid_text

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "cases" / "seed.ttl"
VARIANT = REPO / "cases" / "seed-variant-necessary.ttl"
G = "https://w3id.org/kg-imr/guideline/"
HAS_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAS_DOT and os.environ.get("CI") != "true",
                               reason="Graphviz `dot` is not installed (apt-get install graphviz); CI runs this")
HOSTILE = 'Evil </script><script>alert("x")</script> "quotes" \'single\' & <b>bold</b> \\N \\G {curly} [sq] |pipe| #35;'


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts.append(dict(attrs).get("type"))


def script_tags(page: str) -> list[str | None]:
    """The type of every <script> element, as a browser's HTML parser sees them."""
    parser = _Tags()
    parser.feed(page)
    return parser.scripts


def nodes_of(graph: nx.DiGraph, kind: str) -> dict[str, dict]:
    return {n: a for n, a in graph.nodes(data=True) if a["kind"] == kind}


def by_title(graph: nx.DiGraph, kind: str, prefix: str) -> tuple[str, dict]:
    [(node, attrs)] = [(n, a) for n, a in nodes_of(graph, kind).items() if a["title"].startswith(prefix)]
    return node, attrs


@pytest.fixture(scope="module")
def seed() -> nx.DiGraph:
    return case_graph(SEED)


@pytest.fixture(scope="module")
def hostile_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    text = SEED.read_text(encoding="utf-8").replace(
        '"Seed case: left lumbar sympathetic block (2015)"', json.dumps(HOSTILE)).replace(
        '"Left sympathetic block to the lumbar spine"', json.dumps("<script>alert(1)</script> request"))
    path = tmp_path_factory.mktemp("hostile") / "hostile.ttl"
    path.write_text(text, encoding="utf-8")
    return path


# --- the typed graph --------------------------------------------------------------------------

def test_seed_case_graph_shows_why_the_block_was_denied(seed: nx.DiGraph) -> None:
    assert {a["kind"] for _, a in seed.nodes(data=True)} <= set(NODE_KINDS)
    det, det_attrs = by_title(seed, "determination", "kg determination")
    assert det_attrs["status"] == "not-medically-necessary"
    assert "2 of 3 criteria not documented" in det_attrs["label"]
    statuses = {a["title"].split(":")[0]: a["status"] for a in nodes_of(seed, "criterion").values()}
    assert statuses == {"LSB-1": "met", "LSB-2": "not-documented", "LSB-3": "not-documented"}
    for node, attrs in nodes_of(seed, "criterion").items():
        assert seed.has_edge(det, node)
        assert "Lumbar sympathetic block, p. 57" in " ".join(attrs["label"].split())  # its citation is drawn
        assert dict(attrs["facts"])["cited"].startswith("MTUS Chronic Pain Medical Treatment Guidelines 2009")
    [(conflict, c_attrs)] = nodes_of(seed, "conflict").items()
    assert "non-MTUS" in c_attrs["label"] and seed.has_edge(det, conflict)
    ur, _ = by_title(seed, "decision", "recorded UR decision: denied")
    imr, _ = by_title(seed, "decision", "recorded IMR decision: upheld")
    assert seed.has_edge(ur, conflict)
    assert seed.edges[det, imr]["label"] == "agrees with IMR"
    assert seed.has_edge(det, G + "rec-CPMTG-2009-LSB")
    # 1 case, 1 applicant, 8 diagnoses, 3 prior treatments, 1 request, its topic, UR and IMR decisions,
    # kg's determination, the governing recommendation, 3 criteria, 1 conflict: counted from cases/seed.ttl.
    assert seed.number_of_nodes() == 23
    assert len(nodes_of(seed, "diagnosis")) == 8 and len(nodes_of(seed, "treatment")) == 3


def test_a_necessary_variant_is_green() -> None:
    graph = case_graph(VARIANT)
    [det] = nodes_of(graph, "determination").values()
    assert det["status"] == "medically-necessary"
    assert {a["status"] for a in nodes_of(graph, "criterion").values()} == {"met"}


def test_topic_graph_walks_from_topic_to_guideline() -> None:
    graph = topic_graph("LumbarSympatheticBlock")
    assert graph.nodes[G + "LumbarSympatheticBlock"]["kind"] == "topic"
    assert {a["title"] for a in nodes_of(graph, "guideline").values()} == {"MTUS", "ODG"}
    rec = G + "rec-CPMTG-2009-LSB"
    assert graph.has_edge(rec, G + "LumbarSympatheticBlock")
    assert graph.has_edge(rec, G + "CPMTG-2009-lumbar-sympathetic-block")
    assert graph.has_edge(G + "CPMTG-2009-lumbar-sympathetic-block", G + "CPMTG-2009")
    assert graph.has_edge(G + "CPMTG-2009", G + "CPMTG")
    criteria = {a["title"].split(":")[0] for a in nodes_of(graph, "criterion").values()}
    assert {"LSB-1", "LSB-2", "LSB-3", "ODG-SB-1"} <= criteria
    for attrs in nodes_of(graph, "criterion").values():
        facts = dict(attrs["facts"])
        assert facts["checked by SHACL shapes"] and not facts["checked by SHACL shapes"].startswith("none")
        assert facts["confidence"]


@pytest.mark.parametrize("name", ["LumbarSympatheticBlock", "lumbarsympatheticblock", G + "LumbarSympatheticBlock",
                                  "lumbar sympathetic block", "LSB", "64520"])
def test_topic_names(name: str) -> None:
    assert str(resolve_topic(name, bundled_knowledge().guidelines)) == G + "LumbarSympatheticBlock"


def test_unknown_and_ambiguous_topics_are_errors() -> None:
    with pytest.raises(KgError, match="no treatment topic 'no such thing'"):
        resolve_topic("no such thing", bundled_knowledge().guidelines)
    g = Graph()
    g.parse(data=f"""@prefix kg: <https://w3id.org/kg-imr/ns#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        <{G}A> a kg:TreatmentTopic ; skos:altLabel "block" . <{G}B> a kg:TreatmentTopic ; skos:altLabel "Block" .""",
            format="turtle")
    with pytest.raises(KgError, match="ambiguous"):
        resolve_topic("block", g)


def test_ontology_graph_has_every_class_and_the_properties_between_them() -> None:
    graph = ontology_graph()
    ns = "https://w3id.org/kg-imr/ns#"
    onto = Graph().parse(REPO / "ontology" / "kg.ttl")
    classes = {str(c) for c in onto.subjects(predicate=None, object=None)
               if str(c).startswith(ns) and (c, None, None) in onto
               and str(onto.value(c, Graph().namespace_manager.expand_curie("rdf:type"))).endswith("owl#Class")}
    assert classes and classes <= set(graph)
    assert graph.edges[ns + "Case", ns + "Request"]["label"] == "hasRequest"
    assert graph.edges[ns + "URDecision", ns + "Decision"]["kind"] == "subClassOf"
    assert graph.nodes[ns + "Case"]["kind"] == "case"


def test_every_kg_term_the_pictures_read_is_declared_in_the_ontology() -> None:
    source = (REPO / "kg" / "viz" / "graph.py").read_text(encoding="utf-8")
    used = set(re.findall(r"\bK\.([A-Za-z]\w*)", source))
    onto = Graph().parse(REPO / "ontology" / "kg.ttl")
    declared = {str(s).rsplit("#", 1)[1] for s in onto.subjects() if str(s).startswith("https://w3id.org/kg-imr/ns#")}
    assert used and used <= declared, used - declared


# --- formats ------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_of_the_seed(seed: nx.DiGraph, fmt: str) -> None:
    if fmt in ("svg", "png") and not HAS_DOT and os.environ.get("CI") != "true":
        pytest.skip("Graphviz `dot` is not installed (apt-get install graphviz); CI runs this")
    data = render(seed, fmt)
    n = seed.number_of_nodes()
    if fmt == "dot":
        assert data.startswith(b"digraph kg {") and data.count(b" [label=") >= n
    elif fmt == "svg":
        root = ET.fromstring(data)
        assert root.tag.endswith("svg")
        # + the legend: met, not documented and conflict appear in the seed (no "unmet" entry)
        assert len([e for e in root.iter() if e.get("class") == "node"]) == n + 3
    elif fmt == "png":
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000
    elif fmt == "html":
        page = data.decode()
        assert not re.search(r"<(script|link|img|iframe|object|embed)\b[^>]*\b(src|href)\s*=", page, re.I)
        assert "Content-Security-Policy" in page and "default-src &#x27;none&#x27;" in page
        assert script_tags(page) == ["application/json", None, None]
    elif fmt in ("graphml", "gexf"):
        back = (nx.read_graphml if fmt == "graphml" else nx.read_gexf)(io.BytesIO(data))
        assert back.number_of_nodes() == n and back.number_of_edges() == seed.number_of_edges()
        kinds = {a["kind"] for _, a in back.nodes(data=True)}
        assert {"case", "request", "determination", "criterion", "conflict"} <= kinds
        assert any(json.loads(a["facts"]) for _, a in back.nodes(data=True))
    elif fmt == "mermaid":
        text = data.decode()
        assert text.startswith("flowchart LR") and len(re.findall(r"^  n\d+[\[\(\{]", text, re.M)) == n
        assert "classDef not_documented" in text


@pytest.mark.parametrize("args", [["topic", "LumbarSympatheticBlock"], ["case", str(SEED)], ["ontology"]])
@pytest.mark.parametrize("ext", [".dot", ".html", ".graphml", ".gexf", ".mmd", ".md", ".svg"])
def test_cli_picks_the_format_from_the_extension(args: list[str], ext: str, tmp_path: Path) -> None:
    if ext == ".svg" and not HAS_DOT and os.environ.get("CI") != "true":
        pytest.skip("Graphviz `dot` is not installed")
    out = tmp_path / f"picture{ext}"
    result = CliRunner().invoke(main, ["viz", *args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    head = out.read_bytes()[:200]
    expected = {".dot": b"digraph", ".html": b"<!DOCTYPE html>", ".graphml": b"<?xml", ".gexf": b"<?xml",
                ".mmd": b"flowchart LR", ".md": b"```mermaid\nflowchart LR", ".svg": b"<?xml"}[ext]
    assert head.startswith(expected)


def test_format_option_wins_over_extension_and_default_is_dot(tmp_path: Path) -> None:
    out = tmp_path / "x.html"
    assert CliRunner().invoke(main, ["viz", "ontology", "-f", "mermaid", "-o", str(out)]).exit_code == 0
    assert out.read_text().startswith("flowchart")
    result = CliRunner().invoke(main, ["viz", "ontology"])
    assert result.exit_code == 0 and result.output.startswith("digraph kg {")
    assert format_for(None, None) == "dot"


# --- case strings are data, never markup -------------------------------------------------------

def test_hostile_labels_are_escaped_in_every_text_format(hostile_case: Path) -> None:
    graph = case_graph(hostile_case)
    [case] = nodes_of(graph, "case").values()
    assert HOSTILE in case["title"]

    dot = render(graph, "dot").decode()
    assert dot_quote(HOSTILE) in dot and '\\\\N \\\\G' in dot
    mermaid = render(graph, "mermaid").decode()
    assert "<script" not in mermaid and "<b>" not in mermaid and mermaid_text(HOSTILE) in mermaid
    for line in mermaid.splitlines():  # a label's only quotes are its own delimiters
        m = re.match(r'  n\d+\W+"(.*)"\W+$', line)
        if m:
            assert '"' not in m.group(1)
    page = render(graph, "html").decode()
    assert script_tags(page) == ["application/json", None, None]
    assert "</script><script>alert" not in page and "<b>bold" not in page
    assert json_for_script(HOSTILE) in page
    for fmt, reader in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        back = reader(io.BytesIO(render(graph, fmt)))
        assert any(a["title"] == case["title"] for _, a in back.nodes(data=True))


@needs_dot
def test_hostile_labels_are_text_in_svg(hostile_case: Path) -> None:
    svg = render(case_graph(hostile_case), "svg")
    root = ET.fromstring(svg)  # well-formed: nothing broke out of a string
    assert not [e for e in root.iter() if e.tag.rsplit("}", 1)[-1] in ("script", "b", "foreignObject")]
    texts = " ".join(e.text or "" for e in root.iter() if e.tag.endswith("text"))
    assert "<script>alert" in texts and "\\N" in texts  # shown literally, Graphviz escapes not expanded


def test_json_for_script_cannot_close_the_script() -> None:
    text = json_for_script({"a": "</script><!-- \u2028 & >"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"a": "</script><!-- \u2028 & >"}


# --- errors -------------------------------------------------------------------------------------

def _one_line_error(result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("kg: error: "), result.output
    return lines[0]


def test_missing_graphviz_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_DOT", str(tmp_path / "no-dot-here"))
    line = _one_line_error(CliRunner().invoke(main, ["viz", "ontology", "-o", str(tmp_path / "o.png")]))
    assert "apt-get install graphviz" in line
    assert not (tmp_path / "o.png").exists()


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    runner = CliRunner()
    assert "no treatment topic" in _one_line_error(runner.invoke(main, ["viz", "topic", "NoSuchTopic"]))
    assert "cannot tell the picture format" in _one_line_error(
        runner.invoke(main, ["viz", "ontology", "-o", str(tmp_path / "x.jpeg")]))
    missing = _one_line_error(runner.invoke(main, ["viz", "case", str(tmp_path / "missing.ttl")]))
    assert "missing.ttl" in missing
    bad = REPO / "tests" / "data" / "bad-syntax.ttl"
    assert re.search(r"bad-syntax\.ttl:\d+", _one_line_error(runner.invoke(main, ["viz", "case", str(bad)])))


def test_readme_shows_the_seed_picture() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Pictures: kg viz", 1)[1]
    assert "docs/seed-case.png" in section and "kg viz case cases/seed.ttl -o docs/seed-case.png" in section
    assert (REPO / "docs" / "seed-case.png").read_bytes().startswith(b"\x89PNG")


def test_html_layout_never_overlaps_nodes(seed: nx.DiGraph) -> None:
    from kg.viz.layout import layered_positions

    pos = layered_positions(seed)
    boxes = []
    for node, a in seed.nodes(data=True):
        lines = a["label"].split("\n")
        w, h = max(len(x) for x in lines) * 7.6 + 26, len(lines) * 16.5 + 22
        boxes.append((pos[node][0] - w / 2, pos[node][1] - h / 2, pos[node][0] + w / 2, pos[node][1] + h / 2))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)


@needs_dot
def test_png_to_a_pipe_is_binary_and_clean() -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "kg.cli", "viz", "case", str(SEED), "-f", "png"],
                          capture_output=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(b"\x89PNG\r\n\x1a\n") and done.stderr == b""
