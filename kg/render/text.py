"""Plain-text determinations that read like an IMR letter."""

from __future__ import annotations

import textwrap

from kg.model import MET, NOT_DOCUMENTED, UNMET, CaseResult, Determination
from kg.render.safe import clean

_OUTCOME = {
    "medically-necessary": "MEDICALLY NECESSARY",
    "not-medically-necessary": "NOT MEDICALLY NECESSARY",
    "undetermined": "UNDETERMINED (kg could not judge this item)",
}
_STATUS = {MET: "met", UNMET: "UNMET", NOT_DOCUMENTED: "NOT DOCUMENTED"}
_WIDTH = 100


def render_text(cases: list[CaseResult]) -> str:
    return "\n".join(_case(c) for c in cases).rstrip() + "\n"


def _case(case: CaseResult) -> str:
    title = case.label or case.case_number or case.case or "(requests without a case)"
    lines = [f"Case: {clean(title)}"]
    if case.case_number:
        lines.append(f"Case number: {clean(case.case_number)}")
    lines.append(f"File: {clean(case.file)}")
    for note in case.notes:
        lines.append(_wrap(f"Note: {note}", "  "))
    for item in case.items:
        lines.append("")
        lines.extend(_item(item))
    lines.append("")
    lines.append("kg is a decision aid: only a physician may deny care.")
    lines.append("")
    return "\n".join(lines)


def _item(item: Determination) -> list[str]:
    topic = f"  [{clean(item.topic)}]" if item.topic else ""
    out = [f"{clean(item.label)}{topic}", f"  Determination: {_OUTCOME[item.outcome]}"]
    if item.governing is not None:
        out.append(_wrap(f"Governing guideline: {clean(item.governing)}", "  "))
    if item.reference_date:
        out.append(f"  Editions in force on: {item.reference_date}")
    if item.criteria:
        out.append("  Criteria:")
        for c in item.criteria:
            mark = "" if c.verified else " [unverified]"
            out.append(_wrap(f"[{_STATUS[c.status]}] {c.id}: {clean(c.statement)}", "    ", "      "))
            if c.reason and c.status != MET:
                out.append(_wrap(f"why: {clean(c.reason)}", "      "))
            out.append(_wrap(f"cited: {clean(c.citation)}{mark}", "      "))
    for finding in item.findings:
        out.append(_wrap(f"Why undetermined: {clean(finding)}", "  "))
    if item.conflicts:
        out.append("  Conflicts:")
        for conflict in item.conflicts:
            out.append(_wrap(f"! {conflict.type}: {clean(conflict.message)}", "    ", "      "))
            if conflict.citation:
                out.append(_wrap(f"cited: {clean(conflict.citation)}", "      "))
    if item.recorded_ur:
        out.append(f"  Recorded UR decision: {clean(item.recorded_ur)}")
    if item.recorded_imr:
        verdict = {True: "kg agrees", False: "kg DISAGREES", None: "not compared"}[item.agrees_with_imr]
        out.append(f"  Recorded IMR decision: {item.recorded_imr} ({verdict})")
    return out


def _wrap(text: str, indent: str, subsequent: str | None = None) -> str:
    return textwrap.fill(text, width=_WIDTH, initial_indent=indent,
                         subsequent_indent=subsequent if subsequent is not None else indent + "  ")
