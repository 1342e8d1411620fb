"""Colours and shapes, shared by every renderer so a kind or a status looks the same everywhere.

Status colours follow a traffic light that also differs in lightness and border style, so they
stay apart for colour-blind readers and in greyscale print: met = green solid, unmet = red bold,
not documented = amber dashed, conflict = dark red double border.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Style:
    fill: str
    border: str
    dot_shape: str = "box"
    vis_shape: str = "box"
    dashed: bool = False
    bold: bool = False
    font: str = "#1a1a1a"


KIND = {
    "guideline": Style("#d1c4e9", "#5e35b1", "tab"),
    "document": Style("#c5cae9", "#3949ab", "note"),
    "edition": Style("#bbdefb", "#1e88e5"),
    "section": Style("#b3e5fc", "#039be5"),
    "topic": Style("#b2dfdb", "#00897b", "ellipse", "ellipse"),
    "recommendation": Style("#dcedc8", "#7cb342"),
    "criterion": Style("#fff9c4", "#c0a000"),
    "case": Style("#cfd8dc", "#455a64", "folder"),
    "applicant": Style("#eceff1", "#78909c"),
    "diagnosis": Style("#f8bbd0", "#d81b60"),
    "finding": Style("#fce4ec", "#ad1457"),
    "treatment": Style("#d7ccc8", "#6d4c41"),
    "request": Style("#b2ebf2", "#00838f", "box", "box", bold=True),
    "decision": Style("#e0e0e0", "#616161"),
    "determination": Style("#e0e0e0", "#212121", "box", "box", bold=True),
    "conflict": Style("#ff8a80", "#b71c1c", "octagon", "box", bold=True),
    "class": Style("#f5f5f5", "#9e9e9e"),
}

STATUS = {
    "met": Style("#a5d6a7", "#1b5e20"),
    "unmet": Style("#ef9a9a", "#b71c1c", bold=True),
    "not-documented": Style("#ffcc80", "#e65100", dashed=True, bold=True),
    "medically-necessary": Style("#a5d6a7", "#1b5e20", bold=True),
    "not-medically-necessary": Style("#ef9a9a", "#b71c1c", bold=True),
    "undetermined": Style("#ffcc80", "#e65100", dashed=True, bold=True),
    "conflict": Style("#ff8a80", "#b71c1c", "octagon", "box", bold=True),
}

LEGEND_STATUS = (
    ("met", "criterion met"),
    ("unmet", "criterion documented as NOT met"),
    ("not-documented", "criterion NOT DOCUMENTED in the record"),
    ("conflict", "conflict (UR reasoning; never changes the outcome)"),
)


def style_of(kind: str, status: str = "") -> Style:
    """The style of a node: its status (criterion result, outcome, conflict) wins over its kind."""
    if status in STATUS and kind in ("criterion", "determination", "conflict"):
        base, over = KIND[kind], STATUS[status]
        return Style(over.fill, over.border, base.dot_shape, base.vis_shape, over.dashed, over.bold)
    return KIND.get(kind, KIND["class"])
