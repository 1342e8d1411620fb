"""Judge many case files: packed into shared validation runs, spread over processes or a cluster.

Cases are independent, so the work is linear in their number:

* each worker process loads the guideline graph, the shapes and the SHACL engine once;
* a task is a handful of files. Their clean case graphs are merged into one data graph beside
  only the guideline triples the shapes can read (:func:`kg.prepare.reachable_guidelines`), so
  the engine's fixed cost per run is shared; blank nodes are renamed per file and files whose
  IRIs overlap go to separate runs, so no case can see another's facts;
* the report is split back per file (a result belongs to the file owning its focus node, else
  its value node) and each file is decided exactly as ``kg validate FILE`` decides it.

Executors: a local process pool (``jobs`` processes; ``jobs=1`` runs in this process) or a Dask
cluster (``dask://HOST:PORT``): the same task function runs on either. Results are yielded as
tasks finish; at most a few tasks per worker are in flight, so memory stays flat in the number
of files.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from kg.errors import KgError
from kg.loader import FORMATS
from kg.model import MEDICALLY_NECESSARY, NOT_MEDICALLY_NECESSARY, UNDETERMINED, CaseResult
from kg.namespaces import KG, RDF, SH

if TYPE_CHECKING:
    from kg.engine import Engine
    from kg.knowledge import Knowledge

#: Case files per task: enough to share an engine run, few enough to stream and balance.
DEFAULT_CHUNK = 32
#: Extensions picked up when a directory is given (``.json`` only when named explicitly, so
#: ``*.expected.json`` files beside fixtures are not mistaken for cases).
DIRECTORY_SUFFIXES = tuple(s for s in FORMATS if s != ".json")


@dataclass(frozen=True)
class FileOutcome:
    """What became of one input file: its case results, or the one-line reason it failed."""

    file: str
    results: tuple[CaseResult, ...] = ()
    error: str | None = None


def case_files(inputs: Iterable[str | Path]) -> list[Path]:
    """Expand directories (recursively, RDF extensions only) into a sorted list of files."""
    out: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in DIRECTORY_SUFFIXES
                              and not p.name.endswith(".expected.json")))
        else:
            out.append(path)
    return out


# --- the task: run in a worker process ------------------------------------------------------

def judge_files(paths: list[str], engine: str = "pyshacl") -> list[FileOutcome]:
    """Judge ``paths`` with as few engine runs as their IRIs allow (the worker task)."""
    from kg.engine import get_engine
    from kg.knowledge import bundled_knowledge
    from kg.loader import active_limits, load_rdf, time_box
    from kg.prepare import reachable_guidelines, split_case

    kb = bundled_knowledge()
    runner = get_engine(engine, kb.shapes)
    base = reachable_guidelines(kb.guidelines, kb.shapes)
    loaded: list[tuple[str, Graph, list[tuple]]] = []
    outcomes: dict[str, FileOutcome] = {}
    for path in paths:
        try:
            clean, quarantined = split_case(load_rdf(path), kb.guidelines)
        except KgError as exc:
            outcomes[path] = FileOutcome(file=path, error=exc.one_line())
            continue
        loaded.append((path, clean, quarantined))
    seconds = active_limits().timeout
    for group in _pack(loaded, kb.guidelines):
        try:  # one box for a packed run; past it, each file again alone in its own box
            with time_box(seconds, group[0][0], what="validation"):
                outcomes.update(_judge_group(group, runner, base, kb))
        except KgError as exc:
            if len(group) == 1:
                outcomes[group[0][0]] = FileOutcome(file=group[0][0], error=exc.one_line())
                continue
            for member in group:
                try:
                    with time_box(seconds, member[0], what="validation"):
                        outcomes.update(_judge_group([member], runner, base, kb))
                except KgError as alone:
                    outcomes[member[0]] = FileOutcome(file=member[0], error=alone.one_line())
    return [outcomes[p] for p in paths]


def _judge_group(group: list[tuple[str, Graph, list[tuple]]], runner: Engine, base: Graph,
                 kb: Knowledge) -> dict[str, FileOutcome]:
    """One engine run over the packed files of ``group``, its report split back per file."""
    from kg.api import finish_case

    data = Graph()
    data += base
    owner: dict[Node, int] = {}
    renames: list[dict[BNode, BNode]] = []
    for index, (_path, clean, _q) in enumerate(group):
        rename: dict[BNode, BNode] = {}
        for s, p, o in clean:
            data.add((_renamed(s, index, rename), p, _renamed(o, index, rename)))
        for node in _case_nodes(clean, kb.guidelines):
            owner[rename.get(node, node) if isinstance(node, BNode) else node] = index
        renames.append(rename)
    report = runner.validate(data)
    reports = _split_report(report, owner, [{v: k for k, v in r.items()} for r in renames])
    return {path: FileOutcome(file=path, results=tuple(finish_case(clean, quarantined, part, kb, file=path)))
            for (path, clean, quarantined), part in zip(group, reports, strict=True)}


def _renamed(node: Node, index: int, rename: dict[BNode, BNode]) -> Node:
    if isinstance(node, BNode):
        new = rename.get(node)
        if new is None:
            new = rename[node] = BNode(f"f{index}x{node}")
        return new
    return node


def _case_nodes(clean: Graph, guidelines: Graph) -> set[Node]:
    """The nodes a case file brings: every IRI or blank node that is not a guideline or kg term."""
    kg_ns = str(KG._NS)
    nodes: set[Node] = set()
    for s, _p, o in clean:
        for node in (s, o):
            if isinstance(node, BNode) or (isinstance(node, URIRef) and not str(node).startswith(kg_ns)
                                           and (node, None, None) not in guidelines):
                nodes.add(node)
    return nodes


def _pack(loaded: list[tuple[str, Graph, list[tuple]]],
          guidelines: Graph) -> Iterator[list[tuple[str, Graph, list[tuple]]]]:
    """Groups of files whose IRIs do not overlap (blank nodes are renamed per file anyway)."""
    pending = list(loaded)
    while pending:
        group, taken, rest = [], set(), []
        for entry in pending:
            iris = {n for n in _case_nodes(entry[1], guidelines) if isinstance(n, URIRef)}
            if iris & taken:
                rest.append(entry)
            else:
                group.append(entry)
                taken |= iris
        yield group
        pending = rest


def _split_report(report: Graph, owner: dict[Node, int], back: list[dict[BNode, BNode]]) -> list[Graph]:
    """One report graph per file: each result goes to the file owning its focus node (else its
    value); a result owned by no file (about guideline nodes only) goes to every file."""
    parts = [Graph(bind_namespaces="none") for _ in back]
    heads = [BNode() for _ in back]
    for part, head in zip(parts, heads, strict=True):
        part.add((head, RDF.type, SH.ValidationReport))
    for rep in report.subjects(RDF.type, SH.ValidationReport):
        for result in report.objects(rep, SH.result):
            focus = report.value(result, SH.focusNode)
            value = report.value(result, SH.value)
            index = owner.get(focus) if focus is not None else None
            if index is None and value is not None:
                index = owner.get(value)
            targets = range(len(parts)) if index is None else (index,)
            for i in targets:
                parts[i].add((heads[i], SH.result, result))
                _copy_closure(report, result, parts[i], back[i])
    return parts


def _copy_closure(report: Graph, node: Node, out: Graph, back: dict[BNode, BNode]) -> None:
    todo, seen = [node], set()
    while todo:
        subject = todo.pop()
        if subject in seen:
            continue
        seen.add(subject)
        for _s, p, o in report.triples((subject, None, None)):
            out.add((back.get(subject, subject), p, back.get(o, o)))
            if isinstance(o, BNode) and o not in back:
                todo.append(o)


# --- executors --------------------------------------------------------------------------------

def validate_many(files: list[Path], *, jobs: int = 1, engine: str = "pyshacl", chunk: int = DEFAULT_CHUNK,
                  executor: str | None = None) -> Iterator[FileOutcome]:
    """Judge ``files``, yielding each file's outcome as its task finishes (completion order)."""
    tasks = [[str(p) for p in files[i:i + chunk]] for i in range(0, len(files), max(1, chunk))]
    if executor and executor.startswith("dask://"):
        yield from _run_dask(tasks, engine, executor[len("dask://"):])
    elif executor not in (None, "", "local", "processes"):
        raise KgError(f"unknown executor {executor!r} (use 'local' or dask://HOST:PORT)")
    elif jobs <= 1 or len(tasks) <= 1:
        for task in tasks:
            yield from judge_files(task, engine)
    else:
        yield from _run_pool(tasks, engine, jobs)


