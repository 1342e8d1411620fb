"""Run a SHACL engine: data graph and shapes graph in, validation report graph out.

Three engines give the same report for kg's shapes (tests/test_engines.py checks it):

* ``pyshacl`` (default) - the reference. kg parses each SPARQL query once per process instead of
  once per evaluation (rdflib's parser dominated pySHACL's time); results are unchanged because
  the same query text, namespaces and bindings are evaluated by the same rdflib engine.
* ``turbo`` - pyshacl-turbo, a Rust engine behind pySHACL's API; runs SHACL-SPARQL components.
* ``rudof`` - pyrudof. It runs ``sh:sparql`` constraints but silently ignores SPARQL-based
  constraint components (``sh:ConstraintComponent`` with ``sh:SPARQLAskValidator``): every kg
  criterion would pass. kg therefore gives rudof a translated shapes graph in which each
  component instance becomes the equivalent ``sh:sparql`` SELECT constraint (see
  :func:`translate_components`), and refuses any component it cannot translate.

An :class:`Engine` holds the shapes prepared once; workers of a batch keep one per process.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.query import Result
from rdflib.term import Node

from kg.errors import KgError
from kg.namespaces import RDF, SH

ENGINES = ("pyshacl", "turbo", "rudof")

_PYSHACL_OPTIONS: dict[str, Any] = dict(
    inference="none",
    advanced=False,
    abort_on_first=False,
    allow_warnings=True,
    allow_infos=True,
    meta_shacl=False,
    inplace=True,
    do_owl_imports=False,
    js=False,
)


class EngineUnavailable(KgError):
    """The requested SHACL engine is not installed or cannot run kg's shapes."""


def available_engines() -> tuple[str, ...]:
    """The engines whose Python package is importable here."""
    out = []
    for name, module in (("pyshacl", "pyshacl"), ("turbo", "pyshacl_turbo"), ("rudof", "pyrudof")):
        try:
            __import__(module)
        except ImportError:
            continue
        out.append(name)
    return tuple(out)


def engine_version(engine: str = "pyshacl") -> str:
    """Name and version of the engine, for provenance."""
    from importlib.metadata import version

    package = {"pyshacl": "pyshacl", "turbo": "pyshacl-turbo", "rudof": "pyrudof"}.get(engine)
    if package is None:
        raise ValueError(f"unknown SHACL engine {engine!r}")
    return f"{package} {version(package)}"


def run_shacl(data: Graph, shapes: Graph, *, engine: str = "pyshacl") -> Graph:
    """Validate ``data`` against ``shapes`` and return the SHACL validation report graph.

    SHACL Core and SHACL-SPARQL only: no inference, no advanced features, no imports, so any
    conformant engine given the same graphs reports the same results.
    """
    return get_engine(engine, shapes).validate(data)


class Engine:
    """A SHACL engine with its shapes prepared once, validating one data graph at a time."""

    name = "abstract"

    def validate(self, data: Graph) -> Graph:  # pragma: no cover - interface
        raise NotImplementedError


#: (engine name, id of the shapes graph) -> (shapes graph, engine); the graph is kept alive so
#: its id cannot be reused by another graph.
_ENGINE_CACHE: dict[tuple[str, int], tuple[Graph, Engine]] = {}


def get_engine(name: str, shapes: Graph) -> Engine:
    """The engine ``name`` prepared for ``shapes`` (cached per process and shapes graph)."""
    key = (name, id(shapes))
    cached = _ENGINE_CACHE.get(key)
    if cached is None:
        factories: dict[str, Callable[[Graph], Engine]] = {
            "pyshacl": PyshaclEngine,
            "turbo": lambda g: SplitEngine(g, TurboEngine),
            "rudof": lambda g: SplitEngine(g, RudofEngine)}
        if name not in factories:
            raise ValueError(f"unknown SHACL engine {name!r}")
        cached = _ENGINE_CACHE[key] = (shapes, factories[name](shapes))
    return cached[1]


# --- pyshacl ---------------------------------------------------------------------------------

@lru_cache(maxsize=4096)
def _prepared(text: str, namespaces: tuple[tuple[str, str], ...]) -> Any:
    return prepareQuery(text, initNs=dict(namespaces))


class _ParsedOnceGraph(Graph):
    """A view of a data graph (same store, no copy) that parses each SPARQL text only once.

    rdflib's ``Graph.query`` parses and translates the query string on every call with the
    graph's namespaces as ``initNs``; here the translated query is cached by (text, namespaces)
    and then evaluated exactly as rdflib would, with the same ``initBindings``.
    """

    _ns_key: tuple[tuple[str, str], ...] | None = None

    def query(self, query_object: Any, processor: Any = "sparql", result: Any = "sparql",
              initNs: Any = None, initBindings: Any = None,  # noqa: N803 - rdflib's names
              use_store_provided: bool = True, **kwargs: Any) -> Result:
        if isinstance(query_object, str) and processor == "sparql" and not kwargs:
            if initNs is None:
                if self._ns_key is None:
                    self._ns_key = tuple(sorted((p, str(n)) for p, n in self.namespaces()))
                key = self._ns_key
            else:
                key = tuple(sorted((p, str(n)) for p, n in dict(initNs).items()))
            query_object = _prepared(query_object, key)
        return super().query(query_object, processor, result, initNs, initBindings, use_store_provided,
                             **kwargs)


class PyshaclEngine(Engine):
    """pySHACL, the reference engine."""

    name = "pyshacl"

    def __init__(self, shapes: Graph) -> None:
        self.shapes = shapes

    def validate(self, data: Graph) -> Graph:
        import pyshacl

        view = data if isinstance(data, _ParsedOnceGraph) else _ParsedOnceGraph(
            store=data.store, identifier=data.identifier, namespace_manager=data.namespace_manager)
        _conforms, report, _text = pyshacl.validate(view, shacl_graph=self.shapes, **_PYSHACL_OPTIONS)
        return report


def naive_pyshacl(data: Graph, shapes: Graph) -> Graph:
    """One plain ``pyshacl.validate`` call, as a user would write it (the benchmark baseline)."""
    import pyshacl

    _conforms, report, _text = pyshacl.validate(data, shacl_graph=shapes, **_PYSHACL_OPTIONS)
    return report


# --- pyshacl-turbo ----------------------------------------------------------------------------

class TurboEngine(Engine):
    """pyshacl-turbo: shapes compiled once, each data graph validated natively."""

    name = "turbo"

    def __init__(self, shapes: Graph) -> None:
        try:
            import pyshacl_turbo
        except ImportError:
            raise EngineUnavailable("engine 'turbo' needs the pyshacl-turbo package "
                                    "(pip install pyshacl-turbo)") from None
        self._compiled = pyshacl_turbo.compile_shapes(shapes)

    def validate(self, data: Graph) -> Graph:
        _conforms, report, _text = self._compiled.validate(
            data, inplace=False, allow_infos=True, allow_warnings=True, abort_on_first=False)
        return report


# --- rudof ------------------------------------------------------------------------------------

_VAR = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def _sparql_term(node: Node) -> str:
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        return node.n3()
    raise EngineUnavailable(f"cannot translate a blank-node parameter value {node!r} for rudof")


def query_prefixes(shapes: Graph, holder: Node) -> str:
    """PREFIX lines for the ``sh:prefixes`` declarations of a SPARQL constraint or validator."""
    lines = []
    for ontology in shapes.objects(holder, SH.prefixes):
        for decl in shapes.objects(ontology, SH.declare):
            prefix = shapes.value(decl, SH.prefix)
            namespace = shapes.value(decl, SH.namespace)
            if prefix is not None and namespace is not None:
                lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(sorted(set(lines)))


def translate_components(shapes: Graph) -> Graph:
    """A copy of ``shapes`` where every use of a SPARQL-based constraint component is replaced
    by the equivalent ``sh:sparql`` SELECT constraint, for engines without component support.

    An ASK validator reports a violation for value node ``$this`` when the ASK is false; the
    SELECT ``SELECT $this WHERE { FILTER NOT EXISTS { <ask body> } }`` returns a row exactly
    then. Parameters are substituted as constants; ``$this`` stays pre-bound by the engine.
    Only ASK validators on node shapes (kg's pattern: ``sh:node [ kgc:param value ]``) are
    translated; anything else is refused rather than silently skipped.
    """
    for text in shapes.objects(None, SH.select):
        if re.search(r"\b(isBlank|isIRI|isURI)\s*\(", str(text)):
            raise EngineUnavailable("rudof: a SPARQL constraint tests whether a node is blank; kg's "
                                    "blank-node naming for rudof would change its result")
    for shape in shapes.subjects(SH.nodeKind, None):
        if (None, SH.parameter, shape) not in shapes:
            raise EngineUnavailable("rudof: a shape uses sh:nodeKind; kg's blank-node naming for "
                                    "rudof would change its result")
    out = Graph()
    for prefix, ns in shapes.namespaces():
        out.bind(prefix, ns)
    out += shapes
    for component in sorted(shapes.subjects(RDF.type, SH.ConstraintComponent), key=str):
        params: list[tuple[URIRef, bool]] = []
        for param in shapes.objects(component, SH.parameter):
            path = shapes.value(param, SH.path)
            if not isinstance(path, URIRef):
                raise EngineUnavailable(f"rudof: constraint component {component} has a parameter without a path")
            params.append((path, shapes.value(param, SH.optional) == Literal(True)))
        validators = [shapes.value(component, prop) for prop in (SH.validator, SH.nodeValidator,
                                                                  SH.propertyValidator)]
        validators = [v for v in validators if v is not None]
        ask = shapes.value(validators[0], SH.ask) if len(validators) == 1 else None
        if not params or ask is None or not str(ask).strip().upper().startswith("ASK"):
            raise EngineUnavailable(f"rudof: cannot translate constraint component {component} "
                                    "(kg translates components with one sh:SPARQLAskValidator only)")
        _translate_uses(shapes, out, sorted(params), str(ask).strip()[3:].strip(),
                        query_prefixes(shapes, validators[0]), shapes.value(validators[0], SH.message))
    for component in list(out.subjects(RDF.type, SH.ConstraintComponent)):
        todo = [component]
        while todo:  # the component with its parameter and validator nodes
            node = todo.pop()
            for triple in list(out.triples((node, None, None))):
                out.remove(triple)
                if isinstance(triple[2], BNode):
                    todo.append(triple[2])
    return out


def _translate_uses(shapes: Graph, out: Graph, params: list[tuple[URIRef, bool]], where: str, prefixes: str,
                    message: Node | None) -> None:
    """Replace each use of one component (a shape with values for all its mandatory parameters;
    one constraint per combination of values) by a SELECT constraint; unset optional parameters
    stay unbound variables, as in SHACL-SPARQL."""
    import itertools

    mandatory = [path for path, optional in params if not optional]
    holders = set.intersection(*(set(shapes.subjects(path, None)) for path in mandatory)) if mandatory else \
        set().union(*(set(shapes.subjects(path, None)) for path, _ in params))
    for shape in sorted(holders, key=str):
        if (shape, RDF.type, SH.ConstraintComponent) in shapes:
            continue
        present = [(path, sorted(shapes.objects(shape, path), key=str)) for path, _ in params]
        present = [(path, values) for path, values in present if values]
        for combo in itertools.product(*(values for _path, values in present)):
            binding = {_local_name(path): value for (path, _values), value in zip(present, combo, strict=True)}
            body = _VAR.sub(lambda m, b=binding: _sparql_term(b[m.group(1)]) if m.group(1) in b else m.group(0),
                            where)
            constraint = BNode()
            out.add((shape, SH.sparql, constraint))
            out.add((constraint, RDF.type, SH.SPARQLConstraint))
            out.add((constraint, SH.select, Literal(f"{prefixes}\nSELECT $this WHERE {{ FILTER NOT EXISTS {body} }}")))
            if message is not None:
                text = str(message)
                for name, value in binding.items():
                    text = text.replace("{$" + name + "}", str(value))
                out.add((constraint, SH.message, Literal(text)))
        for path, values in present:
            for value in values:
                out.remove((shape, path, value))


def _local_name(iri: URIRef) -> str:
    return str(iri).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


