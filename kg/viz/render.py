"""Thin renderers over the typed graph of kg.viz.graph: DOT, SVG/PNG (Graphviz), HTML, GraphML,
GEXF and Mermaid.

Every string that reaches an output came from RDF (a case file is untrusted input), so each
renderer escapes it for its own syntax: DOT quoted strings, Mermaid entity codes, XML (networkx
writers), and HTML/JSON (kg.viz.html). Graphviz escapes text when it writes SVG.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import networkx as nx

from kg.errors import KgError
from kg.viz.layout import layered_positions
from kg.viz.style import LEGEND_STATUS, STATUS, style_of

FORMATS = ("dot", "svg", "png", "html", "graphml", "gexf", "mermaid")
EXTENSIONS = {
    ".dot": "dot", ".gv": "dot", ".svg": "svg", ".png": "png", ".html": "html", ".htm": "html",
    ".graphml": "graphml", ".gexf": "gexf", ".mmd": "mermaid", ".mermaid": "mermaid", ".md": "mermaid",
}
BINARY_FORMATS = frozenset({"png"})
DOT_INSTALL_HINT = ("Graphviz's `dot` program is needed for svg and png output but was not found on PATH; "
                    "install Graphviz (Debian/Ubuntu: `apt-get install graphviz`, Fedora: `dnf install graphviz`, "
                    "macOS: `brew install graphviz`), or choose --format dot, html, graphml, gexf or mermaid")
_FONT = "DejaVu Sans,Helvetica,Arial,sans-serif"


def format_for(output: str | Path | None, fmt: str | None) -> str:
    """The format named by --format, else by the output file's extension, else DOT."""
    if fmt:
        return fmt
    if output is not None:
        suffix = Path(output).suffix.lower()
        if suffix in EXTENSIONS:
            return EXTENSIONS[suffix]
        known = ", ".join(sorted(EXTENSIONS))
        raise KgError(f"cannot tell the picture format from the extension {suffix!r} of {output} "
                      f"(known: {known}); pass --format")
    return "dot"


def render(graph: nx.DiGraph, fmt: str, *, markdown: bool = False) -> bytes:
    """The graph in ``fmt`` (one of FORMATS) as bytes (UTF-8 text except for PNG)."""
    if fmt == "dot":
        return to_dot(graph).encode()
    if fmt in ("svg", "png"):
        return run_dot(to_dot(graph), fmt)
    if fmt == "html":
        from kg.viz.html import to_html

        return to_html(graph).encode()
    if fmt == "graphml":
        buf = io.BytesIO()
        nx.write_graphml(_flat(graph), buf, encoding="utf-8")
        return buf.getvalue()
    if fmt == "gexf":
        buf = io.BytesIO()
        nx.write_gexf(_flat(graph, gexf=True), buf, encoding="utf-8")
        return buf.getvalue()
    if fmt == "mermaid":
        text = to_mermaid(graph)
        return (f"```mermaid\n{text}```\n" if markdown else text).encode()
    raise KgError(f"unknown picture format {fmt!r} (known: {', '.join(FORMATS)})")


# --- DOT ------------------------------------------------------------------------------------

def dot_quote(text: str) -> str:
    """A DOT quoted string. Backslashes are doubled so Graphviz's escapes (\\N, \\G, \\l) never fire;
    our own line breaks become \\n."""
    out = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\r", "")
    return '"' + out.replace("\n", "\\n") + '"'