def _run_pool(tasks: list[list[str]], engine: str, jobs: int) -> Iterator[FileOutcome]:
    import multiprocessing as mp

    from kg.knowledge import bundled_knowledge
    from kg.prepare import reachable_guidelines

    kb = bundled_knowledge()  # loaded and analysed before the fork: workers inherit it
    reachable_guidelines(kb.guidelines, kb.shapes)
    if engine != "pyshacl":
        from kg.engine import split_fragile

        split_fragile(kb.shapes)
    context = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        yield from _windowed(tasks, lambda task: pool.submit(judge_files, task, engine), 3 * jobs,
                             lambda fut: fut.result())


def _windowed(tasks: list[list[str]], submit, window: int, result) -> Iterator[FileOutcome]:  # type: ignore[no-untyped-def]
    """Keep at most ``window`` tasks in flight; yield outcomes as tasks finish."""
    pending: set[Future] = set()
    queue = iter(tasks)
    for task in queue:
        pending.add(submit(task))
        if len(pending) >= window:
            break
    while pending:
        done, pending = wait(pending, return_when=FIRST_COMPLETED)
        for fut in done:
            yield from result(fut)
            nxt = next(queue, None)
            if nxt is not None:
                pending.add(submit(nxt))


def _run_dask(tasks: list[list[str]], engine: str, address: str) -> Iterator[FileOutcome]:
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise KgError("--executor dask:// needs the dask 'distributed' package "
                      "(pip install 'kg[dask]')") from None
    try:
        client = Client(address, timeout=10, set_as_default=False)
    except Exception as exc:  # noqa: BLE001 - any connection failure is one line
        raise KgError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    try:
        with client.as_current():
            window = 3 * max(1, sum(client.nthreads().values()))
            queue = iter(tasks)
            futures = [client.submit(judge_files, t, engine, pure=False) for t in _take(queue, window)]
            stream = as_completed(futures)
            for fut in stream:
                outcomes = fut.result()
                fut.release()
                nxt = next(queue, None)
                if nxt is not None:
                    stream.add(client.submit(judge_files, nxt, engine, pure=False))
                yield from outcomes
    finally:
        client.close()


def _take(queue: Iterator[list[str]], n: int) -> list[list[str]]:
    out = []
    for item in queue:
        out.append(item)
        if len(out) >= n:
            break
    return out


# --- summary ----------------------------------------------------------------------------------

@dataclass
class Summary:
    """Running totals over a batch, for the table printed at the end."""

    files: int = 0
    errors: int = 0
    cases: int = 0
    items: int = 0
    outcomes: Counter = field(default_factory=Counter)
    conflicts: Counter = field(default_factory=Counter)
    items_with_conflict: int = 0
    #: recorded IMR outcome -> [kg agrees, compared]
    agreement: dict[str, list[int]] = field(default_factory=lambda: {"upheld": [0, 0], "overturned": [0, 0]})
    started: float = field(default_factory=time.perf_counter)

    def add(self, outcome: FileOutcome) -> None:
        self.files += 1
        if outcome.error is not None:
            self.errors += 1
            return
        for case in outcome.results:
            self.cases += 1
            for item in case.items:
                self.items += 1
                self.outcomes[item.outcome] += 1
                if item.conflicts:
                    self.items_with_conflict += 1
                for conflict in item.conflicts:
                    self.conflicts[conflict.type] += 1
                if item.recorded_imr in self.agreement and item.agrees_with_imr is not None:
                    cell = self.agreement[item.recorded_imr]
                    cell[1] += 1
                    cell[0] += int(item.agrees_with_imr)

    @property
    def all_necessary(self) -> bool:
        return self.items > 0 and self.outcomes[MEDICALLY_NECESSARY] == self.items

    def table(self) -> str:
        """A plain-text table: counts, outcomes, conflicts, agreement per recorded IMR class."""
        elapsed = time.perf_counter() - self.started
        rows: list[tuple[str, str]] = [
            ("files", f"{self.files} ({self.errors} could not be read)"),
            ("cases", str(self.cases)),
            ("items", str(self.items)),
        ]
        for name in (MEDICALLY_NECESSARY, NOT_MEDICALLY_NECESSARY, UNDETERMINED):
            rows.append((f"  {name}", _share(self.outcomes[name], self.items)))
        rows.append(("items with a conflict", _share(self.items_with_conflict, self.items)))
        for ctype, count in sorted(self.conflicts.items()):
            rows.append((f"  {ctype}", str(count)))
        for cls, (agree, total) in self.agreement.items():
            rows.append((f"agrees with IMR ({cls})", f"{agree}/{total}" + (f" ({100 * agree / total:.1f}%)"
                                                                           if total else "")))
        rate = self.cases / elapsed if elapsed > 0 else 0.0
        rows.append(("elapsed", f"{elapsed:.1f} s ({rate:.1f} cases/s)"))
        width = max(len(k) for k, _ in rows)
        return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows) + "\n"


def _share(count: int, total: int) -> str:
    return f"{count} ({100 * count / total:.1f}%)" if total else str(count)


def default_jobs() -> int:
    """Worker processes by default: every core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)