class RudofEngine(Engine):
    """rudof (pyrudof) over the translated shapes graph; data handed over as N-Triples."""

    name = "rudof"

    def __init__(self, shapes: Graph) -> None:
        try:
            import pyrudof
        except ImportError:
            raise EngineUnavailable("engine 'rudof' needs the pyrudof package (pip install pyrudof)") from None
        self._pyrudof = pyrudof
        self._rudof = pyrudof.Rudof(pyrudof.RudofConfig())
        translated = translate_components(shapes)
        # Blank shape nodes get names too: rudof's report would otherwise carry its own labels
        # for them in sh:sourceShape, and kg's decision step finds a conflict shape by climbing
        # from a nested (blank) property shape to its parent.
        self._shape_back: dict[URIRef, BNode] = {}
        named = Graph()
        for prefix, ns in translated.namespaces():
            named.bind(prefix, ns)
        shape_nodes = {o for o in translated.objects(None, SH.property) if isinstance(o, BNode)}
        shape_nodes |= {o for o in translated.objects(None, SH.node) if isinstance(o, BNode)}
        for node in shape_nodes:
            self._shape_back[URIRef(_SKOLEM + "shape-" + str(node))] = node
        forward = {v: k for k, v in self._shape_back.items()}
        for s_, p_, o_ in translated:
            named.add((forward.get(s_, s_), p_, forward.get(o_, o_)))
        self._shapes_text = named.serialize(format="turtle")
        self._shapes_loaded = False

    def validate(self, data: Graph) -> Graph:
        rudof, pr = self._rudof, self._pyrudof
        skolem = _Skolem(dict(self._shape_back))
        rudof.reset_data()
        rudof.read_data(skolem.ntriples(data), format=pr.RDFFormat.NTriples)
        if not self._shapes_loaded:
            rudof.read_shacl(self._shapes_text)
            self._shapes_loaded = True
        rudof.validate_shacl()
        text = rudof.serialize_shacl_validation_results(format=pr.ResultShaclValidationFormat.NTriples)
        return skolem.restore(Graph().parse(data=text, format="nt"))


_SKOLEM = "urn:kg:skolem:"


class _Skolem:
    """Blank nodes of the data as IRIs and back.

    rudof pre-binds ``$this`` with a VALUES clause, which cannot hold a blank node, so a SPARQL
    constraint on a blank focus node (a case's ``kg:urDecision [ ... ]``) fails to run. kg's
    shapes never test whether a node is blank (``translate_components`` refuses shapes that
    do), so naming the blank nodes changes no result; the report gets them back.
    """

    def __init__(self, back: dict[URIRef, BNode] | None = None) -> None:
        self._back: dict[URIRef, BNode] = back or {}

    def _out(self, node: Node) -> Node:
        if isinstance(node, BNode):
            iri = URIRef(_SKOLEM + str(node))
            self._back[iri] = node
            return iri
        return node

    def _in(self, node: Node) -> Node:
        return self._back.get(node, node) if isinstance(node, URIRef) else node

    def ntriples(self, data: Graph) -> str:
        lines = []
        for s, p, o in data:
            lines.append(f"{self._out(s).n3()} {p.n3()} {self._out(o).n3()} .")
        return "\n".join(lines) + "\n"

    def restore(self, report: Graph) -> Graph:
        out = Graph()
        for s, p, o in report:
            out.add((self._in(s), p, self._in(o)))
        return out


# --- shapes the Rust engines evaluate wrongly -------------------------------------------------

_SHAPE_TARGETS = (SH.targetNode, SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf)


def fragile_arithmetic(text: str) -> bool:
    """Whether a SPARQL query has arithmetic that rudof 0.3.35 and pyshacl-turbo 0.6.5 evaluate
    differently from the SPARQL grammar (found by kg's differential tests):

    * a subtraction followed by further additive terms (``a - b - c``, ``a - b + c``): they
      group it as ``a - (b - c)``;
    * a parenthesised sum used as an operand (``(a - b) * 12``): the parentheses are lost
      (rudof computes ``(2017 - 2016) * 12`` as ``-22175``).
    """
    from rdflib.plugins.sparql.parserutils import CompValue

    try:
        algebra = prepareQuery(text).algebra
    except Exception:  # noqa: BLE001 - a query kg cannot analyse is treated as fragile
        return True
    found = False

    def additive(node: object) -> bool:
        return isinstance(node, CompValue) and node.name == "AdditiveExpression" and bool(node.get("op"))

    def walk(node: object) -> None:
        nonlocal found
        if isinstance(node, CompValue):
            ops = node.get("op")
            if node.name == "AdditiveExpression" and isinstance(ops, list):
                if any(op == "-" for op in ops[:-1]):
                    found = True
            if node.name in ("AdditiveExpression", "MultiplicativeExpression") and isinstance(ops, list):
                operands = [node.get("expr"), *(node.get("other") or [])]
                if any(additive(o) for o in operands):
                    found = True
            for key in list(node.keys()):  # raw and translated (rdflib translates lazily)
                raw, resolved = dict.get(node, key), getattr(node, key, None)
                walk(raw)
                if resolved is not raw:
                    walk(resolved)
        elif isinstance(node, (list, tuple)):
            for value in node:
                walk(value)

    walk(algebra)
    return found


_SPLIT_CACHE: dict[int, tuple[Graph, int, tuple[Graph, Graph, list[Node]]]] = {}


_SELECT = re.compile(r"\bSELECT\b", re.IGNORECASE)


