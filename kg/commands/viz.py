"""`kg viz`: pictures of a topic's guidelines, of a case and its determinations, of the ontology."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from kg.commands.common import EXIT_OK, fail, handle_errors, limit_options
from kg.viz import BINARY_FORMATS, FORMATS, format_for, picture


def _output_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
                        help="Write the picture to this file; its extension picks the format when --format "
                             "is not given (.dot .svg .png .html .graphml .gexf .mmd .md).")(func)
    return click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default=None,
                        help="Picture format (default: from the -o extension, else dot). svg and png need "
                             "Graphviz's `dot`.")(func)


def _emit(view: str, target: str | Path | None, fmt: str | None, output: Path | None) -> None:
    chosen = format_for(output, fmt)
    if chosen in BINARY_FORMATS and output is None and sys.stdout.isatty():
        fail(f"{chosen} is binary: write it to a file with -o picture.{chosen}")
    data = picture(view, target, chosen, markdown=output is not None and output.suffix.lower() == ".md")
    if output is None:
        stream = getattr(sys.stdout, "buffer", None)
        if stream is None:  # a text-only stdout (some embedders): text formats only
            click.echo(data.decode("utf-8", errors="replace"), nl=False)
        else:
            sys.stdout.flush()
            stream.write(data)
            stream.flush()
    else:
        try:
            output.write_bytes(data)
        except OSError as exc:
            fail(f"{output}: cannot write: {exc.strerror or exc}")
        click.echo(f"kg: wrote {chosen} to {output}", err=True)
    sys.exit(EXIT_OK)


@click.group("viz")
def viz_command() -> None:
    """Draw kg's graphs: a treatment topic's guidelines, a case with kg's determinations, the ontology.

    Formats: dot, svg and png (through Graphviz's `dot`), a self-contained interactive html page
    (pan, zoom, click a node for its facts and citations; loads nothing from the network), graphml
    and gexf (Gephi, Cytoscape) and mermaid (Markdown).

    Example: kg viz case cases/seed.ttl -o seed.html
    """


@viz_command.command("topic")
@click.argument("topic")
@_output_options
@handle_errors
def viz_topic(topic: str, fmt: str | None, output: Path | None) -> None:
    """The guidelines, documents, editions, sections, recommendations and criteria for TOPIC.

    TOPIC is an IRI, a local name (LumbarSympatheticBlock), a label or synonym ("lumbar
    sympathetic block", "LSB") or a code (64520).

    Example: kg viz topic LumbarSympatheticBlock -o lsb.svg
    """
    _emit("topic", topic, fmt, output)


@viz_command.command("case")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@_output_options
@limit_options
@handle_errors
def viz_case(file: Path, fmt: str | None, output: Path | None) -> None:
    """A case's requests with kg's determinations: each criterion met, unmet or not documented (in
    distinct colours, with its citation), conflicts highlighted, the recorded IMR decision beside kg's.

    Example: kg viz case cases/seed.ttl -o seed.png
    """
    _emit("case", file, fmt, output)


@viz_command.command("ontology")
@_output_options
@handle_errors
def viz_ontology(fmt: str | None, output: Path | None) -> None:
    """kg's classes, their subclass links and the properties between them (ontology/kg.ttl).

    Example: kg viz ontology -o ontology.svg
    """
    _emit("ontology", None, fmt, output)
