"""The parts of an IMR letter: header, reviewer credentials, case summary and disputed items.

Works on normalized text (kg.extract.text.normalize) and keeps character offsets into it, so
every fact can point back at the span it came from.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

Span = tuple[int, int]


@dataclass(frozen=True)
class Field:
    """A value read from the letter with the span of text it came from."""

    value: str
    span: Span


@dataclass
class Item:
    """One disputed item as the letter lists it (the decision rationale is kept apart)."""

    label: str
    label_span: Span
    decision: str  # "Upheld" | "Overturned"
    decision_span: Span
    ur_block: Field
    imr_block: Field
    rationale_span: Span
    original: Field | None = None  # partial authorization: what was first asked for
    authorized: Field | None = None  # ... and what the claims administrator authorized


@dataclass
class Sections:
    """The parsed layout of one letter."""

    text: str
    header: dict[str, Field] = field(default_factory=dict)
    summary_span: Span | None = None
    items: list[Item] = field(default_factory=list)
    expected_items: int = 0  # how many "Claims Administrator guideline:" lines the letter has


_HEADER = {
    "case_number": r"Case Number:\s*(CM\d{2}-\d{7})",
    "date_assigned": r"Date Assigned:\s*(\d{1,2}/\d{1,2}/\d{4})",
    "injury_date": r"Date of Injury:\s*(\d{1,2}/\d{1,2}/\d{4})",
    "decision_date": r"Decision Date:\s*(\d{1,2}/\d{1,2}/\d{4})",
    "ur_denial_date": r"UR Denial Date:\s*(\d{1,2}/\d{1,2}/\d{4})",
    "priority": r"Priority:\s*(Standard|Expedited)",
    "application_received": r"Application\s+Received:\s*(\d{1,2}/\d{1,2}/\d{4})",
    "licensure": r"State\(s\) of Licensure:\s*([^\n]*?)\s*(?=Certification\(s\)/Specialty:|\n)",
    "specialty": r"Certification\(s\)/Specialty:\s*([^\n]*?)\s*(?=CLINICAL CASE SUMMARY|\n|$)",
}

_SUMMARY_START = re.compile(r"CLINICAL\s+CASE\s+SUMMARY\s*(?:The\s+expert\s+reviewer\s+developed\s+the\s+following\s+"
                            r"clinical\s+case\s+summary\s+based\s+on\s+a\s+review\s+of\s+the\s+case\s+file,\s+"
                            r"including\s+all\s+medical\s+records:\s*)?")
_ISSUES_START = re.compile(r"IMR ISSUES, DECISIONS AND RATIONALES")
_UR = "Claims Administrator guideline:"
_IMR = "MAXIMUS guideline:"
_RATIONALE = "Decision rationale:"
_ITEM_HEAD = re.compile(
    r"(?:^|\n\n)(?P<head>[^\n]*?)\s*(?P<dec>Upheld|Overturned)\s*\.?\s*\n\n(?=" + re.escape(_UR) + ")")


def _loose(pattern: str) -> re.Pattern[str]:
    """Compile with any run of whitespace allowed where the pattern has one space."""
    return re.compile(pattern.replace("[- ]", "[-\\s]").replace(" ", r"\s+"), re.I)


_PARTIAL = (
    # "X was the original request. Y was authorized by the Claims Administrator. The remaining
    # IMR eligible portion of the original request, Z is:"
    _loose(
        r"^(?P<orig>.+?) (?:was|were) the original request\.\s*(?P<auth>.+?) (?:was|were) authorized by the "
        r"Claims Administrator\.\s*The remaining IMR[- ]eligible portion of the original request,?\s*(?P<rest>.+?)"
        r"(?:,)?\s*(?:is|are)\s*:?\s*$"),
    # "X was the original request. The Claims Administrator authorized Y, leaving the original
    # request IMR eligible. The original request, Z is:"
    _loose(
        r"^(?P<orig>.+?) (?:was|were) the original request\.\s*The Claims Administrator authorized (?P<auth>.+?),? "
        r"leaving the original request IMR[- ]eligible\.\s*The original request,?\s*(?P<rest>.+?)"
        r"(?:,)?\s*(?:is|are)\s*:?\s*$"),
)


def parse_date(value: str) -> dt.date | None:
    """US dates as letters write them (MM/DD/YYYY or MM-DD-YYYY); None if not a real date."""
    m = re.fullmatch(r"(\d{1,2})[/-](\d{1,2})[/-](\d{4})", value.strip())
    if not m:
        return None
    try:
        return dt.date(int(m.group(3)), int(m.group(1)), int(m.group(2)))
    except ValueError:
        return None


def split_letter(text: str) -> Sections:
    """Find header fields, the clinical case summary and every disputed item in ``text``."""
    out = Sections(text=text)
    issues = _ISSUES_START.search(text)
    head_end = issues.start() if issues else len(text)
    for key, pattern in _HEADER.items():
        m = re.search(pattern, text[:head_end])
        if m:
            out.header[key] = Field(m.group(1).strip(), m.span(1))
    start = _SUMMARY_START.search(text)
    if start:
        out.summary_span = (start.end(), head_end)
    if issues is None:
        return out
    base = issues.end()
    section = text[base:]
    out.expected_items = section.count(_UR)
    heads = list(_ITEM_HEAD.finditer(section))
    for n, m in enumerate(heads):
        end = heads[n + 1].start("head") if n + 1 < len(heads) else len(section)
        out.items.append(_item(section, m, end, base))
    return out


def _head_start(section: str, start: int) -> int:
    """Where an item heading begins: a page break can split it into two paragraphs."""
    while start >= 2:
        prev_end = start - 2
        prev_start = section.rfind("\n\n", 0, prev_end)
        prev_start = 0 if prev_start < 0 else prev_start + 2
        prev = section[prev_start:prev_end].rstrip()
        if not prev or prev[-1] in ".:!?\"”)" or _UR in prev or _RATIONALE in prev:
            break
        start = prev_start
    return start


def _item(section: str, m: re.Match[str], end: int, base: int) -> Item:
    h0 = _head_start(section, m.start("head"))
    head = section[h0:m.start("dec")].replace("\n\n", "  ")  # same length: offsets stay valid
    label = re.sub(r"\s*(?:\bis|\bare)?\s*:?\s*$", "", head).strip()
    label_start = base + h0
    original = authorized = None
    for pattern in _PARTIAL:
        partial = pattern.match(head)
        if partial:
            original = Field(_flat(partial.group("orig")), _abs(base + h0, partial, "orig"))
            authorized = Field(_flat(partial.group("auth")), _abs(base + h0, partial, "auth"))
            label = re.sub(r",\s*$", "", partial.group("rest").strip())
            label_start = base + h0 + partial.start("rest")
            break
    body_start = m.end()
    body = section[body_start:end]
    ur_at = body.find(_UR)
    imr_at = body.find(_IMR)
    rat_at = body.find(_RATIONALE)
    if imr_at < 0:
        imr_at = rat_at if rat_at >= 0 else len(body)
    if rat_at < 0:
        rat_at = len(body)
    ur_text = body[ur_at + len(_UR):imr_at]
    imr_text = body[imr_at + len(_IMR):rat_at] if body.find(_IMR) >= 0 else ""
    ur_span = (base + body_start + ur_at + len(_UR), base + body_start + imr_at)
    imr_span = (base + body_start + imr_at + len(_IMR), base + body_start + rat_at)
    return Item(
        label=_flat(label),
        label_span=(label_start, label_start + len(label)),
        decision=m.group("dec").capitalize(),
        decision_span=(base + m.start("dec"), base + m.end("dec")),
        ur_block=Field(" ".join(ur_text.split()), ur_span),
        imr_block=Field(" ".join(imr_text.split()), imr_span),
        rationale_span=(base + body_start + rat_at, base + end),
        original=original,
        authorized=authorized,
    )


def _abs(offset: int, m: re.Match[str], group: str) -> Span:
    return (offset + m.start(group), offset + m.end(group))


def _flat(value: str) -> str:
    return " ".join(value.split())
