"""Node positions for renderers that do not lay out graphs themselves (the HTML page, GEXF)."""

from __future__ import annotations

import networkx as nx


def layered_positions(graph: nx.DiGraph) -> dict[object, tuple[float, float]]:
    """Left-to-right columns by node level, stacked without overlap (heights from line counts),
    each column ordered by the mean position of its already-placed neighbours to cut crossings."""
    columns: dict[int, list[object]] = {}
    for node, a in graph.nodes(data=True):
        columns.setdefault(int(a.get("level", 0)), []).append(node)

    def size(node: object) -> tuple[float, float]:
        lines = graph.nodes[node]["label"].split("\n")
        return max(len(line) for line in lines) * 7.6 + 26, len(lines) * 16.5 + 22

    pos: dict[object, tuple[float, float]] = {}
    x = 0.0
    previous_width = 0.0
    undirected = graph.to_undirected(as_view=True)
    for level in sorted(columns):
        members = columns[level]

        def anchor(node: object, members: list[object] = members) -> float:
            ys = [pos[m][1] for m in undirected.neighbors(node) if m in pos]
            return sum(ys) / len(ys) if ys else members.index(node) * 1e-3

        members = sorted(members, key=anchor) if pos else members
        # Nodes that lead on to later columns (a request, a recommendation) go to the middle.
        hubs = [n for n in members if any(int(graph.nodes[m].get("level", 0)) > level for m in undirected.neighbors(n))]
        if 0 < len(hubs) < len(members):
            rest = [n for n in members if n not in hubs]
            members = rest[: len(rest) // 2] + hubs + rest[len(rest) // 2:]
        width = max(size(n)[0] for n in members)
        x += (previous_width / 2 + width / 2 + 110) if pos else 0
        heights = [size(n)[1] for n in members]
        total = sum(heights) + 18 * (len(members) - 1)
        y = -total / 2
        for node, h in zip(members, heights, strict=True):
            pos[node] = (x, y + h / 2)
            y += h + 18
        previous_width = width
    return pos
