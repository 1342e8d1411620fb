"""The synthetic case generator: deterministic, decidable, realistic proportions."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from click.testing import CliRunner

from kg.batch import validate_many
from kg.cli import main
from kg.knowledge import bundled_knowledge
from kg.synth import generate, topic_plans


def test_same_seed_same_files_different_seed_different_files() -> None:
    kb = bundled_knowledge()
    a = list(generate(25, 3, kb.guidelines, kb.shapes))
    b = list(generate(25, 3, kb.guidelines, kb.shapes))
    c = list(generate(25, 4, kb.guidelines, kb.shapes))
    assert a == b
    assert [t for _, t in a] != [t for _, t in c]


def test_every_plan_is_a_topic_kg_can_decide() -> None:
    kb = bundled_knowledge()
    plans = topic_plans(kb.guidelines, kb.shapes)
    assert plans
    for plan in plans:
        assert plan.checks and plan.dates[0] <= plan.dates[1]


def test_cases_are_judged_with_realistic_outcomes(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["synth", "--n", "100", "--seed", "2", str(tmp_path)])
    assert result.exit_code == 0, result.output
    files = sorted(tmp_path.glob("*.ttl"))
    assert len(files) == 100
    outcomes: Counter = Counter()
    agree = Counter()
    for outcome in validate_many(files, jobs=1):
        assert outcome.error is None
        for case in outcome.results:
            for item in case.items:
                outcomes[item.outcome] += 1
                agree[item.agrees_with_imr] += 1
    total = sum(outcomes.values())
    # Real IMR upholds ~89%; with every coverage area merged the generator lands lower (~78% at this
    # seed) because it cannot yet write failing facts for some newer components (see README, synth).
    assert 0.70 <= outcomes["not-medically-necessary"] / total <= 0.96, outcomes
    assert outcomes["medically-necessary"] > 0
    assert outcomes["undetermined"] <= 0.05 * total
    # Lower than the ~96% of the seed-era topics: the generator cannot yet write passing facts for
    # the newer imaging/therapy/meds components, so some intended "overturned" items fail.
    assert agree[True] / total >= 0.70, agree
