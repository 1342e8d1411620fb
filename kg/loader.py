"""Load RDF files safely: offline, bounded, and with errors that name the file and line.

Every command reads RDF through :func:`load_rdf`. It never touches the network: JSON-LD
contexts must be kg's own bundled ones (resolved locally), RDF/XML may not declare a DOCTYPE
or entities, and ``owl:imports`` is kept as data, never followed.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Graph

from kg.errors import LoadError
from kg.resources import bundled_contexts

# rdflib logs a traceback for each ill-typed literal; the data-quality shapes report those.
logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)

FORMATS: dict[str, str] = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "nt",
    ".ntriples": "nt",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
}


@dataclass(frozen=True)
class Limits:
    """Bounds no real case reaches; they stop a hostile file from exhausting the machine."""

    max_bytes: int = 20 * 1024 * 1024
    max_triples: int = 2_000_000


DEFAULT_LIMITS = Limits()


def format_for(path: Path) -> str:
    """The RDF format named by the file's extension."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(FORMATS))
        raise LoadError(f"unknown RDF file extension {path.suffix!r} (known: {known})", path=path)
    return fmt


def load_rdf(path: str | Path, graph: Graph | None = None, *, limits: Limits = DEFAULT_LIMITS) -> Graph:
    """Parse one RDF file into ``graph`` (a new graph if None) or raise :class:`LoadError`."""
    path = Path(path)
    fmt = format_for(path)
    try:
        raw = path.read_bytes() if path.stat().st_size <= limits.max_bytes else None
    except OSError as exc:
        raise LoadError(f"cannot read file: {exc.strerror or exc}", path=path) from None
    if raw is None:
        raise LoadError(f"file is larger than the {limits.max_bytes}-byte limit", path=path)
    text = _decode(raw, path)
    _check_content_matches(text, fmt, path)
    target = graph if graph is not None else Graph()
    scratch = Graph()
    if fmt == "json-ld":
        _parse_jsonld(text, scratch, path)
    else:
        if fmt == "xml":
            _refuse_xml_entities(text, path)
        try:
            scratch.parse(data=text, format=fmt, publicID=_base_iri(path))
        except Exception as exc:  # rdflib raises many types; each becomes one line
            raise _parse_error(exc, text, path) from None
    if len(scratch) > limits.max_triples:
        raise LoadError(f"file holds more than the {limits.max_triples}-triple limit", path=path)
    for prefix, ns in scratch.namespaces():
        target.bind(prefix, ns, override=False)
    target += scratch
    return target


def _base_iri(path: Path) -> str:
    """A base IRI for relative references that reveals no local directory."""
    return f"urn:kg:file:{path.name}#"


def _decode(raw: bytes, path: Path) -> str:
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise LoadError(f"binary data (NUL byte at byte offset {nul}); not an RDF text file", path=path)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(f"invalid UTF-8 at byte offset {exc.start}", path=path) from None


def _check_content_matches(text: str, fmt: str, path: Path) -> None:
    head = text.lstrip()[:1]
    if fmt != "json-ld" and head in ("{", "["):
        raise LoadError(f"file looks like JSON but its extension {path.suffix!r} says {fmt}; "
                        "name it .jsonld", path=path)
    if fmt == "json-ld" and head not in ("{", "["):
        raise LoadError("file has a JSON extension but does not start with '{' or '['", path=path)
    if fmt in ("turtle", "nt") and head == "<" and text.lstrip().startswith(("<?xml", "<rdf:RDF")):
        raise LoadError(f"file looks like RDF/XML but its extension {path.suffix!r} says {fmt}; "
                        "name it .rdf", path=path)


_DOCTYPE = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _refuse_xml_entities(text: str, path: Path) -> None:
    match = _DOCTYPE.search(text)
    if match:
        line = text.count("\n", 0, match.start()) + 1
        raise LoadError("RDF/XML with a DOCTYPE or entity declaration is refused "
                        "(entity expansion and external entities are unsafe)", path=path, line=line)


def _parse_jsonld(text: str, graph: Graph, path: Path) -> None:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LoadError(f"invalid JSON: {exc.msg}", path=path, line=exc.lineno, column=exc.colno) from None
    doc = _inline_contexts(doc, path)
    try:
        graph.parse(data=json.dumps(doc), format="json-ld", publicID=_base_iri(path))
    except LoadError:
        raise
    except Exception as exc:
        raise LoadError(f"invalid JSON-LD: {exc}", path=path) from None


def _inline_contexts(node: Any, path: Path) -> Any:
    """Replace references to kg's bundled contexts by their content; refuse any other remote one."""
    if isinstance(node, list):
        return [_inline_contexts(item, path) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("@context", "@import"):
            out[key] = _resolve_context(value, path)
        else:
            out[key] = _inline_contexts(value, path)
    return out


def _resolve_context(value: Any, path: Path) -> Any:
    if isinstance(value, str):
        local = bundled_contexts().get(value)
        if local is None:
            raise LoadError(f"JSON-LD context {value!r} is not one of kg's bundled contexts; "
                            "kg never fetches remote contexts (inline the context instead)", path=path)
        return json.loads(local.read_text(encoding="utf-8"))["@context"]
    if isinstance(value, list):
        return [_resolve_context(item, path) for item in value]
    if isinstance(value, dict):
        return _inline_contexts(value, path)
    return value


_LINE_IN_MESSAGE = re.compile(r"at line (\d+)")


def _parse_error(exc: Exception, text: str, path: Path) -> LoadError:
    """Turn any rdflib/SAX parse failure into one line with the file and line."""
    line = getattr(exc, "lines", None)
    if isinstance(line, int):
        line += 1
    message = str(exc)
    if hasattr(exc, "getLineNumber"):
        line = exc.getLineNumber()
        message = exc.getMessage()
    bad = re.search(r"Bad syntax \(([^)]*)\)", message)
    if bad:
        message = f"bad syntax: {bad.group(1)}"
    if line is None:
        found = _LINE_IN_MESSAGE.search(message)
        if found:
            line = int(found.group(1))
    invalid = re.match(r"Invalid line: (.*)", message, re.DOTALL)
    if invalid and line is None:
        needle = invalid.group(1).strip()
        for number, content in enumerate(text.splitlines(), start=1):
            if content.strip() == needle:
                line = number
                break
        message = "invalid N-Triples line"
    message = message.splitlines()[0] if message else type(exc).__name__
    return LoadError(message, path=path, line=line)