def to_dot(graph: nx.DiGraph) -> str:
    ids = {n: f"n{i}" for i, n in enumerate(graph)}
    lines = [
        "digraph kg {",
        f"  graph [rankdir=LR, fontname={dot_quote(_FONT)}, fontsize=16, labelloc=t, labeljust=l, "
        f"nodesep=0.18, ranksep=0.45, newrank=true, label={dot_quote(graph.graph.get('title', 'kg'))}];",
        f"  node [shape=box, style=\"rounded,filled\", fontname={dot_quote(_FONT)}, fontsize=10, "
        "margin=\"0.12,0.06\"];",
        f"  edge [fontname={dot_quote(_FONT)}, fontsize=8, color=\"#777777\", fontcolor=\"#555555\"];",
    ]
    for node, attrs in graph.nodes(data=True):
        st = style_of(attrs["kind"], attrs.get("status", ""))
        styles = ["filled"] + (["rounded"] if st.dot_shape == "box" else []) + (["dashed"] if st.dashed else []) + \
            (["bold"] if st.bold else [])
        extra = ", peripheries=2" if attrs["kind"] in ("conflict", "determination") else ""
        lines.append(
            f"  {ids[node]} [label={dot_quote(attrs['label'])}, tooltip={dot_quote(attrs['title'])}, "
            f"shape={st.dot_shape}, style={dot_quote(','.join(styles))}, fillcolor={dot_quote(st.fill)}, "
            f"color={dot_quote(st.border)}, penwidth={2.2 if st.bold else 1.2}{extra}];")
    for u, v, attrs in graph.edges(data=True):
        a, b = ids[u], ids[v]
        forward = graph.nodes[u].get("level", 0) <= graph.nodes[v].get("level", 0)
        colour = _edge_colour(graph, u, v)
        opts = f"label={dot_quote(attrs['label'])}, color={dot_quote(colour)}"
        if attrs.get("kind") in ("conflict", "agreesWithIMR") and graph.graph.get("view") == "case":
            opts += ", style=bold"
        if attrs.get("kind") == "agreesWithIMR" or (
                attrs.get("kind") == "conflict" and graph.nodes[u]["kind"] == "decision"):
            opts += ", constraint=false"
        lines.append(f"  {a} -> {b} [{opts}];" if forward else f"  {b} -> {a} [{opts}, dir=back];")
    if graph.graph.get("view") == "case":
        lines.extend(_dot_legend(present_statuses(graph)))
    lines.append("}")
    return "\n".join(lines) + "\n"


def _edge_colour(graph: nx.DiGraph, u: object, v: object) -> str:
    target = graph.nodes[v]
    if target["kind"] in ("criterion", "conflict") and target.get("status") in STATUS:
        return STATUS[target["status"]].border
    return "#777777"


def present_statuses(graph: nx.DiGraph) -> list[tuple[str, str]]:
    """The legend entries for the criterion statuses and conflicts that the picture shows."""
    shown = {a.get("status") for _, a in graph.nodes(data=True) if a["kind"] in ("criterion", "conflict")}
    return [(s, text) for s, text in LEGEND_STATUS if s in shown]


def _dot_legend(entries: list[tuple[str, str]]) -> list[str]:
    if not entries:
        return []
    lines = ["  subgraph cluster_legend {", '    label="legend"; fontsize=10; color="#bbbbbb"; style=rounded;']
    for i, (status, text) in enumerate(entries):
        st = style_of("conflict" if status == "conflict" else "criterion", status)
        styles = "filled,rounded" + (",dashed" if st.dashed else "") + (",bold" if st.bold else "")
        shape = "octagon" if status == "conflict" else "box"
        lines.append(f"    legend{i} [label={dot_quote(text)}, shape={shape}, style={dot_quote(styles)}, "
                     f"fillcolor={dot_quote(st.fill)}, color={dot_quote(st.border)}, fontsize=9];")
    if len(entries) > 1:
        lines.append("    " + " -> ".join(f"legend{i}" for i in range(len(entries))) + " [style=invis];")
    lines.append("  }")
    return lines


def dot_binary() -> str | None:
    """The Graphviz `dot` program: $KG_DOT if set, else `dot` on PATH."""
    override = os.environ.get("KG_DOT")
    if override is not None:
        return override if override and Path(override).is_file() and os.access(override, os.X_OK) else None
    return shutil.which("dot")


