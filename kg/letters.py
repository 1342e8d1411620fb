"""Reading IMR final-determination letters (PDF) into text and their disputed items.

The letters are encrypted with an empty password; pypdf needs ``cryptography`` for that.
Letters are health records: nothing here logs or prints their contents.
"""

from __future__ import annotations

import re
from pathlib import Path

from kg.errors import KgError

__all__ = ["letter_text", "disputed_item_lines", "ISSUES_HEADING"]

#: The heading of the letter section that lists each disputed item with its decision.
ISSUES_HEADING = "IMR ISSUES, DECISIONS AND RATIONALES"

_DECISION = re.compile(r"^(?P<item>.*?)\s*:\s*(?P<decision>Upheld|Overturned)\s*$", re.DOTALL)
# "... The remaining IMR eligible portion of the original request, <item> is: Upheld" and
# "... leaving the original request IMR eligible. The original request, <item> is: Upheld".
_ORIGINAL_REQUEST = re.compile(r"original request,\s*(?P<item>.+?)\s+is$", re.DOTALL | re.IGNORECASE)
_BLANK = re.compile(r"\n[ \t\r\f\v]*\n")


def letter_text(path: str | Path) -> str:
    """Return the plain text of a letter PDF, pages joined by newlines.

    Raises KgError (naming the file) if the file is missing or is not a readable PDF, so the
    CLI can print one line instead of a traceback.
    """
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise KgError("reading letters needs pypdf (pip install pypdf cryptography)", path=path) from exc
    p = Path(path)
    try:
        reader = PdfReader(p)
        if reader.is_encrypted:
            reader.decrypt("")
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except FileNotFoundError as exc:
        raise KgError("no such file", path=p) from exc
    except (PdfReadError, ValueError, OSError) as exc:
        raise KgError(f"not a readable PDF letter ({type(exc).__name__})", path=p) from exc


def disputed_item_lines(text: str) -> list[tuple[str, str]]:
    """Return (item text, "Upheld"|"Overturned") for each disputed item of a letter, in order.

    Items are the paragraphs of the "IMR ISSUES, DECISIONS AND RATIONALES" section that end in
    ": Upheld" or ": Overturned"; an item may wrap over several lines or put the decision on a
    line of its own. For partially authorized requests only the IMR-eligible remainder (the
    text after "original request,") is returned. Whitespace is collapsed to single spaces.
    """
    start = text.find(ISSUES_HEADING)
    if start < 0:
        return []
    section = text[start + len(ISSUES_HEADING):]
    items: list[tuple[str, str]] = []
    for paragraph in _BLANK.split(section):
        flat = " ".join(paragraph.split())
        m = _DECISION.match(flat)
        if not m:
            continue
        item = m.group("item")
        orig = _ORIGINAL_REQUEST.search(item)
        if orig:
            item = orig.group("item")
        items.append((item.strip(), m.group("decision")))
    return items
