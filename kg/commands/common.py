"""What every command shares: the exit-code contract and one-line errors."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import Any

import click

from kg.errors import KgError
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
