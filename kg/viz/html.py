"""A self-contained interactive HTML page: pan, zoom, click a node to read its facts and citations.

The page loads nothing: vis-network's JavaScript is inlined from the copy the ``pyvis`` wheel
ships (only that file is read; pyvis itself is never imported), and a Content-Security-Policy
forbids any fetch. Case strings are data, never markup: the graph travels as JSON inside a
``<script type="application/json">`` block with ``<``, ``>`` and ``&`` escaped, vis-network draws
labels on a canvas, and the side panel fills itself with ``textContent`` only.
"""

from __future__ import annotations

import html
import importlib.util
import json
import re
from functools import lru_cache
from pathlib import Path

import networkx as nx

from kg.errors import KgError
from kg.viz.layout import layered_positions
from kg.viz.render import present_statuses
from kg.viz.style import KIND, STATUS, style_of

VIS_VERSION = "9.1.2"
CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; "
       "connect-src 'none'; font-src 'none'; frame-src 'none'; form-action 'none'; base-uri 'none'")


@lru_cache(maxsize=1)
def vis_network_js() -> str:
    """vis-network's standalone script from the pyvis wheel (found without importing pyvis)."""
    spec = importlib.util.find_spec("pyvis")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for base in locations:
        path = Path(base) / "lib" / f"vis-{VIS_VERSION}" / "vis-network.min.js"
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            # A source-map comment would make an open DevTools fetch a file: drop it.
            text = re.sub(r"//# sourceMappingURL=\S*", "", text)
            if "</script" in text.lower():  # cannot happen with 9.1.2; never let it end our <script>
                text = text.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT")
            return text
    raise KgError(f"HTML output needs vis-network {VIS_VERSION}, shipped in the pyvis package: "
                  "pip install 'pyvis>=0.3.2' (it is a dependency of kg; reinstall kg)")


def json_for_script(value: object) -> str:
    """JSON that is safe inside a <script> element: no '<', '>' or '&' and no JS line separators."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for raw, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                     ("\u2029", "\\u2029")):
        text = text.replace(raw, esc)
    return text


def page_data(graph: nx.DiGraph) -> dict:
    """What the page's script draws: nodes with styles, edges, legend, the node to open first."""
    index = {n: i for i, n in enumerate(graph)}
    nodes = []
    focus = None
    pos = layered_positions(graph)
    for node, a in graph.nodes(data=True):
        st = style_of(a["kind"], a.get("status", ""))
        nodes.append({
            "x": round(pos[node][0], 1), "y": round(pos[node][1], 1),
            "id": index[node], "label": a["label"], "title": a["title"], "kind": a["kind"],
            "status": a.get("status", ""),
            "iri": a.get("iri", ""), "level": int(a.get("level", 0)), "facts": [list(f) for f in a.get("facts", [])],
            "fill": st.fill, "border": st.border, "shape": st.vis_shape, "dashed": st.dashed, "bold": st.bold,
            "verified": a.get("verified", ""),
        })
    kinds_in_order = [a["kind"] for _, a in graph.nodes(data=True)]
    for wanted in ("determination", "topic"):
        if wanted in kinds_in_order:
            focus = kinds_in_order.index(wanted)
            break
    edges = []
    for u, v, a in graph.edges(data=True):
        target = graph.nodes[v]
        colour = STATUS[target["status"]].border if target["kind"] in ("criterion", "conflict") and \
            target.get("status") in STATUS else "#888888"
        edges.append({"from": index[u], "to": index[v], "label": a.get("label", ""), "kind": a.get("kind", ""),
                      "color": colour, "bold": a.get("kind") in ("conflict", "agreesWithIMR")})
    kinds = sorted({a["kind"] for _, a in graph.nodes(data=True)})
    legend = [{"text": k, "fill": KIND[k].fill, "border": KIND[k].border, "dashed": False} for k in kinds
              if graph.graph.get("view") != "case" or k not in ("criterion", "conflict", "determination")]
    if graph.graph.get("view") == "case":
        legend += [{"text": text, "fill": style_of("criterion", s).fill, "border": style_of("criterion", s).border,
                    "dashed": style_of("criterion", s).dashed} for s, text in present_statuses(graph)]
    return {"title": graph.graph.get("title", "kg"), "view": graph.graph.get("view", ""), "nodes": nodes,
            "edges": edges, "legend": legend, "focus": focus}


def to_html(graph: nx.DiGraph) -> str:
    data = page_data(graph)
    parts = {"CSP": html.escape(CSP, quote=True), "TITLE": html.escape(data["title"]),
             "DATA": json_for_script(data), "APP": _APP, "VIS": vis_network_js()}
    # One pass: inserted text (case data, the library) is never scanned for placeholders again.
    return re.sub(r"@@([A-Z]+)@@", lambda m: parts[m.group(1)], _TEMPLATE)


_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="@@CSP@@">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="kg viz">
<title>@@TITLE@@</title>
<style>
  html, body { margin: 0; height: 100%; font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: #1a1a1a; }
  body { display: flex; flex-direction: column; }
  header { padding: 8px 14px; border-bottom: 1px solid #ddd; background: #fafafa; }
  header h1 { font-size: 17px; margin: 0 0 4px 0; }
  header p { margin: 0; font-size: 12px; color: #555; }
  #legend { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 6px; }
  .swatch { font-size: 11px; padding: 2px 7px; border-radius: 4px; border: 2px solid; }
  main { flex: 1; display: flex; min-height: 0; }
  #graph { flex: 1; min-width: 0; background: #fff; }
  aside { width: 360px; overflow: auto; border-left: 1px solid #ddd; padding: 10px 14px; background: #fcfcfc; }
  aside h2 { font-size: 15px; margin: 4px 0; }
  aside .kind { display: inline-block; font-size: 11px; padding: 1px 6px; border-radius: 4px; border: 1px solid; }
  dl { font-size: 12.5px; margin: 8px 0; }
  dt { font-weight: bold; margin-top: 7px; color: #333; }
  dd { margin: 1px 0 0 0; white-space: pre-wrap; overflow-wrap: anywhere; }
  ul.links { font-size: 12px; padding-left: 16px; }
  ul.links li { cursor: pointer; color: #0b57d0; margin: 2px 0; }
  button { font-size: 12px; margin-left: 8px; }
  .iri { font-size: 11px; color: #666; overflow-wrap: anywhere; }
  .disclaimer { font-size: 11px; color: #666; margin-top: 14px; }
</style>
</head>
<body>
<header>
  <h1 id="title">@@TITLE@@</h1>
  <p>Drag to pan, scroll to zoom, click a node to see its facts and citations.
     <button id="fit" type="button">fit to window</button></p>
  <div id="legend" aria-label="legend"></div>
</header>
<main>
  <div id="graph" role="img" aria-label="graph"></div>
  <aside id="panel" aria-live="polite"><h2 id="panel-title">Click a node</h2><div id="panel-kind"></div>
    <dl id="facts"></dl><div id="panel-links"></div><div class="iri" id="panel-iri"></div>
    <p class="disclaimer">kg is a decision aid: only a physician may deny care.</p></aside>
</main>
<script type="application/json" id="kg-data">@@DATA@@</script>
<script>@@VIS@@</script>
<script>@@APP@@</script>
</body>
</html>
"""

_APP = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var byId = {};
  data.nodes.forEach(function (n) { byId[n.id] = n; });

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }

  var legend = document.getElementById("legend");
  data.legend.forEach(function (item) {
    var s = el("span", item.text, "swatch");
    s.style.background = item.fill; s.style.borderColor = item.border;
    if (item.dashed) { s.style.borderStyle = "dashed"; }
    legend.appendChild(s);
  });

  var nodes = new vis.DataSet(data.nodes.map(function (n) {
    return {
      id: n.id, label: n.label, x: n.x, y: n.y, shape: n.shape,
      color: { background: n.fill, border: n.border,
               highlight: { background: n.fill, border: "#000000" },
               hover: { background: n.fill, border: "#000000" } },
      borderWidth: n.bold ? 3 : 1.5, borderWidthSelected: 4,
      shapeProperties: { borderDashes: n.dashed ? [7, 4] : false, borderRadius: 6 },
      font: { face: "DejaVu Sans, Helvetica, Arial, sans-serif", size: 13, color: "#1a1a1a", multi: false },
      margin: 9
    };
  }));
  var edges = new vis.DataSet(data.edges.map(function (e, i) {
    return {
      id: i, from: e.from, to: e.to, label: e.label, arrows: "to",
      color: { color: e.color, highlight: "#000000", hover: "#000000" }, width: e.bold ? 2.6 : 1.1,
      font: { size: 10, color: "#444444", strokeWidth: 4, strokeColor: "#ffffff", align: "middle" },
      smooth: { type: "cubicBezier", forceDirection: "horizontal", roundness: 0.45 }
    };
  }));
  var container = document.getElementById("graph");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, {
    layout: { hierarchical: { enabled: false } },
    physics: { enabled: false },
    interaction: { hover: true, keyboard: { enabled: true, bindToWindow: false }, multiselect: false,
                   navigationButtons: false, zoomView: true, dragView: true }
  });

  function show(id) {
    var n = byId[id];
    if (!n) { return; }
    document.getElementById("panel-title").textContent = n.title;
    var kind = document.getElementById("panel-kind");
    kind.textContent = "";
    var badge = el("span", n.kind + (n.status ? " \u00b7 " + n.status : ""), "kind");
    badge.style.background = n.fill; badge.style.borderColor = n.border;
    kind.appendChild(badge);
    var dl = document.getElementById("facts");
    dl.textContent = "";
    n.facts.forEach(function (f) { dl.appendChild(el("dt", f[0])); dl.appendChild(el("dd", f[1])); });
    var links = document.getElementById("panel-links");
    links.textContent = "";
    var ul = el("ul", null, "links");
    data.edges.forEach(function (e) {
      var other = null, text = null;
      if (e.from === id) { other = e.to; text = e.label + " \u2192 " + byId[e.to].title; }
      else if (e.to === id) { other = e.from; text = byId[e.from].title + " \u2192 " + e.label; }
      if (other !== null) {
        var li = el("li", text);
        li.addEventListener("click", function () {
          network.selectNodes([other]); network.focus(other, { animation: true }); show(other);
        });
        ul.appendChild(li);
      }
    });
    if (ul.childNodes.length) { links.appendChild(el("dt", "linked to")); links.appendChild(ul); }
    document.getElementById("panel-iri").textContent = n.iri || "";
  }

  network.on("click", function (params) { if (params.nodes.length) { show(params.nodes[0]); } });
  document.getElementById("fit").addEventListener("click", function () { network.fit({ animation: true }); });
  network.once("afterDrawing", function () { network.fit(); });
  if (data.focus !== null) { network.selectNodes([data.focus]); show(data.focus); }
  window.kgViz = { network: network, nodes: nodes, edges: edges, data: data, show: show };
})();
"""
