"""Smoke test: the seed case reproduces the real IMR determination."""

from kg import validate


def test_seed_is_not_medically_necessary(repo_root):
    [case] = validate(repo_root / "cases" / "seed.ttl")
    [item] = case.items
    assert item.outcome == "not-medically-necessary"
    assert item.agrees_with_imr is True
