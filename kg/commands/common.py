"""What every command shares: the exit-code contract and one-line errors."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import Any

import click

from kg.errors import KgError
from kg.loader import DEFAULT_LIMITS, Limits, limits_in_effect
from kg.render.safe import clean

#: Exit codes (documented in README.md): 0 all medically necessary / success,
#: 1 some item not medically necessary or undetermined, 2 kg could not run.
EXIT_OK = 0
EXIT_NOT_NECESSARY = 1
EXIT_ERROR = 2


def fail(message: str) -> None:
    """Print one line to stderr and exit 2."""
    click.echo(f"kg: error: {clean(message)}", err=True)
    sys.exit(EXIT_ERROR)


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn any failure into one line on stderr and exit 2 (set KG_DEBUG=1 for a traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except KgError as exc:
            fail(exc.one_line())
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 - last line of defence: no tracebacks for users
            if os.environ.get("KG_DEBUG"):
                raise
            fail(f"internal error ({type(exc).__name__}): {exc}; rerun with KG_DEBUG=1 for details")

    return wrapper


def limit_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add --max-bytes/--max-triples/--max-literal/--max-depth/--timeout and load every case file
    of the command within them (kg's own bundled files always use the defaults)."""
    d = DEFAULT_LIMITS

    @functools.wraps(func)
    def wrapper(*args: Any, max_bytes: int, max_triples: int, max_literal: int, max_depth: int,
                timeout: float, **kwargs: Any) -> Any:
        limits = Limits(max_bytes=max_bytes, max_triples=max_triples, max_literal=max_literal,
                        max_depth=max_depth, timeout=timeout)
        with limits_in_effect(limits):
            return func(*args, **kwargs)

    options = [
        click.option("--max-bytes", type=click.IntRange(min=1), default=d.max_bytes, show_default=True,
                     help="Refuse a case file larger than this many bytes."),
        click.option("--max-triples", type=click.IntRange(min=1), default=d.max_triples, show_default=True,
                     help="Refuse a case file with more triples."),
        click.option("--max-literal", type=click.IntRange(min=1), default=d.max_literal, show_default=True,
                     help="Refuse a literal or IRI longer than this many characters."),
        click.option("--max-depth", type=click.IntRange(min=1), default=d.max_depth, show_default=True,
                     help="Refuse bracket/element nesting deeper than this."),
        click.option("--timeout", type=click.FloatRange(min=0), default=d.timeout, show_default=True,
                     help="Seconds allowed for parsing one file, and again for judging it (0: no time box)."),
    ]
    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper
