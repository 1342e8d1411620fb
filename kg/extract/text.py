"""Letter text: read a PDF or text letter and normalize it so spans are stable.

Positions in provenance selectors refer to the *normalized* text returned by
:func:`normalize`: spaces collapsed, line breaks inside a paragraph joined with one space,
paragraphs separated by one blank line. The same letter always normalizes the same way, so a
selector can be re-checked with ``kg extract`` on the original file.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from kg.errors import KgError


class LetterError(KgError):
    """A letter could not be read or does not look like an IMR determination letter."""


def read_letter(path: str | Path) -> str:
    """The raw text of a letter (.pdf through pypdf, an empty-password decrypt; .txt as UTF-8)."""
    path = Path(path)
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # pypdf warns on stderr about harmless quirks
    if path.suffix.lower() != ".pdf":
        return _read(path)
    try:
        from kg.letters import letter_text  # the shared reader (branch cov-meds), when merged
    except ImportError:  # pragma: no cover - depends on merge order
        letter_text = None
    if letter_text is not None:
        try:
            return letter_text(path)
        except KgError:
            raise
        except Exception as exc:  # noqa: BLE001 - one line, never a traceback
            raise LetterError(f"cannot read letter ({type(exc).__name__}: {exc})", path=path) from exc
    return _read(path)


def _read(path: Path) -> str:
    if not path.is_file():
        raise LetterError("no such file", path=path)
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        try:
            from pypdf import PdfReader

            reader = PdfReader(str(path))
            if reader.is_encrypted:
                reader.decrypt("")
            return "\n".join(page.extract_text() or "" for page in reader.pages)
        except Exception as exc:  # noqa: BLE001 - pypdf raises many types for bad files
            raise LetterError(f"cannot read PDF ({type(exc).__name__}: {exc})", path=path) from exc
    if suffix in {".txt", ".text"}:
        try:
            return path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise LetterError(f"not UTF-8 text (byte {exc.start})", path=path) from exc
    raise LetterError(f"unknown letter type {suffix!r} (expected .pdf or .txt)", path=path)


def normalize(raw: str) -> str:
    """Collapse whitespace; keep paragraph breaks as one blank line (see module docstring)."""
    raw = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    paragraphs = re.split(r"\n[ \t]*\n", raw)
    out = []
    for para in paragraphs:
        flat = " ".join(para.split())
        if flat:
            out.append(flat)
    return "\n\n".join(out)
