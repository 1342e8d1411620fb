"""Determinations as JSON, in the shape documented in README.md ("JSON output")."""

from __future__ import annotations

import json
from typing import Any

from kg.model import CaseResult, Determination


def to_dict(cases: list[CaseResult]) -> dict[str, Any]:
    return {"cases": [_case(c) for c in cases]}


def render_json(cases: list[CaseResult]) -> str:
    return json.dumps(to_dict(cases), indent=2, ensure_ascii=True) + "\n"


def _case(case: CaseResult) -> dict[str, Any]:
    return {
        "case": case.case,
        "case_number": case.case_number,
        "file": case.file,
        "notes": list(case.notes),
        "items": [_item(i) for i in case.items],
    }


def _item(item: Determination) -> dict[str, Any]:
    gov = item.governing
    return {
        "request": item.request,
        "label": item.label,
        "topic": item.topic,
        "topic_iri": item.topic_iri,
        "outcome": item.outcome,
        "governing": None if gov is None else {
            "guideline": gov.guideline, "document": gov.document, "edition": gov.edition,
            "locator": gov.locator, "recommendation": gov.recommendation,
        },
        "reference_date": item.reference_date,
        "criteria": [
            {"id": c.id, "status": c.status, "statement": c.statement, "citation": c.citation,
             "reason": c.reason, "verified": c.verified, "iri": c.iri}
            for c in item.criteria
        ],
        "conflicts": [{"type": c.type, "message": c.message, "citation": c.citation} for c in item.conflicts],
        "findings": list(item.findings),
        "recorded": {"ur": item.recorded_ur, "imr": item.recorded_imr},
        "agrees_with_imr": item.agrees_with_imr,
    }
