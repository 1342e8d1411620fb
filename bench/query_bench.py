"""Benchmark kg query: load time and the p50 of every named query, pyoxigraph store vs rdflib in memory.

Not a test. Prints ratios measured in one run on one machine (store time / rdflib time is not
assumed; each backend is timed here). Synthetic cases come from the small generator below
(`kg synth` did not exist on main when this was written): realistic shapes of IMR cases (a
request on a bundled topic, RFA and UR dates across 2013-2017, UR citations of ODG or the MTUS at
the rates of the development letters, IMR outcomes ~89% upheld with a reviewer specialty,
diagnoses, prior treatments) plus synthetic
kg:Determination triples in the form `kg validate --format turtle` writes (running SHACL on
100,000 cases would measure pySHACL, not the query layer).

    python bench/query_bench.py --sizes 1000,10000 --repeat 5
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace, URIRef

from kg.knowledge import bundled_knowledge
from kg.namespaces import KG as _KG
from kg.namespaces import RDF, RDFS, XSD, G
from kg.store.base import GUIDELINES_GRAPH, Backend
from kg.store.memory import MemoryBackend
from kg.store.named import bind_params, named_queries
from kg.store.oxi import OxigraphBackend
from kg.store.sparql import bind, check
from kg.store.summary import answer, delta

EXAMPLES = {"date": "2015-07-22", "topic": "lumbar sympathetic block", "string": "SYN-000042", "iri": "urn:x"}
SPECIALTIES = ["Preventive Medicine, Occupational Medicine", "Anesthesiology, Pain Medicine", "Orthopedic Surgery",
               "Physical Medicine & Rehabilitation", "Family Practice", "Internal Medicine", "Neurology",
               "Chiropractor, Acupuncturist"]
CASE = "https://w3id.org/kg-imr/case/synthetic/"
KG = Namespace(str(_KG._NS))  # open: the case vocabulary is wider than kg.namespaces.KG lists


def _recommendations() -> dict[URIRef, list[tuple[URIRef, bool, dt.date, dt.date | None]]]:
    """topic -> [(recommendation, is MTUS, edition from, edition until)] from the bundled guideline graph."""
    g = bundled_knowledge().guidelines
    out: dict[URIRef, list] = {}
    for rec, topic in g.subject_objects(KG.aboutTopic):
        edition = g.value(g.value(rec, KG.source), KG.inEdition)
        guideline = g.value(g.value(edition, KG.editionOf), KG.guideline)
        start = g.value(edition, KG.effectiveFrom)
        until = g.value(edition, KG.effectiveUntil)
        out.setdefault(topic, []).append((rec, bool(g.value(guideline, KG.isMTUS)), start.toPython(),
                                          until.toPython() if until is not None else None))
    return out


#: The development letters (`kg eval /work/shared/imr-letters`): in 29 of 201 items the UR relied only
#: on non-MTUS guidance where the MTUS applied (14%); 182 of 201 IMR decisions upheld the UR (91%).
ODG_ONLY_WHERE_MTUS_APPLIES = 29 / 201
UPHELD = 0.89


def generate(n: int, seed: int = 7) -> list[tuple[str, Graph]]:
    """``n`` synthetic cases, each (graph name, graph)."""
    return [case for chunk in generate_chunks(n, n or 1, seed) for case in chunk]


def generate_chunks(n: int, chunk: int, seed: int = 7):
    """``n`` synthetic cases in lists of ``chunk`` (graph name, graph), made as they are needed.

    Terms that repeat (predicates, classes, topics, dates, codes) are made once: building an rdflib
    URIRef or typed Literal checks and converts it, which was most of the generator's time.
    """
    rnd = random.Random(seed)
    recs = _recommendations()
    topics = sorted(bundled_knowledge().guidelines.subjects(RDF.type, KG.TreatmentTopic))
    covered = sorted(recs)
    start = dt.date(2013, 1, 1)
    p = {name: KG[name] for name in (
        "Case", "caseNumber", "applicant", "Applicant", "age", "injury", "Injury", "injuryDate", "diagnosis",
        "Diagnosis", "icd10", "priorTreatment", "PriorTreatment", "treatment", "count", "functionalImprovement",
        "hasRequest", "Request", "topic", "requestText", "quantity", "requestDate", "urDecision", "URDecision",
        "decisionDate", "urOutcome", "Denied", "Modified", "cites", "Citation", "citesGuideline", "citesEdition",
        "imrDecision", "IMRDecision", "imrOutcome", "Upheld", "Overturned", "reviewerSpecialty")}
    a = RDF.type
    dates: dict[dt.date, Literal] = {}

    def date(d: dt.date) -> Literal:
        lit = dates.get(d)
        if lit is None:
            lit = dates[d] = Literal(d, datatype=XSD.date)
        return lit

    ints = {i: Literal(i) for i in range(0, 100)}
    counts = {i: Literal(i, datatype=XSD.nonNegativeInteger) for i in range(0, 13)}
    bools = {b: Literal(b) for b in (True, False)}
    codes = [Literal(c) for c in ["G90.522", "M54.5", "M54.12", "M25.552", "S16.1XXD", "F32.9"]]
    specialties = [Literal(x) for x in SPECIALTIES]
    local = {t: str(t).rsplit("/", 1)[-1] for t in topics}
    cpmtg_2009, cpmtg_2016, odg = G["CPMTG-2009"], G["CPMTG-2016"], G.ODG
    switch = dt.date(2016, 7, 28)
    mtus_on = _mtus_in_force(recs)
    out: list[tuple[str, Graph]] = []
    for i in range(n):
        base = f"{CASE}{i:06d}#"
        case = URIRef(base + "case")
        g = Graph()
        add = g.add
        add((case, a, p["Case"]))
        add((case, p["caseNumber"], Literal(f"SYN-{i:06d}")))
        applicant, injury = URIRef(base + "applicant"), URIRef(base + "injury")
        add((case, p["applicant"], applicant))
        add((applicant, a, p["Applicant"]))
        add((applicant, p["age"], ints[rnd.randint(22, 66)]))
        add((case, p["injury"], injury))
        add((injury, a, p["Injury"]))
        add((injury, p["injuryDate"], date(start - dt.timedelta(days=rnd.randint(30, 3000)))))
        for d in range(rnd.randint(1, 4)):
            dx = URIRef(f"{base}dx{d}")
            add((case, p["diagnosis"], dx))
            add((dx, a, p["Diagnosis"]))
            add((dx, p["icd10"], rnd.choice(codes)))
        prior = URIRef(base + "prior")
        add((case, p["priorTreatment"], prior))
        add((prior, a, p["PriorTreatment"]))
        add((prior, p["treatment"], rnd.choice(topics)))
        add((prior, p["count"], counts[rnd.randint(0, 12)]))
        add((prior, p["functionalImprovement"], bools[rnd.random() < 0.3]))
        n_items = 1 if rnd.random() < 0.7 else 2
        for k in range(n_items):
            topic = rnd.choice(covered) if rnd.random() < 0.9 else rnd.choice(topics)
            req, ur, imr = URIRef(f"{base}req{k}"), URIRef(f"{base}ur{k}"), URIRef(f"{base}imr{k}")
            rfa = start + dt.timedelta(days=rnd.randint(0, 1790))
            ur_date = rfa + dt.timedelta(days=rnd.randint(3, 14))
            add((case, p["hasRequest"], req))
            add((req, a, p["Request"]))
            add((req, p["topic"], topic))
            add((req, p["requestText"], Literal(f"synthetic request {k} for {local[topic]}")))
            add((req, p["quantity"], ints[rnd.choice([1, 6, 8, 12])]))
            add((req, p["requestDate"], date(rfa)))
            add((req, p["urDecision"], ur))
            add((ur, a, p["URDecision"]))
            add((ur, p["decisionDate"], date(ur_date)))
            add((ur, p["urOutcome"], p["Denied"] if rnd.random() < 0.85 else p["Modified"]))
            cite = BNode()
            # ODG where the MTUS in force is silent; where it applies, ODG alone as often as in the letters
            mtus_applies = mtus_on(topic, ur_date)
            odg_only = not mtus_applies or rnd.random() < ODG_ONLY_WHERE_MTUS_APPLIES
            add((ur, p["cites"], cite))
            add((cite, a, p["Citation"]))
            if odg_only:
                add((cite, p["citesGuideline"], odg))
            else:
                add((cite, p["citesEdition"], cpmtg_2009 if ur_date < switch else cpmtg_2016))
            upheld = rnd.random() < UPHELD
            add((req, p["imrDecision"], imr))
            add((imr, a, p["IMRDecision"]))
            add((imr, p["imrOutcome"], p["Upheld"] if upheld else p["Overturned"]))
            add((imr, p["reviewerSpecialty"], rnd.choice(specialties)))
            _determination(g, rnd, req, topic, ur_date, odg_only, upheld, recs, date)
        out.append((str(case), g))
        if len(out) == chunk:
            yield out
            out = []
    if out:
        yield out


def _mtus_in_force(recs: dict):
    """A cached test: does an MTUS edition in force on a date address the topic?"""
    seen: dict[tuple, bool] = {}

    def test(topic: URIRef, when: dt.date) -> bool:
        key = (topic, when)
        if key not in seen:
            seen[key] = any(mtus and a <= when and (b is None or when <= b) for _, mtus, a, b in recs.get(topic, []))
        return seen[key]

    return test


_DET = {name: KG[name] for name in ("Determination", "aboutRequest", "outcome", "Undetermined", "MedicallyNecessary",
                                    "NotMedicallyNecessary", "governedBy", "referenceDate", "agreesWithIMR",
                                    "conflict", "Conflict", "conflictType", "NonMTUSWhereMTUSApplies")}
_CONFLICT_LABEL = Literal("non-mtus-where-mtus-applies")
_TRUE, _FALSE = Literal(True), Literal(False)


def _determination(g: Graph, rnd: random.Random, req: URIRef, topic: URIRef, when: dt.date, odg_only: bool,
                   upheld: bool, recs: dict, date=lambda d: Literal(d, datatype=XSD.date)) -> None:
    d = _DET
    det = URIRef(f"{req}-determination")
    g.add((det, RDF.type, d["Determination"]))
    g.add((det, d["aboutRequest"], req))
    in_force = [(r, mtus) for r, mtus, a, b in recs.get(topic, []) if a <= when and (b is None or when <= b)]
    in_force.sort(key=lambda x: (not x[1], str(x[0])))
    if not in_force:
        g.add((det, d["outcome"], d["Undetermined"]))
        return
    rec, _ = in_force[0]
    necessary = rnd.random() < 0.12
    g.add((det, d["outcome"], d["MedicallyNecessary"] if necessary else d["NotMedicallyNecessary"]))
    g.add((det, d["governedBy"], rec))
    g.add((det, d["referenceDate"], date(when)))
    g.add((det, d["agreesWithIMR"], _TRUE if necessary != upheld else _FALSE))
    if odg_only and any(mtus for _, mtus in in_force):
        conflict = BNode()
        g.add((det, d["conflict"], conflict))
        g.add((conflict, RDF.type, d["Conflict"]))
        g.add((conflict, RDFS.label, _CONFLICT_LABEL))
        g.add((conflict, d["conflictType"], d["NonMTUSWhereMTUSApplies"]))


def load_chunk(backend: Backend, graphs: dict[str, Graph], guidelines: Graph) -> float:
    """What `kg load` does per transaction: the cases plus their summary rows (kg.store.summary.delta)."""
    started = time.perf_counter()
    backend.replace_graphs(graphs | delta(backend, graphs, guidelines))
    return time.perf_counter() - started


def p50(backend: Backend, query, repeat: int, budget: float = float("inf")) -> tuple[float, int]:
    """Median of up to ``repeat`` runs; stops repeating once ``budget`` seconds are spent.

    Each run is what `kg query NAME` does after parsing: kg.store.summary.answer (is the query covered by
    precomputed rows? then read and sort them, else run the query), with the rows as rdflib terms.
    """
    named, checked = query
    times, rows = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        result = answer(backend, named, checked)
        times.append(time.perf_counter() - started)
        rows = len(result.rows)
        if sum(times) > budget:
            break
    return statistics.median(times), rows


class _Timeout(BaseException):
    """Raised by the alarm inside rdflib's engine (a BaseException, so no `except Exception` there swallows it)."""


