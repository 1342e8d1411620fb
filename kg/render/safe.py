"""Make case-supplied strings safe to print: no terminal control sequences."""

from __future__ import annotations

import re

# C0/C1 controls except tab and newline, plus ANSI CSI/OSC escape sequences.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x9b[0-?]*[ -/]*[@-~]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: object) -> str:
    """The text with ANSI/OSC escapes and control characters removed."""
    return _CONTROL.sub("", _ANSI.sub("", str(text)))
