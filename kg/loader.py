"""Load RDF files safely: offline, bounded, time-boxed, with errors that name the file and line.

Every command reads RDF through :func:`load_rdf`. Case files come from many hands (claims-system
exports, hand-written Turtle, JSON-LD from other tools, text scraped from PDFs); some are broken
and some hostile. So the loader:

* reads only regular files, at most ``max_bytes`` of them, as strict UTF-8 text — NUL bytes,
  other control bytes and invalid UTF-8 are refused with the byte offset;
* checks the content against the format the extension names (JSON in a ``.ttl`` file, XML in a
  ``.nt`` file, ... each get a clear message);
* refuses RDF/XML with a DOCTYPE or entity declaration (no entity expansion, no external
  entities), and checks XML well-formedness and nesting depth with expat before rdflib sees it;
* never touches the network or the file system beyond the file itself: JSON-LD ``@context`` and
  ``@import`` must be one of kg's bundled contexts (resolved locally), named graphs (whose
  triples rdflib would silently drop) are refused, ``owl:imports`` is kept as plain data;
* bounds nesting depth before parsing, parse time (``timeout``, a SIGALRM time box on the main
  thread; kg.api and kg.batch give the SHACL run of each file the same box), triple count and
  literal length after parsing, and refuses lone surrogates.

The limits come from :class:`Limits`; commands set them for a whole run with
:func:`limits_in_effect` (the CLI's ``--max-*`` flags). kg's own bundled files are trusted and
always read with the defaults.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import signal
import stat
import threading
import warnings
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.parsers import expat

import rdflib
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from kg.errors import LoadError
from kg.render.safe import clean_line
from kg.resources import bundled_contexts, ontology_dir, shapes_dir

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
    """Bounds no real case reaches; they stop a hostile file from exhausting the machine.

    A real case file is a few kilobytes and a few hundred triples; the longest literal is a
    pasted letter of some tens of kilobytes; Turtle/JSON nesting rarely exceeds five levels.
    """

    max_bytes: int = 10 * 1024 * 1024
    max_triples: int = 100_000
    max_literal: int = 1_000_000
    max_depth: int = 64
    timeout: float = 30.0


DEFAULT_LIMITS = Limits()
_ACTIVE: ContextVar[Limits] = ContextVar("kg_limits", default=DEFAULT_LIMITS)


def active_limits() -> Limits:
    """The limits case files are loaded with in the current context."""
    return _ACTIVE.get()


@contextlib.contextmanager
def limits_in_effect(limits: Limits) -> Iterator[Limits]:
    """Load every case file inside the block with ``limits`` (used by the CLI's flags)."""
    token = _ACTIVE.set(limits)
    try:
        yield limits
    finally:
        _ACTIVE.reset(token)


def format_for(path: Path) -> str:
    """The RDF format named by the file's extension."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(FORMATS))
        raise LoadError(f"unknown RDF file extension {path.suffix!r} (known: {known})", path=path)
    return fmt


def load_rdf(path: str | Path, graph: Graph | None = None, *, limits: Limits | None = None) -> Graph:
    """Parse one RDF file into ``graph`` (a new graph if None) or raise :class:`LoadError`.

    ``graph`` is only changed when the whole file loaded within the limits.
    """
    path = Path(path)
    trusted = _is_bundled(path)
    if limits is None:
        limits = DEFAULT_LIMITS if trusted else active_limits()
    fmt = format_for(path)
    raw = _read(path, limits)
    text = _decode(raw, path)
    _check_content_matches(text, fmt, path)
    scratch = Graph()
    with time_box(limits.timeout, path), _lexical_forms_kept(not trusted):
        if fmt == "json-ld":
            _parse_jsonld(text, scratch, path, limits)
        else:
            if fmt == "xml":
                _check_xml(text, path, limits)
            else:
                _check_depth(text, path, limits, json_mode=False)
            try:
                scratch.parse(data=text, format=fmt, publicID=_base_iri(path))
            except LoadError:
                raise
            except RecursionError:
                raise LoadError("nesting too deep to parse", path=path) from None
            except Exception as exc:  # rdflib raises many types; each becomes one line
                error = _parse_error(exc, text, path)
                if fmt == "nt" and error.line is None:
                    error = LoadError("invalid N-Triples line", path=path, line=_bad_nt_line(text))
                raise error from None
    _check_terms(scratch, text, path, limits)
    target = graph if graph is not None else Graph()
    for prefix, ns in scratch.namespaces():
        if not _BAD_IRI.search(str(ns)):
            target.bind(prefix, ns, override=False)
    target += scratch
    return target


def _is_bundled(path: Path) -> bool:
    """kg's own guideline and shape files (not the example cases): trusted, default limits."""
    try:
        resolved = path.resolve()
        return any(resolved.is_relative_to(d.resolve()) for d in (ontology_dir(), shapes_dir()))
    except OSError:
        return False


def _base_iri(path: Path) -> str:
    """A base IRI for relative references that reveals no local directory."""
    return f"urn:kg:file:{path.name}#"


def _read(path: Path, limits: Limits) -> bytes:
    """At most ``max_bytes`` of a regular file (a FIFO or device could block or never end)."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise LoadError("not a regular file", path=path)
        if info.st_size > limits.max_bytes:
            raise LoadError(f"file is larger than the {limits.max_bytes}-byte limit (--max-bytes)", path=path)
        with path.open("rb") as handle:
            raw = handle.read(limits.max_bytes + 1)
    except OSError as exc:
        raise LoadError(f"cannot read file: {exc.strerror or exc}", path=path) from None
    if len(raw) > limits.max_bytes:
        raise LoadError(f"file is larger than the {limits.max_bytes}-byte limit (--max-bytes)", path=path)
    return raw


_BINARY = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _decode(raw: bytes, path: Path) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LoadError("file is UTF-16 (byte-order mark at byte offset 0); kg reads UTF-8 only", path=path, line=1)
    bad = _BINARY.search(raw)
    if bad:
        what = "NUL byte" if bad.group() == b"\x00" else f"control byte 0x{bad.group()[0]:02x}"
        line = raw.count(b"\n", 0, bad.start()) + 1
        raise LoadError(f"binary data ({what} at byte offset {bad.start()}); not an RDF text file",
                        path=path, line=line)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise LoadError(f"invalid UTF-8 at byte offset {exc.start}", path=path, line=line) from None


def _check_content_matches(text: str, fmt: str, path: Path) -> None:
    stripped = text.lstrip()
    head = stripped[:1]
    if fmt != "json-ld" and head in ("{", "["):
        if fmt == "turtle" and head == "[":
            return  # a Turtle file may start with an anonymous blank node
        raise LoadError(f"file looks like JSON but its extension {path.suffix!r} says {fmt}; "
                        "name it .jsonld", path=path)
    if fmt == "json-ld" and head not in ("{", "["):
        raise LoadError("file has a JSON extension but does not start with '{' or '['", path=path)
    if fmt in ("turtle", "nt") and stripped.startswith(("<?xml", "<rdf:RDF", "<!")):
        raise LoadError(f"file looks like XML but its extension {path.suffix!r} says {fmt}; "
                        "name it .rdf", path=path)
    if fmt == "xml" and head and head != "<":
        raise LoadError(f"file does not look like RDF/XML (it does not start with '<') although its "
                        f"extension is {path.suffix!r}; name Turtle .ttl", path=path)


@contextlib.contextmanager
def _lexical_forms_kept(keep: bool) -> Iterator[None]:
    """Keep literals as written while parsing a case file.

    rdflib normally rewrites a literal to its canonical form, so "2015-07-15T10:00:00"^^xsd:date
    would silently become "2015-07-15" and no data-quality shape could see the ill-typed value.
    """
    with _NORMALIZE_LOCK:  # rdflib's switch is process-wide: one parse at a time flips it
        previous = rdflib.NORMALIZE_LITERALS
        rdflib.NORMALIZE_LITERALS = not keep and previous
        try:
            yield
        finally:
            rdflib.NORMALIZE_LITERALS = previous


_NORMALIZE_LOCK = threading.RLock()


# --- time box ------------------------------------------------------------------------------

class _TimedOut(BaseException):
    """Raised by the alarm; a BaseException so rdflib's ``except Exception`` cannot swallow it."""


@contextlib.contextmanager
def time_box(seconds: float, path: str | Path, what: str = "parsing") -> Iterator[None]:
    """Abort the block after ``seconds`` with a one-line LoadError naming ``path`` (SIGALRM; only
    possible on the main thread of a POSIX process — elsewhere the byte, depth and entity limits
    still bound the work). ``what`` names the work in the message: parsing, or validation (a
    small crafted case can make the SHACL run itself slow; see kg.api.validate)."""
    usable = (seconds > 0 and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return

    def _alarm(signum: int, frame: object) -> None:
        raise _TimedOut()

    previous = signal.signal(signal.SIGALRM, _alarm)
    old_timer = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _TimedOut:
        raise LoadError(f"{what} took longer than the {seconds:g}-second limit (--timeout)", path=path) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if old_timer[0] > 0:  # an outer time box keeps running
            signal.setitimer(signal.ITIMER_REAL, *old_timer)


# --- nesting depth ---------------------------------------------------------------------------

_SPECIAL_TTL = re.compile(r"""[\[\](){}"'<#]""")
_SPECIAL_JSON = re.compile(r'[\[\]{}"]')


def _check_depth(text: str, path: Path, limits: Limits, *, json_mode: bool) -> None:
    """Refuse bracket nesting deeper than ``max_depth`` (outside strings, IRIs and comments).

    rdflib's Turtle parser and Python's json module recurse per level: a few thousand ``[``
    would end in a RecursionError deep inside them. The scan jumps from one special character
    to the next, so it costs little even on a file at the size limit.
    """
    special = _SPECIAL_JSON if json_mode else _SPECIAL_TTL
    depth = 0
    n = len(text)
    found = special.search(text, 0)
    while found:
        i = found.start()
        ch = text[i]
        nxt = i + 1
        if ch in "[({":
            depth += 1
            if depth > limits.max_depth:
                raise LoadError(f"nesting deeper than the {limits.max_depth}-level limit (--max-depth)",
                                path=path, line=text.count("\n", 0, i) + 1)
        elif ch in "])}":
            depth = max(0, depth - 1)
        elif ch in "\"'":
            long = not json_mode and text.startswith(ch * 3, i)
            nxt = _string_end(text, i, ch * 3 if long else ch)
        elif ch == "<":
            end = text.find(">", i)
            if end >= 0 and "\n" not in text[i:end]:
                nxt = end + 1
        elif ch == "#":
            end = text.find("\n", i)
            nxt = n if end < 0 else end
        found = special.search(text, nxt)


def _string_end(text: str, start: int, quote: str) -> int:
    """The index just after the string starting at ``start`` (or where it breaks off)."""
    stop = re.compile(re.escape(quote) + r"|\\." + ("" if len(quote) == 3 else r"|\n"), re.DOTALL)
    i = start + len(quote)
    while True:
        found = stop.search(text, i)
        if found is None:
            return len(text)
        token = found.group()
        if token.startswith("\\") and token != quote:
            i = found.end()
            continue
        if token == "\n":
            return found.start()  # an unterminated short string: let the parser report it
        return found.end()


def _check_xml(text: str, path: Path, limits: Limits) -> None:
    """Refuse DOCTYPE/ENTITY declarations and deep nesting, and check well-formedness, with expat."""
    found = _DOCTYPE.search(text)
    if found:
        line = text.count("\n", 0, found.start()) + 1
        raise LoadError("RDF/XML with a DOCTYPE or entity declaration is refused "
                        "(entity expansion and external entities are unsafe)", path=path, line=line)
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    depth = 0

    def refuse(*_: object) -> None:
        raise LoadError("RDF/XML with a DOCTYPE or entity declaration is refused "
                        "(entity expansion and external entities are unsafe)",
                        path=path, line=parser.CurrentLineNumber, column=parser.CurrentColumnNumber + 1)

    def start(*_: object) -> None:
        nonlocal depth
        depth += 1
        if depth > limits.max_depth:
            raise LoadError(f"nesting deeper than the {limits.max_depth}-level limit (--max-depth)",
                            path=path, line=parser.CurrentLineNumber)

    def end(*_: object) -> None:
        nonlocal depth
        depth -= 1

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse  # type: ignore[assignment]
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(text.encode("utf-8"), True)
    except expat.ExpatError as exc:
        raise LoadError(f"invalid XML: {expat.errors.messages[exc.code]}", path=path,
                        line=exc.lineno, column=exc.offset + 1) from None


_DOCTYPE = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


# --- JSON-LD ---------------------------------------------------------------------------------

def _parse_jsonld(text: str, graph: Graph, path: Path, limits: Limits) -> None:
    _check_depth(text, path, limits, json_mode=True)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LoadError(f"invalid JSON: {exc.msg}", path=path, line=exc.lineno, column=exc.colno) from None
    except RecursionError:
        raise LoadError("nesting too deep to parse", path=path) from None
    doc = _inline_contexts(doc, path)
    dataset = Dataset()
    try:
        with warnings.catch_warnings():  # rdflib's JSON-LD parser uses its own deprecated APIs
            warnings.simplefilter("ignore", DeprecationWarning)
            dataset.parse(data=json.dumps(doc), format="json-ld", publicID=_base_iri(path))
    except LoadError:
        raise
    except Exception as exc:
        raise LoadError(f"invalid JSON-LD: {' '.join(str(exc).split())[:200]}", path=path) from None
    for named in dataset.graphs():
        if named.identifier != DATASET_DEFAULT_GRAPH_ID and len(named):
            raise LoadError("JSON-LD named graphs are not supported (their facts would be lost); "
                            "put the case in the default graph", path=path)
    for triple in dataset.default_graph:
        graph.add(triple)
    for prefix, ns in dataset.namespaces():
        graph.bind(prefix, ns, override=False)


def _inline_contexts(node: Any, path: Path) -> Any:
    """Replace references to kg's bundled contexts by their content; refuse any other remote one."""
    if isinstance(node, list):
        return [_inline_contexts(item, path) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("@context", "@import"):
            out[key] = _resolve_context(value, path, key)
        else:
            out[key] = _inline_contexts(value, path)
    return out


def _resolve_context(value: Any, path: Path, key: str) -> Any:
    if isinstance(value, str):
        local = bundled_contexts().get(value)
        if local is None:
            raise LoadError(f"JSON-LD {key} {value[:200]!r} is not one of kg's bundled contexts; "
                            "kg never fetches contexts from the network or the file system "
                            "(inline the context instead)", path=path)
        context = json.loads(local.read_text(encoding="utf-8"))["@context"]
        return context
    if isinstance(value, list):
        return [_resolve_context(item, path, key) for item in value]
    if isinstance(value, dict):
        return _inline_contexts(value, path)
    return value


# --- after parsing ---------------------------------------------------------------------------

def _check_terms(graph: Graph, text: str, path: Path, limits: Limits) -> None:
    """Triple count, term length and valid Unicode (lone surrogates come from \\u escapes)."""
    if len(graph) > limits.max_triples:
        raise LoadError(f"file holds more than the {limits.max_triples}-triple limit (--max-triples)", path=path)
    for triple in graph:
        for term in triple:
            value = str(term)
            if len(value) > limits.max_literal:
                kind = "literal" if isinstance(term, Literal) else "IRI"
                raise LoadError(f"a {kind} is longer than the {limits.max_literal}-character limit "
                                "(--max-literal)", path=path, line=_line_of(text, value[:40]))
            iri = str(term.datatype) if isinstance(term, Literal) and term.datatype else (
                value if isinstance(term, URIRef) else "")
            if iri and _BAD_IRI.search(iri):
                raise LoadError(f"invalid IRI <{clean_line(iri)[:80]}>: IRIs may not contain spaces, quotes, "
                                "angle or curly brackets, '|', '^', '`' or backslashes", path=path,
                                line=_line_of(text, iri))
            if _SURROGATE.search(value):
                raise LoadError("a literal or IRI holds a lone surrogate (an escape such as \\uD800), "
                                "which is not valid Unicode", path=path, line=_surrogate_line(text))


_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Characters RFC 3987 / Turtle's IRIREF exclude; rdflib's parsers let some through, and such an
# IRI later breaks SPARQL and Turtle serialization deep inside the SHACL engine.
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _line_of(text: str, needle: str) -> int | None:
    found = text.find(needle) if needle else -1
    return text.count("\n", 0, found) + 1 if found >= 0 else None


def _surrogate_line(text: str) -> int | None:
    found = _SURROGATE_ESCAPE.search(text)
    return text.count("\n", 0, found.start()) + 1 if found else None


def _bad_nt_line(text: str) -> int | None:
    """The first line that does not parse on its own (N-Triples lines are independent)."""
    for number, content in enumerate(text.splitlines(), start=1):
        if not content.strip() or content.lstrip().startswith("#"):
            continue
        try:
            Graph().parse(data=content + "\n", format="nt")
        except Exception:  # noqa: BLE001 - any failure marks the line
            return number
    return None


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
    return LoadError(message[:300], path=path, line=line)
