"""Make case-supplied strings safe to print: data, never markup or terminal control.

Labels, request texts and file names come from case files written by many hands. Printed raw,
an ANSI/OSC escape could recolour or rewrite the terminal (or set its title, or hide a line), a
bidirectional override could make "NOT MEDICALLY NECESSARY" read differently from what it is,
and a lone surrogate would crash the UTF-8 encoder half-way through the output.
"""

from __future__ import annotations

import re

# ANSI CSI and OSC sequences (ESC [ ... final, ESC ] ... BEL|ST), their 8-bit C1 forms (CSI 0x9b,
# OSC 0x9d), and other two-byte ESC sequences.
_ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|\x9d[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[@-Z\\-_]"
)
# C0/C1 controls except tab and newline; Unicode bidi embeddings, overrides and isolates
# (U+202A-U+202E, U+2066-U+2069); line/paragraph separators that some terminals render as breaks.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def clean(text: object) -> str:
    """The text with escapes, control and bidi-override characters removed and lone surrogates
    replaced by U+FFFD, so it can be printed and encoded as UTF-8."""
    out = _CONTROL.sub("", _ANSI.sub("", str(text)))
    return _SURROGATE.sub("\ufffd", out)


def clean_line(text: object) -> str:
    """:func:`clean`, also folding newlines and tabs to spaces (for one-line messages)."""
    return " ".join(clean(text).split())
