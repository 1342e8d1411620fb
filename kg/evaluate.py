"""Measure kg against real IMR letters: letters in, agreement with the recorded decisions out.

For each letter: extract the case (kg.extract), judge it from the clinical facts alone
(kg.api.validate_graph), and compare kg's outcome per item with the recorded IMR decision
(upheld = not medically necessary, overturned = medically necessary). Undetermined items count
as disagreement and are reported apart. The recorded decisions are only ever compared against.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kg.errors import KgError
from kg.knowledge import Knowledge, bundled_knowledge
from kg.model import MEDICALLY_NECESSARY, NOT_MEDICALLY_NECESSARY, UNDETERMINED

LETTER_SUFFIXES = (".pdf", ".txt")
CONFLICT = "non-mtus-where-mtus-applies"


@dataclass
class ItemResult:
    """One disputed item: the record, kg's outcome and the conflict flags side by side."""

    label: str
    recorded: str  # "upheld" | "overturned"
    outcome: str  # kg's outcome
    topic: str | None
    citations_parsed: bool
    letter_conflict: bool  # UR cited only non-MTUS sources and the reviewer cited the MTUS
    kg_conflict: bool  # kg flagged non-MTUS-where-MTUS-applies
    reasons: list[str] = field(default_factory=list)  # why undetermined
    #: the criteria kg found not met, "ID status" ("CMRI-2 not-documented", "KMRI-1 unmet"):
    #: where a disagreement comes from, without reading the case
    criteria_not_met: list[str] = field(default_factory=list)

    @property
    def agrees(self) -> bool:
        agree = {("upheld", NOT_MEDICALLY_NECESSARY), ("overturned", MEDICALLY_NECESSARY)}
        return (self.recorded, self.outcome) in agree


@dataclass
class LetterResult:
    """One letter: counts of what was read and the per-item results (or the error)."""

    file: str
    case_number: str | None = None
    items_in_letter: int = 0
    items_found: int = 0
    decisions_parsed: int = 0
    citations_parsed: int = 0
    items: list[ItemResult] = field(default_factory=list)
    error: str | None = None


@dataclass
class Report:
    """All letters and the figures over them."""

    letters: list[LetterResult]

    def items(self) -> Iterator[tuple[LetterResult, ItemResult]]:
        for letter in self.letters:
            for item in letter.items:
                yield letter, item

    def confusion(self) -> dict[str, dict[str, int]]:
        """recorded decision -> kg outcome -> count."""
        table = {r: {o: 0 for o in (NOT_MEDICALLY_NECESSARY, MEDICALLY_NECESSARY, UNDETERMINED)}
                 for r in ("upheld", "overturned")}
        for _, item in self.items():
            table[item.recorded][item.outcome] += 1
        return table

    def summary(self) -> dict[str, object]:
        c = self.confusion()
        upheld = sum(c["upheld"].values())
        overturned = sum(c["overturned"].values())
        r_up = c["upheld"][NOT_MEDICALLY_NECESSARY] / upheld if upheld else None
        r_ov = c["overturned"][MEDICALLY_NECESSARY] / overturned if overturned else None
        balanced = (r_up + r_ov) / 2 if r_up is not None and r_ov is not None else None
        items = [i for _, i in self.items()]
        conflict_match = sum(1 for i in items if i.letter_conflict == i.kg_conflict)
        return {
            "letters": len(self.letters),
            "letters_failed": sum(1 for x in self.letters if x.error),
            "items_in_letters": sum(x.items_in_letter for x in self.letters),
            "items_found": sum(x.items_found for x in self.letters),
            "decisions_parsed": sum(x.decisions_parsed for x in self.letters),
            "citations_parsed": sum(x.citations_parsed for x in self.letters),
            "confusion": c,
            "recall_upheld": r_up,
            "recall_overturned": r_ov,
            "balanced_accuracy": balanced,
            "baseline_always_upheld": {"recall_upheld": 1.0 if upheld else None,
                                       "recall_overturned": 0.0 if overturned else None,
                                       "balanced_accuracy": 0.5 if upheld and overturned else None},
            "undetermined": sum(1 for i in items if i.outcome == UNDETERMINED),
            "conflicts_in_letters": sum(1 for i in items if i.letter_conflict),
            "conflicts_flagged_by_kg": sum(1 for i in items if i.kg_conflict),
            "conflict_agreement": conflict_match / len(items) if items else None,
            "disagreements": self.disagreements(),
            "topic_not_recognized": [{"file": x.file, "case_number": x.case_number, "item": i.label}
                                     for x, i in self.items() if i.topic is None],
        }

    def disagreements(self) -> dict[str, int]:
        """Why kg disagrees, by kind: an overturned item kg calls not necessary because a criterion
        is documented as not met, or only because one is not documented; an upheld item kg calls
        necessary; an item kg leaves undetermined."""
        out = {"overturned_criterion_unmet": 0, "overturned_only_not_documented": 0,
               "upheld_but_kg_necessary": 0, "undetermined": 0}
        for _, i in self.items():
            if i.agrees:
                continue
            if i.outcome == UNDETERMINED:
                out["undetermined"] += 1
            elif i.recorded == "upheld":
                out["upheld_but_kg_necessary"] += 1
            elif any(c.endswith(" unmet") for c in i.criteria_not_met):
                out["overturned_criterion_unmet"] += 1
            else:
                out["overturned_only_not_documented"] += 1
        return out

    def to_dict(self) -> dict[str, object]:
        return {"summary": self.summary(), "letters": [asdict(x) for x in self.letters]}


