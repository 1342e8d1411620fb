"""`kg extract`: read IMR letters (PDF or text) into kg case files (Turtle)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.commands.common import EXIT_OK, fail, handle_errors


@click.command("extract")
@click.argument("letters", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--output", "-o", type=click.Path(path_type=Path),
              help="Case file to write (one letter), or a folder for many letters (one CASE-NUMBER.ttl each).")
@handle_errors
def extract_command(letters: tuple[Path, ...], output: Path | None) -> None:
    """Read IMR determination LETTERS (.pdf or .txt, or folders of them) into kg case files.

    Each case file holds the letter's disputed items with their recorded IMR decisions and the
    UR and reviewer citations (kept to compare against, never used to decide), and the clinical
    facts of the case summary, each annotated with the span of the letter it came from.
    Without -o a single letter is printed as Turtle.

    Example: kg extract /work/shared/imr-letters -o cases/letters/
    """
    from kg.evaluate import letter_files
    from kg.extract import extract_letter

    files = letter_files(letters)
    if not files:
        fail("no letters (.pdf or .txt) found in the given paths")
    many = len(files) > 1 or any(p.is_dir() for p in letters)
    if many and output is None:
        fail("several letters need -o FOLDER")
    if many or (output is not None and output.is_dir()):
        assert output is not None
        output.mkdir(parents=True, exist_ok=True)
        for path in files:
            letter = extract_letter(path)
            target = output / f"{letter.case_id}.ttl"
            target.write_text(letter.graph().serialize(format="turtle"), encoding="utf-8")
            click.echo(f"{path.name} -> {target} ({len(letter.items)} item(s))", err=True)
        sys.exit(EXIT_OK)
    letter = extract_letter(files[0])
    text = letter.graph().serialize(format="turtle")
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
    sys.exit(EXIT_OK)
