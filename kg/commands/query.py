"""`kg query`: SPARQL over the guideline graph and cases, in memory, in a store or at an endpoint."""

from __future__ import annotations

from pathlib import Path

import click

from kg.commands.common import EXIT_OK, fail, handle_errors, limit_options
from kg.store.output import FORMATS


def _params(values: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            fail(f"--param wants NAME=VALUE, got {item!r}")
        out[name.strip()] = value
    return out


@click.command("query")
@click.argument("query", required=False)
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
              help="A parameter of a named query (typed: date, IRI/topic, string); repeat for more.")
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="table/csv/tsv/json for SELECT and ASK; turtle/json-ld/nt for CONSTRUCT and DESCRIBE.")
@click.option("--store", type=click.Path(file_okay=False, path_type=Path),
              help="Query a persistent store made by `kg load --store DIR`.")
@click.option("--endpoint", metavar="URL", help="Query a SPARQL 1.1 endpoint (only this URL is contacted).")
@click.option("--with-determinations", is_flag=True,
              help="Also judge the case FILES and query kg's determinations (in memory).")
@click.option("--list", "list_queries", is_flag=True, help="List the shipped named queries and exit.")
@click.option("--show", is_flag=True, help="Print the SPARQL text of the query (after binding) and exit.")
@limit_options
@handle_errors
def query_command(query: str | None, files: tuple[Path, ...], params: tuple[str, ...], fmt: str,
                  store: Path | None, endpoint: str | None, with_determinations: bool, list_queries: bool,
                  show: bool) -> None:
    """Run QUERY (a file, - for stdin, inline SPARQL, or a named query) over the guidelines and FILES.

    SELECT, ASK, CONSTRUCT and DESCRIBE are answered; SPARQL Update is refused (exit 2). Without
    --store or --endpoint the bundled guideline graph and the case FILES are queried in memory;
    each case file is its own named graph and the default graph is the union of all graphs.

    Example: kg query criteria-for-topic -p topic="lumbar sympathetic block"
    """
    from kg.store import prepare_query, resolve_query, run_query
    from kg.store.named import named_queries
    from kg.store.output import render

    if list_queries:
        click.echo(_listing(named_queries()), nl=False)
        raise SystemExit(EXIT_OK)
    if not query:
        fail("give a QUERY (a file, -, SPARQL text or a named query; see `kg query --list`)")
    source = resolve_query(query)
    if show:
        click.echo(prepare_query(source, _params(params)).text)
        raise SystemExit(EXIT_OK)
    result = run_query(source, files, params=_params(params), store=store, endpoint=endpoint,
                       with_determinations=with_determinations)
    click.echo(render(result, fmt), nl=False)
    if source.named and source.named.requires_determinations and not result.rows and (store or endpoint):
        click.echo("note: this query reads kg's determinations; load the cases with "
                   "`kg load --with-determinations` if the store has none", err=True)


def _listing(queries: dict) -> str:
    lines = []
    for name, q in queries.items():
        needs = "  [needs determinations]" if q.requires_determinations else ""
        lines.append(f"{name}{needs}\n    {q.description}")
        for p in q.params:
            lines.append(f"    --param {p.name}=<{p.type}>  {p.description}")
    return "\n".join(lines) + "\n"
