"""The `kg eval` report as a plain-text table."""

from __future__ import annotations

from kg.evaluate import Report
from kg.model import MEDICALLY_NECESSARY, NOT_MEDICALLY_NECESSARY, UNDETERMINED


def _pct(x: object) -> str:
    return "n/a" if x is None else f"{x:.2f}"


def render_eval_text(report: Report) -> str:
    """Per-letter rows, then the overall figures."""
    lines = [f"{'letter':<16} {'items':>9} {'decisions':>9} {'citations':>9} {'agree':>5} {'undet':>5}  note"]
    for x in report.letters:
        if x.error:
            lines.append(f"{x.file:<16} {'-':>9} {'-':>9} {'-':>9} {'-':>5} {'-':>5}  error: {x.error}")
            continue
        agree = sum(i.agrees for i in x.items)
        undet = sum(i.outcome == UNDETERMINED for i in x.items)
        note = "" if x.items_found == x.items_in_letter else "item count differs"
        lines.append(f"{(x.case_number or x.file):<16} {x.items_found:>4}/{x.items_in_letter:<4} "
                     f"{x.decisions_parsed:>9} {x.citations_parsed:>9} {agree:>5} {undet:>5}  {note}".rstrip())
    s = report.summary()
    c = s["confusion"]
    assert isinstance(c, dict)
    lines += [
        "",
        f"Letters: {s['letters']} ({s['letters_failed']} failed)   Items found: {s['items_found']} of "
        f"{s['items_in_letters']}   Decisions parsed: {s['decisions_parsed']}   Citations parsed: "
        f"{s['citations_parsed']}",
        "",
        "Recorded IMR decision vs kg outcome:",
        f"  {'':<12} {'not necessary':>14} {'necessary':>10} {'undetermined':>13}",
    ]
    for rec in ("upheld", "overturned"):
        row = c[rec]
        lines.append(f"  {rec:<12} {row[NOT_MEDICALLY_NECESSARY]:>14} {row[MEDICALLY_NECESSARY]:>10} "
                     f"{row[UNDETERMINED]:>13}")
    base = s["baseline_always_upheld"]
    assert isinstance(base, dict)
    lines += [
        "",
        f"  {'':<22} {'kg':>6} {'always upheld':>14}",
        f"  {'recall (upheld)':<22} {_pct(s['recall_upheld']):>6} {_pct(base['recall_upheld']):>14}",
        f"  {'recall (overturned)':<22} {_pct(s['recall_overturned']):>6} {_pct(base['recall_overturned']):>14}",
        f"  {'balanced accuracy':<22} {_pct(s['balanced_accuracy']):>6} {_pct(base['balanced_accuracy']):>14}",
        f"  undetermined items (counted as disagreement): {s['undetermined']}",
        "",
        f"Conflicts (UR cited only non-MTUS, reviewer cited MTUS): {s['conflicts_in_letters']} in the letters, "
        f"{s['conflicts_flagged_by_kg']} flagged by kg; agreement per item {_pct(s['conflict_agreement'])}",
    ]
    d = s["disagreements"]
    assert isinstance(d, dict)
    lines += [
        "",
        "Disagreements, by kind:",
        f"  overturned, kg not necessary: a criterion documented as not met  {d['overturned_criterion_unmet']:>4}",
        f"  overturned, kg not necessary: only criteria not documented       {d['overturned_only_not_documented']:>4}",
        f"  upheld, kg necessary                                             {d['upheld_but_kg_necessary']:>4}",
        f"  undetermined                                                     {d['undetermined']:>4}",
    ]
    for x, i in report.items():
        if not i.agrees:
            topic = (i.topic or "no topic").rsplit("/", 1)[-1]
            lines.append(f"  {(x.case_number or x.file):<14} {i.recorded:<10} kg {i.outcome:<23} {topic}: "
                         + (", ".join(i.criteria_not_met) or "-"))
    unrec = s["topic_not_recognized"]
    assert isinstance(unrec, list)
    lines.append(f"Items whose topic kg did not recognize: {len(unrec)}")
    for u in unrec:
        lines.append(f"  {u['case_number'] or u['file']}: {u['item']}")
    return "\n".join(lines) + "\n"
