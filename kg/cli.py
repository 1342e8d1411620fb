"""The `kg` command: a small aggregator that mounts each feature's click command."""

from __future__ import annotations

import click

from kg import __version__
from kg.commands.eval import eval_command
from kg.commands.extract import extract_command
from kg.commands.load import load_command
from kg.commands.query import query_command
from kg.commands.serve import serve_command
from kg.commands.synth import synth_command
from kg.commands.topics import topics_command
from kg.commands.validate import validate_command
from kg.commands.viz import viz_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def main() -> None:
    """kg: California workers' compensation treatment guidelines as a knowledge graph.

    Checks treatment requests against the MTUS (and ODG where the MTUS is silent) the way an
    Independent Medical Review physician does. A decision aid: only a physician may deny care.
    """


main.add_command(validate_command)
main.add_command(extract_command)
main.add_command(eval_command)
main.add_command(query_command)
main.add_command(load_command)
main.add_command(serve_command)
main.add_command(synth_command)
main.add_command(topics_command)
main.add_command(viz_command)


if __name__ == "__main__":  # pragma: no cover
    main()
