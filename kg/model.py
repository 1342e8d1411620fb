"""Determination objects: what kg concludes for each disputed item, and why."""

from __future__ import annotations

from dataclasses import dataclass, field

MEDICALLY_NECESSARY = "medically-necessary"
NOT_MEDICALLY_NECESSARY = "not-medically-necessary"
UNDETERMINED = "undetermined"

MET = "met"
UNMET = "unmet"
NOT_DOCUMENTED = "not-documented"


@dataclass(frozen=True)
class Governing:
    """The guideline text that governs a request: guideline, document, edition, page/section."""

    guideline: str
    document: str
    edition: str
    locator: str
    recommendation: str = ""

    def __str__(self) -> str:
        return f"{self.guideline} {self.document} {self.edition}, {self.locator}".strip(", ")


@dataclass(frozen=True)
class CriterionResult:
    id: str
    iri: str
    status: str
    statement: str
    citation: str
    verified: bool = False
    reason: str | None = None


@dataclass(frozen=True)
class Conflict:
    type: str
    message: str
    citation: str
    iri: str = ""


@dataclass(frozen=True)
class Determination:
    """kg's outcome for one requested item. Only a physician may deny care: this is an aid."""

    request: str | None
    label: str
    topic: str | None
    topic_iri: str | None
    outcome: str
    governing: Governing | None = None
    reference_date: str | None = None
    criteria: tuple[CriterionResult, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    findings: tuple[str, ...] = ()
    recorded_ur: str | None = None
    recorded_imr: str | None = None
    agrees_with_imr: bool | None = None

    @property
    def failed(self) -> tuple[CriterionResult, ...]:
        return tuple(c for c in self.criteria if c.status != MET)


@dataclass(frozen=True)
class CaseResult:
    """The determinations for one case of one input file."""

    case: str | None
    file: str
    items: tuple[Determination, ...]
    label: str | None = None
    case_number: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def all_necessary(self) -> bool:
        return bool(self.items) and all(i.outcome == MEDICALLY_NECESSARY for i in self.items)
