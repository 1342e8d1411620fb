"""`kg eval`: how often kg reaches the decision the real reviewer reached, on a folder of letters."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path

import click

from kg.commands.common import EXIT_OK, fail, handle_errors


@click.command("eval")
@click.argument("letters", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report to this file instead of standard output.")
@handle_errors
def eval_command(letters: tuple[Path, ...], fmt: str, output: Path | None) -> None:
    """Extract every letter in LETTERS (files or folders), judge it, and compare with the record.

    Prints per letter the items found vs in the letter, decisions and citations parsed, and
    kg's agreement; overall, the confusion matrix of kg's outcome against the recorded IMR
    decision with recall per class and balanced accuracy beside the "always upheld" baseline,
    conflict flags against the letters' own citations, and the items whose topic kg did not
    recognize. Undetermined items count as disagreement. Exit code 0 when the run completed.

    Example: kg eval /work/shared/imr-letters --format json
    """
    from kg.evaluate import evaluate, letter_files
    from kg.render.evaluation import render_eval_text

    if not letter_files(letters):
        fail("no letters (.pdf or .txt) found in the given paths")
    report = evaluate(letters, progress=_progress)
    text = json.dumps(report.to_dict(), indent=2) + "\n" if fmt == "json" else render_eval_text(report)
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    sys.exit(EXIT_OK)


def _progress(files: list[Path]) -> Iterable[Path]:
    """A progress bar on stderr, only when stderr is a terminal and the run is long."""
    if len(files) < 5 or not sys.stderr.isatty():
        yield from files
        return
    with click.progressbar(files, label="letters", file=sys.stderr) as bar:
        yield from bar
