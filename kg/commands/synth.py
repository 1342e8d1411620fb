"""`kg synth`: write synthetic IMR cases for benchmarks and property tests."""

from __future__ import annotations

from pathlib import Path

import click

from kg.commands.common import handle_errors


@click.command("synth")
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--n", "count", type=click.IntRange(min=1), default=100, show_default=True,
              help="Number of cases to write.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed: same seed, same files.")
@handle_errors
def synth_command(outdir: Path, count: int, seed: int) -> None:
    """Write N synthetic cases (Turtle) into OUTDIR, for benchmarks and tests; none is a real person.

    Topics are those kg can decide in the guideline graph at run time, mixed like real IMR
    disputes (about a quarter imaging, then physical therapy, EMG/NCS, equipment, ...); about
    89% of items fail a criterion, as about 89% of IMR decisions uphold the denial.

    Example: kg synth --n 1000 --seed 7 /tmp/cases && kg validate /tmp/cases -j 2
    """
    from kg.knowledge import bundled_knowledge
    from kg.synth import write

    kb = bundled_knowledge()
    written = write(count, seed, outdir, kb.guidelines, kb.shapes)
    click.echo(f"wrote {written} synthetic case files to {outdir}")