def letter_files(paths: Iterable[str | Path]) -> list[Path]:
    """The letters named by ``paths``: files as given, folders searched for .pdf and .txt."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(f for f in p.iterdir() if f.suffix.lower() in LETTER_SUFFIXES and f.is_file()))
        elif p.exists():
            out.append(p)
        else:
            raise KgError("no such file or folder", path=p)
    return out


def evaluate(paths: Iterable[str | Path], *, knowledge: Knowledge | None = None,
             progress: Callable[[list[Path]], Iterable[Path]] | None = None) -> Report:
    """Extract, judge and compare every letter in ``paths``.

    ``progress`` may wrap the list of files (e.g. in a progress bar); a letter that cannot be
    read is reported with its error and the run goes on.
    """
    kb = knowledge or bundled_knowledge()
    files = letter_files(paths)
    results = []
    for path in (progress(files) if progress else files):
        results.append(evaluate_letter(path, kb))
    return Report(results)


def evaluate_letter(path: Path, kb: Knowledge) -> LetterResult:
    """Extract one letter, judge it and line kg's outcomes up with the recorded decisions."""
    from kg.api import validate_graph
    from kg.extract import extract_letter
    from kg.extract.to_rdf import case_namespace

    out = LetterResult(file=path.name)
    try:
        letter = extract_letter(path, kb.guidelines)
    except KgError as exc:
        out.error = exc.one_line()
        return out
    out.case_number = letter.case_id
    out.items_in_letter = letter.items_in_letter
    out.items_found = len(letter.items)
    graph = letter.graph()
    determinations = {}
    for case in validate_graph(graph, kb, file=str(path)):
        for det in case.items:
            determinations[det.request] = det
    ns = case_namespace(letter.case_id)
    for n, item in enumerate(letter.items, start=1):
        det = determinations.get(f"{ns}item-{n}")
        parsed = all(_block_ok(b) for b in (item.ur_citations, item.imr_citations))
        out.decisions_parsed += item.decision in {"Upheld", "Overturned"}
        out.citations_parsed += parsed
        outcome = det.outcome if det else UNDETERMINED
        out.items.append(ItemResult(
            label=item.label,
            recorded=item.decision.lower(),
            outcome=outcome,
            topic=str(item.topic) if item.topic is not None else None,
            citations_parsed=parsed,
            letter_conflict=item.ur_citations.only_non_mtus and item.imr_citations.any_mtus,
            kg_conflict=bool(det and any(c.type == CONFLICT for c in det.conflicts)),
            reasons=list(det.findings) if det and outcome == UNDETERMINED else [],
            criteria_not_met=[f"{c.id} {c.status}" for c in det.failed] if det else [],
        ))
    return out


def _block_ok(block) -> bool:  # noqa: ANN001
    """A citation line is parsed when it yields citations or says no evidence was cited."""
    return (bool(block.citations) or block.no_evidence) and not block.unparsed
