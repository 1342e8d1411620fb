"""`kg validate`: judge every disputed item of the given case files."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from kg.api import validate
from kg.commands.common import EXIT_NOT_NECESSARY, EXIT_OK, handle_errors, limit_options
from kg.engine import ENGINES


@click.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json", "turtle"]), default="text",
              show_default=True, help="Output format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write the output to this file instead of standard output.")
@click.option("--engine", type=click.Choice(ENGINES), default="pyshacl", show_default=True,
              help="SHACL engine.")
@limit_options
@handle_errors
def validate_command(files: tuple[Path, ...], fmt: str, output: Path | None, engine: str) -> None:
    """Judge each requested item in FILES against the MTUS (or ODG where the MTUS is silent).

    Prints, per item, the determination, the governing guideline, each criterion as met,
    unmet or not documented with its citation, the conflicts, and agreement with a recorded
    IMR decision. Exit code: 0 every item medically necessary, 1 some item not medically
    necessary or undetermined, 2 kg could not run.

    Example: kg validate cases/seed.ttl --format json
    """
    started = dt.datetime.now(dt.UTC)
    results = validate(*files, engine=engine)
    if fmt == "json":
        from kg.render.json import render_json

        text = render_json(results)
    elif fmt == "turtle":
        from kg import __version__
        from kg.engine import engine_version
        from kg.render.rdf import to_graph

        editions = sorted({_edition_of(i.governing.recommendation) for c in results for i in c.items
                           if i.governing and i.governing.recommendation} - {None})
        text = to_graph(results, software=f"kg {__version__}", engine=engine_version(engine),
                        editions=editions, started=started).serialize(format="turtle")
    else:
        from kg.render.text import render_text

        text = render_text(results)
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    necessary = all(c.all_necessary for c in results)
    sys.exit(EXIT_OK if necessary else EXIT_NOT_NECESSARY)


def _edition_of(recommendation: str) -> str | None:
    from rdflib import URIRef

    from kg.knowledge import bundled_knowledge
    from kg.namespaces import KG

    g = bundled_knowledge().guidelines
    edition = g.value(g.value(URIRef(recommendation), KG.source), KG.inEdition)
    return str(edition) if edition is not None else None
