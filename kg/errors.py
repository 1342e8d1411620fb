"""Errors kg raises when it cannot run. "Not medically necessary" is a value, never an error."""

from __future__ import annotations

from pathlib import Path


class KgError(Exception):
    """A failure the user can act on: one line, naming the file and line where there is one."""

    def __init__(self, message: str, *, path: str | Path | None = None, line: int | None = None,
                 column: int | None = None) -> None:
        self.path = str(path) if path is not None else None
        self.line = line
        self.column = column
        self.detail = " ".join(str(message).split())
        super().__init__(self.one_line())

    def one_line(self) -> str:
        where = ""
        if self.path:
            where = self.path
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        return f"{where}{self.detail}"


class LoadError(KgError):
    """An input file could not be read or parsed safely."""