def p50_bounded(backend: Backend, query, repeat: int, timeout: float) -> tuple[float | None, int]:
    """p50 of rdflib, abandoned after ``timeout`` s (rdflib can take hours): an interval timer interrupts it.

    rdflib's engine is pure Python, so the alarm lands between two bytecodes and nothing is left half
    written (queries only read). In-process rather than in a forked child: a child reading every
    triple of a 100,000-case graph would copy most of its pages (several GB).
    """
    import signal

    def ring(*_: object) -> None:
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        return p50(backend, query, repeat, budget=timeout / 3)
    except _Timeout:
        return None, -1
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated case counts")
    parser.add_argument("--repeat", type=int, default=5, help="runs per query (p50 of these)")
    parser.add_argument("--rdflib-max", type=int, default=10000,
                        help="largest size also run on rdflib in memory (it needs ~1 GB per 10,000 cases)")
    parser.add_argument("--store-budget", type=float, default=float("inf"),
                        help="stop repeating a store query once this many seconds are spent on it")
    parser.add_argument("--chunk", type=int, default=2000, help="cases per load transaction")
    parser.add_argument("--rdflib-timeout", type=float, default=60.0,
                        help="seconds before an rdflib query is abandoned (reported as a lower bound)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    queries = {name: (q, bind(check(q.text, source=name), bind_params(q, {p.name: EXAMPLES[p.type] for p in q.params})))
               for name, q in named_queries().items()}
    import pyoxigraph
    import rdflib

    print(f"machine: {os.cpu_count()} cpu, python {platform.python_version()}, {platform.platform()}, "
          f"pyoxigraph {pyoxigraph.__version__}, rdflib {rdflib.__version__}")
    print("load average at start: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    guidelines = bundled_knowledge().guidelines
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
            store = OxigraphBackend(Path(tmp) / "store", write=True)
            memory = MemoryBackend() if n <= args.rdflib_max else None
            first = {GUIDELINES_GRAPH: guidelines}
            t_store = load_chunk(store, first, guidelines)
            t_mem = load_chunk(memory, first, guidelines) if memory is not None else None
            # cases are made a chunk at a time and loaded into both backends, so only one chunk is held
            t_gen, triples, items, chunks = 0.0, 0, 0, generate_chunks(n, args.chunk)
            while True:
                started = time.perf_counter()
                chunk = next(chunks, None)
                t_gen += time.perf_counter() - started
                if chunk is None:
                    break
                triples += sum(len(g) for _, g in chunk)
                items += sum(1 for _, g in chunk for _ in g.triples((None, KG.hasRequest, None)))
                graphs = dict(chunk)
                t_store += load_chunk(store, graphs, guidelines)
                if memory is not None:
                    t_mem += load_chunk(memory, graphs, guidelines)
                del chunk, graphs
            print(f"\n== {n:,} cases, {items:,} items, {triples:,} case triples (generated in {t_gen:.1f} s)")
            ratio = f"  rdflib/store {t_mem / t_store:.1f}x" if t_mem else ""
            print(f"load: store {t_store:.2f} s" + (f", rdflib {t_mem:.2f} s" if t_mem else "") + ratio)
            # The loaded rdflib graph is millions of Python objects that a `kg query --store` process never
            # holds; without freezing them, any collection a query's allocations trigger walks them all.
            gc.collect()
            gc.freeze()
            print(f"{'query':34} {'rows':>7} {'store p50':>11} {'rdflib p50':>11} {'speed-up':>9}")
            speedups, worst = [], 0.0
            for name, query in queries.items():
                s, rows = p50(store, query, args.repeat, budget=args.store_budget)
                worst = max(worst, s)
                if memory is not None:
                    m, rows_m = p50_bounded(memory, query, args.repeat, args.rdflib_timeout)
                    if m is None:  # timed out: the speed-up is at least timeout / store time
                        speedups.append(args.rdflib_timeout / s)
                        print(f"{name:34} {rows:>7} {s * 1000:>9.1f}ms {'>' + str(int(args.rdflib_timeout)) + 's':>11}"
                              f" {'>' + format(args.rdflib_timeout / s, '.1f'):>8}x")
                        continue
                    assert rows_m == rows, f"{name}: {rows_m} rows in memory, {rows} in the store"
                    speedups.append(m / s)
                    print(f"{name:34} {rows:>7} {s * 1000:>9.1f}ms {m * 1000:>9.1f}ms {m / s:>8.1f}x")
                else:
                    print(f"{name:34} {rows:>7} {s * 1000:>9.1f}ms {'-':>11} {'-':>9}")
            if speedups:
                geo = statistics.geometric_mean(speedups)
                print(f"speed-up store vs rdflib: geometric mean {geo:.1f}x, min {min(speedups):.1f}x")
            print(f"slowest store p50: {worst * 1000:.1f} ms (target < 200 ms)")
            import resource

            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
            print("load average now: " + " ".join(f"{x:.2f}" for x in os.getloadavg()) + f"; peak memory {peak:.1f} GB")
            store.close()
            gc.unfreeze()
            del memory
            gc.collect()
        sys.stdout.flush()


if __name__ == "__main__":
    main()
