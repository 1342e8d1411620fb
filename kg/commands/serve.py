"""`kg serve`: a read-only SPARQL endpoint over a kg store, using the oxigraph server."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.commands.common import handle_errors
from kg.store.server import LOOPBACK


@click.command("serve")
@click.option("--store", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The store directory made by `kg load --store DIR`.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", default=7878, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--timeout", default=30, show_default=True, type=click.IntRange(0),
              help="Seconds a query may run before the server stops it (0: no limit).")
@handle_errors
def serve_command(store: Path, host: str, port: int, timeout: int) -> None:
    """Serve the store read-only over the SPARQL 1.1 protocol until Ctrl-C.

    Queries see the union of all graphs as the default graph. The server is `oxigraph
    serve-read-only` from the oxigraph package; it has a query timeout but no result-size limit.
    Do not write to the store (kg load) while it is served.

    Example: kg serve --store ./kgstore --port 7878, then
    kg query outcomes-by-topic --endpoint http://127.0.0.1:7878/query
    """
    from kg.store.server import command_line, run

    argv = command_line(store, host=host, port=port, timeout=timeout or None)
    if host not in LOOPBACK:
        click.echo(f"warning: listening on {host}, not loopback: anyone who can reach it can read the cases",
                   err=True)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"kg: serving {store} read-only at http://{shown}:{port}/query (Ctrl-C stops)", err=True)
    sys.exit(run(argv))
