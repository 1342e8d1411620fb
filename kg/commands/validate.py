"""`kg validate`: judge every disputed item of the given case files."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from kg.api import validate
from kg.commands.common import EXIT_ERROR, EXIT_NOT_NECESSARY, EXIT_OK, handle_errors, limit_options
from kg.engine import ENGINES


@click.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json", "turtle", "jsonl"]), default="text",
              show_default=True, help="Output format; jsonl prints one line per case as it is judged.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write the output to this file instead of standard output.")
@click.option("--engine", type=click.Choice(ENGINES), default="pyshacl", show_default=True,
              help="SHACL engine (turbo: pyshacl-turbo, rudof: pyrudof; both optional packages).")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=None,
              help="Judge files in parallel in this many processes (0: one per core). Implies batch mode.")
@click.option("--executor", metavar="local|dask://HOST:PORT", default=None,
              help="Where batch tasks run: a local process pool, or a Dask cluster (shared file system).")
@click.option("--chunk", type=click.IntRange(min=1), default=None,
              help="Case files per batch task (default 32).")
@click.option("--progress/--no-progress", default=None,
              help="Progress bar on stderr in batch mode (default: when stderr is a terminal).")
@limit_options
@handle_errors
def validate_command(files: tuple[Path, ...], fmt: str, output: Path | None, engine: str, jobs: int | None,
                     executor: str | None, chunk: int | None, progress: bool | None) -> None:
    """Judge each requested item in FILES against the MTUS (or ODG where the MTUS is silent).

    Prints, per item, the determination, the governing guideline, each criterion as met,
    unmet or not documented with its citation, the conflicts, and agreement with a recorded
    IMR decision. Exit code: 0 every item medically necessary, 1 some item not medically
    necessary or undetermined, 2 kg could not run.

    Batch mode (a directory among FILES, --jobs, --executor, --chunk or --format jsonl) judges
    many files in parallel, streams the results and ends with a summary table (on stderr for
    jsonl); a file that cannot be read is reported and the others are still judged (exit 2).

    Examples: kg validate cases/seed.ttl --format json;
    kg validate cases/ -j 4 --format jsonl --engine turbo > results.jsonl
    """
    batch = (fmt == "jsonl" or jobs is not None or executor is not None or chunk is not None
             or any(f.is_dir() for f in files))
    if batch:
        _batch(files, fmt, output, engine, jobs, executor, chunk, progress)
        return
    for f in files:
        if f.is_dir():  # pragma: no cover - a directory always selects batch mode
            raise click.BadParameter(f"{f} is a directory")
    started = dt.datetime.now(dt.UTC)
    results = validate(*files, engine=engine)
    if fmt == "json":
        from kg.render.json import render_json

        text = render_json(results)
    elif fmt == "turtle":
        from kg import __version__
        from kg.engine import engine_version
        from kg.render.rdf import to_graph

        text = to_graph(results, software=f"kg {__version__}", engine=engine_version(engine),
                        started=started).serialize(format="turtle")
    else:
        from kg.render.text import render_text

        text = render_text(results)
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    necessary = all(c.all_necessary for c in results)
    sys.exit(EXIT_OK if necessary else EXIT_NOT_NECESSARY)


def _batch(files: tuple[Path, ...], fmt: str, output: Path | None, engine: str, jobs: int | None,
           executor: str | None, chunk: int | None, progress: bool | None) -> None:
    """Stream per-case results, then the summary table; exit 2 if a file could not be read."""
    import json

    from kg.batch import DEFAULT_CHUNK, Summary, case_files, default_jobs, validate_many
    from kg.errors import KgError
    from kg.render.json import to_dict

    if fmt not in ("jsonl", "text"):
        raise KgError(f"--format {fmt} is not available in batch mode (use jsonl or text)")
    paths = case_files(files)
    if not paths:
        raise KgError("no case files found (directories are searched for .ttl, .jsonld, .nt, .rdf files)")
    workers = default_jobs() if not jobs else jobs
    out = output.open("w", encoding="utf-8") if output is not None else None
    summary = Summary()
    show = sys.stderr.isatty() if progress is None else progress
    bar = click.progressbar(length=len(paths), label="judging", file=sys.stderr) if show else None

    def emit(text: str) -> None:
        if out is not None:
            out.write(text + "\n")
        else:
            click.echo(text)

    try:
        if bar is not None:
            bar.__enter__()
        for outcome in validate_many(paths, jobs=workers, engine=engine, chunk=chunk or DEFAULT_CHUNK,
                                     executor=executor):
            summary.add(outcome)
            if bar is not None:
                bar.update(1)
            if fmt == "jsonl":
                if outcome.error is not None:
                    emit(json.dumps({"file": outcome.file, "error": outcome.error}, ensure_ascii=True))
                for case in to_dict(list(outcome.results))["cases"]:
                    emit(json.dumps(case, ensure_ascii=True))
            elif outcome.error is not None:
                click.echo(f"kg: error: {outcome.error}", err=True)
            else:
                from kg.render.text import render_text

                emit(render_text(list(outcome.results)).rstrip("\n") + "\n")
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
        if out is not None:
            out.close()
    table = summary.table()
    click.echo(table, nl=False, err=(fmt == "jsonl" and output is None))
    if summary.errors:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_OK if summary.all_necessary else EXIT_NOT_NECESSARY)
