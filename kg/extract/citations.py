"""Citation lines of a letter ("Claims Administrator guideline:", "MAXIMUS guideline:") as data.

Each "Decision based on ..." clause becomes one or more citations: the guideline (MTUS, ODG,
ACOEM outside the MTUS, or another source), the document (matched against the labels and
altLabels of kg:GuidelineDocument in the ontology, the source of truth for names), the edition
(the year the letter names, matched to kg:editionLabel) and the locator (section or page).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from kg.namespaces import KG, G

Span = tuple[int, int]


@dataclass(frozen=True)
class Citation:
    """One cited source. ``guideline``/``document``/``edition`` are IRIs (None if not named)."""

    text: str
    span: Span
    guideline: URIRef | None = None
    document: URIRef | None = None
    edition: URIRef | None = None
    locator: str | None = None

    @property
    def is_mtus(self) -> bool:
        return self.guideline == G.MTUS


@dataclass(frozen=True)
class CitationBlock:
    """Everything one decision (UR or IMR) cites for one item."""

    text: str
    span: Span
    citations: tuple[Citation, ...] = ()
    no_evidence: bool = False
    outside_mtus: bool = False  # the letter says the decision used sources outside the MTUS
    unparsed: tuple[str, ...] = field(default_factory=tuple)  # clauses kg could not read

    @property
    def only_non_mtus(self) -> bool:
        """The decision cited something, and nothing of it is MTUS."""
        return bool(self.citations) and not any(c.is_mtus for c in self.citations)

    @property
    def any_mtus(self) -> bool:
        return any(c.is_mtus for c in self.citations)


@dataclass(frozen=True)
class _Names:
    mtus: tuple[tuple[str, URIRef], ...]  # base name (no year) -> document, longest first
    odg: tuple[tuple[str, URIRef], ...]
    editions: dict[tuple[URIRef, str], URIRef]


@lru_cache(maxsize=4)
def _names(graph_id: int, graph: Graph) -> _Names:
    mtus: dict[str, URIRef] = {}
    odg: dict[str, URIRef] = {}
    editions: dict[tuple[URIRef, str], URIRef] = {}
    for doc in graph.subjects(RDF.type, KG.GuidelineDocument):
        guideline = graph.value(doc, KG.guideline)
        names = [str(o) for p in (RDFS.label, SKOS.altLabel) for o in graph.objects(doc, p)]
        for name in names:
            base = re.sub(r"\s+\d{4}$", "", name).strip()
            if guideline == G.MTUS:
                mtus.setdefault(base.lower(), doc)
            elif guideline == G.ODG:
                base = re.sub(r"^ODG\s+", "", base)
                base = re.sub(r"\s+chapter$", "", base, flags=re.I)
                odg.setdefault(base.lower(), doc)
    for ed in graph.subjects(RDF.type, KG.Edition):
        doc = graph.value(ed, KG.editionOf)
        label = graph.value(ed, KG.editionLabel)
        if doc is not None and label is not None:
            editions[(doc, str(label))] = ed
    by_len = lambda d: tuple(sorted(d.items(), key=lambda kv: -len(kv[0])))  # noqa: E731
    return _Names(by_len(mtus), by_len(odg), editions)


def names_for(graph: Graph) -> _Names:
    return _names(id(graph), graph)


_CLAUSE = re.compile(r"Decision based on\s+(?P<body>.+?)(?=\s*Decision based on|\s*$)", re.S)
_NO_EVIDENCE = re.compile(r"did not cite any medical evidence", re.I)
_OUTSIDE = re.compile(r"based their decision on recommendation\(s\) outside of the MTUS", re.I)
_NON_MTUS = re.compile(r"^Non-?\s*MTUS\s*(?:Citation)?\s*", re.I)
_ODG = re.compile(r"Official Disability Guidelines|\bODG\b")
_ACOEM = re.compile(r"\bACOEM\b|American College of Occupational")


def parse_block(text: str, start: int, graph: Graph) -> CitationBlock:
    """Parse one citation line; ``start`` is its offset in the normalized letter text."""
    flat = text
    no_evidence = bool(_NO_EVIDENCE.search(flat))
    outside = bool(_OUTSIDE.search(flat))
    citations: list[Citation] = []
    unparsed: list[str] = []
    for m in _CLAUSE.finditer(flat):
        body = m.group("body").strip().rstrip(".").strip()
        at = start + m.start("body")
        span = (at, at + len(body))
        if _NON_MTUS.match(body):
            found = _non_mtus(_NON_MTUS.sub("", body), span, graph)
        elif body.startswith("MTUS"):
            found = _mtus(body[4:].strip(), span, graph)
        else:
            found = []
        if not found:
            unparsed.append(body)
        citations.extend(found)
    if not citations and not no_evidence and flat.strip():
        unparsed.append(flat.strip())
    return CitationBlock(text=flat, span=(start, start + len(text)), citations=tuple(citations),
                         no_evidence=no_evidence, outside_mtus=outside, unparsed=tuple(unparsed))


def _mtus(body: str, span: Span, graph: Graph) -> list[Citation]:
    """``body`` names one or more MTUS documents, each with a year and optional sections."""
    names = names_for(graph)
    hits: list[tuple[int, int, URIRef, str | None]] = []
    low = body.lower()
    taken: list[tuple[int, int]] = []
    for base, doc in names.mtus:
        for m in re.finditer(r"(?<![a-z])" + re.escape(base) + r"(?:\s+(\d{4}))?(?:\s+guidelines)?(?![a-z])", low):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            # a section name such as "Knee" inside a locator is not a document: a document
            # opens the clause, follows "and", or carries its year
            if not (m.group(1) or m.start() == 0 or re.search(r"\band\s*$", low[:m.start()])):
                continue
            taken.append((m.start(), m.end()))
            hits.append((m.start(), m.end(), doc, m.group(1)))
    hits.sort()
    out = []
    for n, (s, e, doc, year) in enumerate(hits):
        stop = hits[n + 1][0] if n + 1 < len(hits) else len(body)
        locator = body[e:stop]
        locator = re.sub(r"^[\s,]+|[\s,;]+(?:and\s*)?$", "", locator)
        locator = re.sub(r"^Section\(s\):\s*", "", locator)
        if re.fullmatch(r"[\s,;]*(?:and)?[\s,;]*", locator):
            locator = ""
        edition = names.editions.get((doc, year)) if year else None
        out.append(Citation(text=body[s:stop].strip().rstrip(","), span=(span[0] + s, span[0] + stop),
                            guideline=G.MTUS, document=doc, edition=edition, locator=locator or None))
    return out


def _non_mtus(body: str, span: Span, graph: Graph) -> list[Citation]:
    """An ODG, non-MTUS ACOEM or other source; ODG chapters are matched by name."""
    out: list[Citation] = []
    if _ODG.search(body) or re.match(r"(Low Back|Neck|Shoulder|Knee|Pain)\b", body):
        out.extend(_odg(body, span, graph))
    if _ACOEM.search(body):
        doc = G.ACOEM3 if re.search(r"3rd", body) else None
        out.append(Citation(text=body, span=span, guideline=G["ACOEM-nonMTUS"], document=doc,
                            locator=_after(body, _ACOEM) or None))
    if not out:
        out.append(Citation(text=body, span=span, guideline=None, locator=None))
    return out


def _odg(body: str, span: Span, graph: Graph) -> list[Citation]:
    names = names_for(graph)
    low = body.lower()
    hits: list[tuple[int, int, URIRef]] = []
    taken: list[tuple[int, int]] = []
    for base, doc in names.odg:
        for m in re.finditer(r"(?<![a-z])" + re.escape(base) + r"(?![a-z])", low):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            hits.append((m.start(), m.end(), doc))
    hits.sort()
    docs: list[URIRef] = []
    for _, _, doc in hits:
        if doc not in docs:
            docs.append(doc)
    locator = _odg_locator(body, hits)
    if not docs:
        return [Citation(text=body, span=span, guideline=G.ODG, locator=locator)]
    return [Citation(text=body, span=span, guideline=G.ODG, document=doc,
                     edition=names.editions.get((doc, "online")), locator=locator) for doc in docs]


def _odg_locator(body: str, hits: list[tuple[int, int, URIRef]]) -> str | None:
    """What follows the (last) chapter name: the section, e.g. "Magnetic resonance imaging"."""
    if hits:
        rest = body[hits[-1][1]:]
        if not re.search(r"\w", re.sub(r"(?i)\b(?:chapter|section|acute|chronic|and)\b", "", rest)):
            # "(ODG) MRI Elbow": the section is named before the chapter
            rest = re.sub(r"^[^(]*?\(ODG\)", "", body[:hits[0][0]])
            rest = re.sub(r"^\s*(?:Official Disability Guidelines|ODG)\b", "", rest).rstrip(" ,;:-")
    else:
        rest = _after(body, _ODG)
    rest = re.sub(r"^\s*(?:\((?:acute|chronic|acute (?:&|and) chronic)\))?\s*", "", rest, flags=re.I)
    rest = re.sub(r"^\s*(?:chapter|section)\b", "", rest, flags=re.I)
    rest = re.sub(r"^[\s,:;/\-–]+", "", rest).strip().rstrip(".")
    return rest or None


def _after(body: str, pattern: re.Pattern[str]) -> str:
    m = pattern.search(body)
    if not m:
        return body
    rest = body[m.end():]
    rest = re.sub(r"^[^(]*?\((?:ODG|ACOEM)\)", "", rest)
    return re.sub(r"^[\s,:;\-–]+", "", rest).strip().rstrip(".")
