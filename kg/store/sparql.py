"""Checking SPARQL text before any backend sees it: read-only, well formed, parameters bound safely.

Every backend receives the same text, checked by one parser (rdflib's), so a syntax error reads
the same whichever backend would have answered, and an update never reaches a store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib.term import Node, Variable

from kg.errors import KgError
from kg.store.terms import nt

SELECT, ASK, CONSTRUCT, DESCRIBE = "select", "ask", "construct", "describe"
_FORMS = {"SelectQuery": SELECT, "AskQuery": ASK, "ConstructQuery": CONSTRUCT, "DescribeQuery": DESCRIBE}


class QueryError(KgError):
    """A query kg will not run: malformed, an update, or a parameter that does not fit."""


@dataclass(frozen=True)
class CheckedQuery:
    """SPARQL text that parsed as a read-only query, with its form (select, ask, construct, describe)."""

    text: str
    form: str
    source: str


def check(text: str, *, source: str = "query") -> CheckedQuery:
    """Parse ``text`` as a SPARQL 1.1 query; refuse updates; errors carry line and column."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        parsed = parseQuery(text)
    except ParseException as exc:
        if _is_update(text):
            raise QueryError("SPARQL Update (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, ADD, MOVE, COPY) "
                             "is refused: kg query only reads. Load data with `kg load`.", path=source) from None
        found = re.search(r"found (.*?)\s+\(at char", str(exc))
        detail = "SPARQL syntax error in the part that starts here" + (f" ({found.group(1)})" if found else "")
        raise QueryError(detail, path=source, line=exc.lineno, column=exc.col) from None
    except Exception as exc:  # rdflib raises a few other types for bad prefixes and IRIs
        raise QueryError(f"SPARQL error: {exc}", path=source) from None
    blank = _strip(text)
    if _SERVICE.search(blank):
        raise QueryError("SERVICE is refused: kg contacts no endpoint but the one you name with --endpoint",
                         path=source)
    if _FROM.search(blank):
        raise QueryError("FROM / FROM NAMED is refused (rdflib would fetch the graph from the web); "
                         "use GRAPH <name> { ... } to pick a graph", path=source)
    form = _FORMS.get(getattr(parsed[1], "name", ""), "")
    if not form:
        raise QueryError("not a SELECT, ASK, CONSTRUCT or DESCRIBE query", path=source)
    return CheckedQuery(text=text, form=form, source=source)


def _is_update(text: str) -> bool:
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parseUpdate(text)
    except (ParseException, Exception):  # noqa: BLE001 - any failure means "not an update"
        return bool(_UPDATE_WORD.search(_strip(text)))
    return True


_SERVICE = re.compile(r"(?<![:\w?$])SERVICE\b", re.IGNORECASE)
_FROM = re.compile(r"(?<![:\w?$])FROM\b", re.IGNORECASE)
_UPDATE_WORD = re.compile(r"^\s*(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b",
                          re.IGNORECASE | re.MULTILINE)

# Lexical pieces that may hide braces or the word WHERE: comments, strings, IRIs.
_SKIP = re.compile(r'#[^\n]*|"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
                   r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\x00-\x20]*>')


def _strip(text: str) -> str:
    """``text`` with comments, strings and IRIs blanked out, positions kept."""
    return _SKIP.sub(lambda m: " " * len(m.group(0)), text)


def bind(query: CheckedQuery, values: dict[str, Node]) -> CheckedQuery:
    """Bind variables with a VALUES block at the top of the outermost WHERE group.

    Values are RDF terms written in N-Triples form (escaped, IRIs checked), never user text
    pasted into the query, and the result is parsed again before it runs.
    """
    if not values:
        return query
    blank = _strip(query.text)
    where = re.search(r"(?<![:\w?$])WHERE\s*\{", blank, re.IGNORECASE)
    if where is None:  # ASK { ... } and DESCRIBE without WHERE: the first group
        where = re.search(r"\{", blank) if query.form == ASK else None
    if where is None:
        raise QueryError("cannot bind parameters: the query has no WHERE clause", path=query.source)
    names = " ".join(Variable(name).n3() for name in values)
    row = " ".join(nt(term) for term in values.values())
    block = f" VALUES ({names}) {{ ({row}) }} "
    at = where.end()
    return check(query.text[:at] + block + query.text[at:], source=query.source)
