"""`kg topics`: list the treatment topics kg knows, or show what a request text maps to."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict

import click

from kg.commands.common import EXIT_NOT_NECESSARY, EXIT_OK, handle_errors


@click.command("topics")
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format.")
@click.option("--recognize", "-r", "texts", multiple=True, metavar="TEXT",
              help="Show the topic, quantity, frequency, side and region kg reads in TEXT (repeatable).")
@handle_errors
def topics_command(fmt: str, texts: tuple[str, ...]) -> None:
    """List every treatment topic with its governing document(s), section or page, status and
    number of criteria; or, with --recognize, what a request text maps to.

    Exit code with --recognize: 0 every text maps to a topic, 1 some text maps to none.

    Example: kg topics --recognize "Norco 10/325mg #120" --recognize "MRI of the left knee"
    """
    if texts:
        from kg.recognize import recognize

        results = [recognize(t) for t in texts]
        if fmt == "json":
            click.echo(json.dumps([asdict(r) for r in results], indent=2))
        else:
            for r in results:
                click.echo(_recognition_line(r))
        sys.exit(EXIT_OK if all(r.topic for r in results) else EXIT_NOT_NECESSARY)

    from kg.catalog import topic_catalog

    rows = topic_catalog()
    if fmt == "json":
        click.echo(json.dumps([asdict(r) for r in rows], indent=2))
        return
    for row in rows:
        if not row.recommendations:
            click.echo(f"{row.topic}\t{row.label}\t(no recommendation: undetermined)")
        for rec in row.recommendations:
            click.echo(f"{row.topic}\t{row.label}\t{rec.citation}\t{rec.status}\t{rec.criteria} criteria")


def _recognition_line(r) -> str:  # noqa: ANN001 - a kg.recognize.Recognition
    if r.topic is None:
        return f"{r.text!r}: no topic recognized"
    details = [f"{k}={v}" for k, v in (("quantity", r.quantity), ("unit", r.unit), ("frequency", r.frequency),
                                        ("duration", r.duration), ("doses/day", r.doses_per_day),
                                        ("laterality", r.laterality),
                                        ("region", r.body_region)) if v is not None]
    return f"{r.text!r}: {r.topic.rsplit('/', 1)[-1]} ({r.topic_label}; matched {r.matched!r})" + (
        "; " + ", ".join(details) if details else "")
