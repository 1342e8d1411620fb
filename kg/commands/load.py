"""`kg load`: put case files into a persistent store or a SPARQL endpoint, all or nothing."""

from __future__ import annotations

from pathlib import Path

import click

from kg.commands.common import fail, handle_errors, limit_options


@click.command("load")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--store", type=click.Path(file_okay=False, path_type=Path), help="The store directory (created if new).")
@click.option("--endpoint", metavar="URL", help="A SPARQL 1.1 Update endpoint (only this URL is contacted).")
@click.option("--with-determinations", is_flag=True, help="Judge each case and store kg's determinations with it.")
@limit_options
@handle_errors
def load_command(paths: tuple[Path, ...], store: Path | None, endpoint: str | None, with_determinations: bool) -> None:
    """Load case files (and the .ttl/.jsonld/.nt/.rdf files under DIRS) into a store or endpoint.

    Each case goes into its own named graph (its kg:Case IRI), the guideline graph and the shapes
    into theirs. Every file is parsed first and everything is written in one transaction: a bad
    file is named with its line and leaves the store as it was. Loading a case again replaces it.

    Example: kg load cases/ --store ./kgstore --with-determinations
    """
    from kg.store import open_backend
    from kg.store.load import load

    if (store is None) == (endpoint is None):
        fail("give exactly one of --store DIR or --endpoint URL")
    with open_backend(store=store, endpoint=endpoint, write=True) as backend:
        summary = load(backend, paths, with_determinations=with_determinations)
    where = store if store is not None else endpoint
    click.echo(f"loaded {summary.files} file(s), {summary.cases} case(s), "
               f"{summary.determinations} determination(s) into {where}")
    if summary.quarantined:
        click.echo(f"note: {summary.quarantined} triple(s) describing kg's own guideline or shape terms "
                   "were left out", err=True)
