"""Read published IMR determination letters into kg case graphs.

``extract_letter(path)`` parses one letter (PDF or text) into a :class:`Letter`: header,
disputed items with their recorded decisions and citations, and the clinical facts of the case
summary; ``letter_graph(letter)`` turns it into a case graph that ``kg validate`` can judge.
The recorded decisions and citations are kept as the record to compare against; only the
clinical facts feed the determination.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from kg.extract.citations import CitationBlock, parse_block
from kg.extract.clinical import Clinical, _Labels, extract_clinical
from kg.extract.sections import Field, Sections, parse_date, split_letter
from kg.extract.text import LetterError, normalize, read_letter
from kg.extract.to_rdf import letter_graph
from kg.namespaces import KG, G

__all__ = ["Letter", "LetterItem", "LetterError", "extract_letter", "extract_text", "letter_graph"]


@dataclass
class LetterItem:
    """One disputed item: what the letter records, and the topic kg recognized."""

    label: str
    label_span: tuple[int, int]
    decision: str
    decision_span: tuple[int, int]
    ur_citations: CitationBlock
    imr_citations: CitationBlock
    topic: URIRef | None
    recognition: object | None = None  # kg.recognize.Recognition: quantity, side, region
    original: Field | None = None
    authorized: Field | None = None


@dataclass
class Letter:
    """An extracted letter. ``text`` is the normalized text all spans refer to."""

    path: str
    text: str
    sections: Sections
    items: list[LetterItem]
    clinical: Clinical
    guidelines: Graph = field(repr=False)
    ur_date_in_summary: Field | None = None
    items_in_letter: int = 0  # counted independently of item parsing (see kg.letters)

    @property
    def file_name(self) -> str:
        return Path(self.path).name

    @property
    def case_id(self) -> str:
        h = self.sections.header.get("case_number")
        return h.value if h else Path(self.path).stem

    @property
    def other_evidence(self) -> URIRef:
        return G.OtherEvidence

    def icd10_for(self, concept: URIRef) -> str | None:
        codes = [str(n) for n in self.guidelines.objects(concept, SKOS.notation)
                 if getattr(n, "datatype", None) == KG.ICD10CM]
        return sorted(codes, key=lambda c: (-len(c), c))[0] if codes else None

    def graph(self) -> Graph:
        return letter_graph(self)


def extract_letter(path: str | Path, guidelines: Graph | None = None) -> Letter:
    """Read and parse one letter file. Raises :class:`LetterError` (one line, names the file)."""
    raw = read_letter(path)
    try:
        return extract_text(raw, str(path), guidelines)
    except LetterError:
        raise
    except Exception as exc:  # noqa: BLE001 - a parse failure must name the file, not dump a traceback
        raise LetterError(f"cannot parse letter ({type(exc).__name__}: {exc})", path=path) from exc


def extract_text(raw: str, path: str = "<text>", guidelines: Graph | None = None) -> Letter:
    """Parse the raw text of a letter."""
    if guidelines is None:
        from kg.knowledge import bundled_knowledge

        guidelines = bundled_knowledge().guidelines
    text = normalize(raw)
    sections = split_letter(text)
    if not sections.items:
        raise LetterError("no disputed items found (is this an IMR determination letter?)", path=path)
    recognize = _recognizer(guidelines)
    full = _full_recognizer(guidelines)
    items = []
    for it in sections.items:
        ur = parse_block(text[it.ur_block.span[0]:it.ur_block.span[1]], it.ur_block.span[0], guidelines)
        imr = parse_block(text[it.imr_block.span[0]:it.imr_block.span[1]], it.imr_block.span[0], guidelines)
        items.append(LetterItem(label=it.label, label_span=it.label_span, decision=it.decision,
                                decision_span=it.decision_span, ur_citations=ur, imr_citations=imr,
                                topic=recognize(it.label), recognition=full(it.label), original=it.original,
                                authorized=it.authorized))
    clinical = extract_clinical(text, sections.summary_span, guidelines, recognize) if sections.summary_span \
        else Clinical()
    return Letter(path=path, text=text, sections=sections, items=items, clinical=clinical, guidelines=guidelines,
                  ur_date_in_summary=_ur_date(text, sections), items_in_letter=_count_items(raw, sections))


def _count_items(raw: str, sections: Sections) -> int:
    """Items in the letter by an independent reader (kg.letters), else by citation lines."""
    try:
        from kg.letters import disputed_item_lines
    except ImportError:  # pragma: no cover
        return sections.expected_items
    return max(len(disputed_item_lines(raw)), sections.expected_items)


def _ur_date(text: str, sections: Sections) -> Field | None:
    """The UR decision date the summary states, for letters without a header (2015 layout)."""
    if sections.summary_span is None:
        return None
    a, b = sections.summary_span
    m = re.search(r"Utilization\s+Review\s+(?:report\s+|decision\s+|determination\s+)?dated\s+([A-Z][a-z]+\s+"
                  r"\d{1,2},\s+\d{4}|\d{1,2}/\d{1,2}/\d{4})", text[a:b], re.I)
    if not m:
        return None
    from kg.extract.to_rdf import _long_date

    found = " ".join(m.group(1).split())
    value = parse_date(found) or _long_date(found)
    return Field(value, (a + m.start(1), a + m.end(1))) if value else None  # type: ignore[arg-type]


def _full_recognizer(guidelines: Graph) -> Callable[[str], object | None]:
    try:
        from kg.recognize import recognize as shared
    except ImportError:  # pragma: no cover - depends on merge order
        return lambda text: None
    return lambda text: shared(text, guidelines)


def _recognizer(guidelines: Graph) -> Callable[[str], URIRef | None]:
    """kg.recognize.recognize when present; otherwise the longest topic label in the text."""
    try:
        from kg.recognize import recognize as shared
    except ImportError:
        shared = None
    if shared is not None:
        def via_shared(text: str) -> URIRef | None:
            found = shared(text, guidelines)
            if isinstance(found, list | tuple):
                found = found[0] if found else None
            if found is not None and hasattr(found, "topic"):
                found = found.topic
            return URIRef(str(found)) if found is not None else None
        return via_shared
    labels = _Labels(guidelines, KG.TreatmentTopic)

    def by_label(text: str) -> URIRef | None:
        hits = labels.find_all(text)
        if not hits:
            return None
        return max(hits, key=lambda h: h[1] - h[0])[2]
    return by_label