def needs_reference_engine(text: str) -> bool:
    """Whether a shape's query must run on pySHACL: arithmetic the Rust engines get wrong
    (:func:`fragile_arithmetic`), a test of blankness (kg names blank nodes for rudof), or a
    sub-SELECT. SHACL-SPARQL forbids sub-SELECTs that do not
    project the pre-bound variables; pyshacl-turbo refuses the whole shapes graph over one
    (``Every SELECT in a SPARQL constraint must project ?this``), pySHACL runs it."""
    body = text.strip()
    nested = len(_SELECT.findall(body)) - (1 if re.search(r"^\s*(PREFIX[^\n]*\n\s*)*SELECT\b", body,
                                                         re.IGNORECASE) else 0)
    blank_test = re.search(r"\b(isBlank|isIRI|isURI)\s*\(", text) is not None  # rudof sees named blank nodes
    return nested > 0 or blank_test or fragile_arithmetic(text)


def split_fragile(shapes: Graph) -> tuple[Graph, Graph, list[Node]]:
    """Cached :func:`_split_fragile` (the query analysis is paid once per process, or once
    before the batch workers fork)."""
    hit = _SPLIT_CACHE.get(id(shapes))
    if hit is None or hit[0] is not shapes or hit[1] != len(shapes):
        hit = _SPLIT_CACHE[id(shapes)] = (shapes, len(shapes), _split_fragile(shapes))
    return hit[2]


def _split_fragile(shapes: Graph) -> tuple[Graph, Graph, list[Node]]:
    """``shapes`` as (robust part, fragile part, fragile shape names): the fragile part holds the
    targeted shapes whose checks use :func:`fragile_arithmetic` queries, with every component
    and declaration; the robust part holds everything else."""
    fragile_params: set[Node] = set()
    for component in shapes.subjects(RDF.type, SH.ConstraintComponent):
        texts = [str(t) for v in shapes.objects(component, None) for p in (SH.ask, SH.select)
                 for t in shapes.objects(v, p)]
        if any(needs_reference_engine(query_prefixes(shapes, v) + "\n" + t)
               for v in shapes.objects(component, None) for p in (SH.ask, SH.select)
               for t in [str(x) for x in shapes.objects(v, p)]) and texts:
            fragile_params.update(shapes.value(param, SH.path) for param in shapes.objects(component, SH.parameter))
    tops = sorted({s for p in _SHAPE_TARGETS for s in shapes.subjects(p, None)}, key=str)
    fragile_tops: list[Node] = []
    closures: dict[Node, set[tuple]] = {}
    for top in tops:
        triples: set[tuple] = set()
        todo, seen = [top], set()
        risky = False
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            for triple in shapes.triples((node, None, None)):
                triples.add(triple)
                _s, p, o = triple
                if p in fragile_params or p == SH.nodeKind:  # nodeKind: rudof sees named blank nodes
                    risky = True
                if p in (SH.select, SH.ask) and needs_reference_engine(query_prefixes(shapes, node) + "\n" + str(o)):
                    risky = True
                if isinstance(o, BNode):
                    todo.append(o)
        closures[top] = triples
        if risky:
            fragile_tops.append(top)
    robust, fragile = Graph(), Graph()
    for prefix, ns in shapes.namespaces():
        robust.bind(prefix, ns)
        fragile.bind(prefix, ns)
    fragile_triples = set().union(*(closures[t] for t in fragile_tops)) if fragile_tops else set()
    owned = set().union(*closures.values()) if closures else set()
    for triple in shapes:
        if triple in fragile_triples:
            fragile.add(triple)
        else:
            robust.add(triple)
            if triple not in owned:
                fragile.add(triple)
    return robust, fragile, fragile_tops


class SplitEngine(Engine):
    """A Rust engine for the shapes it evaluates correctly, pySHACL for the rest (identical
    results; kg's differential tests found arithmetic these engines get wrong)."""

    def __init__(self, shapes: Graph, fast: Callable[[Graph], Engine]) -> None:
        robust, fragile, self.fragile_shapes = split_fragile(shapes)
        self.fast = fast(robust if self.fragile_shapes else shapes)
        self.name = self.fast.name
        self.slow = PyshaclEngine(fragile) if self.fragile_shapes else None

    def validate(self, data: Graph) -> Graph:
        report = self.fast.validate(data)
        if self.slow is None:
            return report
        combined = Graph()
        combined += report
        combined += self.slow.validate(data)
        return combined
