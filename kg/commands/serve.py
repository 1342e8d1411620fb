"""`kg serve`: a read-only SPARQL endpoint over a kg store (oxigraph behind kg's own proxy)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.commands.common import handle_errors
from kg.store.proxy import ProxyLimits
from kg.store.server import LOOPBACK


@click.command("serve")
@click.option("--store", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The store directory made by `kg load --store DIR`.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", default=7878, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--timeout", default=30, show_default=True, type=click.IntRange(0),
              help="Seconds a query may run before it is stopped with HTTP 504 (0: no limit).")
@click.option("--max-result-bytes", default=ProxyLimits.max_result_bytes, show_default=True,
              type=click.IntRange(1), help="Largest answer sent; a larger one is refused with HTTP 507.")
@click.option("--max-concurrent", default=None, type=click.IntRange(1),
              help="Queries run at once; more wait (up to the timeout) or get HTTP 503. "
                   "[default: 2 x CPU cores, at least 4]")
@handle_errors
def serve_command(store: Path, host: str, port: int, timeout: int, max_result_bytes: int,
                  max_concurrent: int | None) -> None:
    """Serve the store read-only over the SPARQL 1.1 protocol until Ctrl-C.

    Queries go to /query and see the union of all graphs as the default graph. SPARQL Update is
    refused (403); an answer over --max-result-bytes gets 507, a query past --timeout 504: never
    a 200 with a partial result. Do not write to the store (kg load) while it is served.

    Example: kg serve --store ./kgstore --port 7878, then
    kg query outcomes-by-topic --endpoint http://127.0.0.1:7878/query
    """
    from kg.store.server import serve

    if host not in LOOPBACK:
        click.echo(f"warning: listening on {host}, not loopback: anyone who can reach it can read the cases",
                   err=True)
    code = serve(store, host=host, port=port, timeout=timeout or None, max_result_bytes=max_result_bytes,
                 max_concurrent=max_concurrent, log=lambda message: click.echo(message, err=True),
                 on_ready=lambda url: click.echo(f"kg: serving {store} read-only at {url} (Ctrl-C stops)",
                                                 err=True))
    sys.exit(code)