def run_dot(source: str, fmt: str) -> bytes:
    """Lay out DOT with Graphviz into SVG or PNG; a missing `dot` is an error that says what to install."""
    binary = dot_binary()
    if binary is None:
        raise KgError(DOT_INSTALL_HINT)
    args = [binary, f"-T{fmt}"] + (["-Gdpi=110"] if fmt == "png" else [])
    try:
        done = subprocess.run(args, input=source.encode(), capture_output=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise KgError(f"Graphviz `dot` failed to run: {exc}") from None
    if done.returncode != 0:
        first = (done.stderr.decode(errors="replace").strip().splitlines() or ["no message"])[0]
        raise KgError(f"Graphviz `dot` failed (exit {done.returncode}): {first}")
    return done.stdout


# --- Mermaid --------------------------------------------------------------------------------

_MERMAID_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:()/-_'+=?!*")


def mermaid_text(text: str) -> str:
    """Text for inside a quoted Mermaid label: every character that could be syntax or markup
    becomes a numeric entity code (#60; for <), and our own line breaks become <br/>."""
    return "<br/>".join("".join(c if c in _MERMAID_SAFE else f"#{ord(c)};" for c in line)
                        for line in str(text).split("\n"))


def to_mermaid(graph: nx.DiGraph) -> str:
    ids = {n: f"n{i}" for i, n in enumerate(graph)}
    lines = ["flowchart LR", f"  %% {mermaid_text(graph.graph.get('title', 'kg'))}"]
    classes: dict[str, list[str]] = {}
    for node, attrs in graph.nodes(data=True):
        open_, close = ("{{", "}}") if attrs["kind"] == "conflict" else (
            ("([", "])") if attrs["kind"] == "topic" else ("[", "]"))
        lines.append(f'  {ids[node]}{open_}"{mermaid_text(attrs["label"])}"{close}')
        key = attrs.get("status") if attrs.get("status") in STATUS and attrs["kind"] in (
            "criterion", "determination", "conflict") else attrs["kind"]
        classes.setdefault(_css_name(key), []).append(ids[node])
    for u, v, attrs in graph.edges(data=True):
        lines.append(f'  {ids[u]} -->|"{mermaid_text(attrs["label"])}"| {ids[v]}')
    for name, members in classes.items():
        is_status = name in {_css_name(s) for s in STATUS}
        kind, status = ("criterion", name.replace("_", "-")) if is_status else (name, "")
        st = style_of("conflict" if status == "conflict" else kind, status)
        dash = ",stroke-dasharray:5 3" if st.dashed else ""
        lines.append(f"  classDef {name} fill:{st.fill},stroke:{st.border},stroke-width:{2 if st.bold else 1}px{dash}")
        lines.append(f"  class {','.join(members)} {name}")
    return "\n".join(lines) + "\n"


def _css_name(key: str) -> str:
    return key.replace("-", "_")


# --- GraphML / GEXF -------------------------------------------------------------------------

def _flat(graph: nx.DiGraph, *, gexf: bool = False) -> nx.DiGraph:
    """A copy whose attributes are scalars (facts as JSON) that GraphML and GEXF can store, with
    colours for Gephi."""
    out = nx.DiGraph()
    positions = layered_positions(graph) if gexf else {}
    for key in ("view", "title"):
        out.graph[key] = graph.graph.get(key, "")
    for node, attrs in graph.nodes(data=True):
        st = style_of(attrs["kind"], attrs.get("status", ""))
        data = {
            "label": " ".join(attrs["label"].split("\n")), "kind": attrs["kind"], "status": attrs.get("status", ""),
            "iri": attrs.get("iri", ""), "title": attrs.get("title", ""), "verified": attrs.get("verified", ""),
            "level": int(attrs.get("level", 0)), "facts": json.dumps(attrs.get("facts", []), ensure_ascii=False),
            "color": st.fill,
        }
        if gexf:
            r, g, b = (int(st.fill[i:i + 2], 16) for i in (1, 3, 5))
            x, y = positions[node]
            data["viz"] = {"color": {"r": r, "g": g, "b": b, "a": 1.0},
                           "position": {"x": round(x, 1), "y": round(-y, 1), "z": 0.0}}
        out.add_node(str(node), **data)
    for u, v, attrs in graph.edges(data=True):
        out.add_edge(str(u), str(v), kind=attrs.get("kind", ""), label=attrs.get("label", ""))
    return out
