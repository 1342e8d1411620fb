"""Benchmark kg query: load time and the p50 of every named query, pyoxigraph store vs rdflib in memory.

Not a test. Prints ratios measured in one run on one machine (store time / rdflib time is not
assumed; each backend is timed here). Synthetic cases come from the small generator below
(`kg synth` did not exist on main when this was written): realistic shapes of IMR cases (a
request on a bundled topic, RFA and UR dates across 2013-2017, UR citations of ODG or the MTUS,
IMR outcomes ~89% upheld with a reviewer specialty, diagnoses, prior treatments) plus synthetic
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
from kg.store.summary import delta, plan

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


def generate(n: int, seed: int = 7) -> list[tuple[str, Graph]]:
    """``n`` synthetic cases, each (graph name, graph)."""
    rnd = random.Random(seed)
    recs = _recommendations()
    topics = sorted(bundled_knowledge().guidelines.subjects(RDF.type, KG.TreatmentTopic))
    covered = sorted(recs)
    start = dt.date(2013, 1, 1)
    out = []
    for i in range(n):
        case = URIRef(f"{CASE}{i:06d}#case")
        g = Graph()
        node = lambda name, i=i: URIRef(f"{CASE}{i:06d}#{name}")  # noqa: E731
        g.add((case, RDF.type, KG.Case))
        g.add((case, KG.caseNumber, Literal(f"SYN-{i:06d}")))
        applicant, injury = node("applicant"), node("injury")
        g.add((case, KG.applicant, applicant))
        g.add((applicant, RDF.type, KG.Applicant))
        g.add((applicant, KG.age, Literal(rnd.randint(22, 66))))
        g.add((case, KG.injury, injury))
        g.add((injury, RDF.type, KG.Injury))
        g.add((injury, KG.injuryDate, Literal(start - dt.timedelta(days=rnd.randint(30, 3000)), datatype=XSD.date)))
        for d in range(rnd.randint(1, 4)):
            dx = node(f"dx{d}")
            g.add((case, KG.diagnosis, dx))
            g.add((dx, RDF.type, KG.Diagnosis))
            g.add((dx, KG.icd10, Literal(rnd.choice(["G90.522", "M54.5", "M54.12", "M25.552", "S16.1XXD", "F32.9"]))))
        prior = node("prior")
        g.add((case, KG.priorTreatment, prior))
        g.add((prior, RDF.type, KG.PriorTreatment))
        g.add((prior, KG.treatment, rnd.choice(topics)))
        g.add((prior, KG["count"], Literal(rnd.randint(0, 12), datatype=XSD.nonNegativeInteger)))
        g.add((prior, KG.functionalImprovement, Literal(rnd.random() < 0.3)))
        n_items = 1 if rnd.random() < 0.7 else 2
        for k in range(n_items):
            topic = rnd.choice(covered) if rnd.random() < 0.9 else rnd.choice(topics)
            req, ur, imr = node(f"req{k}"), node(f"ur{k}"), node(f"imr{k}")
            rfa = start + dt.timedelta(days=rnd.randint(0, 1790))
            ur_date = rfa + dt.timedelta(days=rnd.randint(3, 14))
            g.add((case, KG.hasRequest, req))
            g.add((req, RDF.type, KG.Request))
            g.add((req, KG.topic, topic))
            g.add((req, KG.requestText, Literal(f"synthetic request {k} for {str(topic).rsplit('/', 1)[-1]}")))
            g.add((req, KG.quantity, Literal(rnd.choice([1, 6, 8, 12]))))
            g.add((req, KG.requestDate, Literal(rfa, datatype=XSD.date)))
            g.add((req, KG.urDecision, ur))
            g.add((ur, RDF.type, KG.URDecision))
            g.add((ur, KG.decisionDate, Literal(ur_date, datatype=XSD.date)))
            g.add((ur, KG.urOutcome, KG.Denied if rnd.random() < 0.85 else KG.Modified))
            cite = BNode()
            odg_only = rnd.random() < 0.6
            g.add((ur, KG.cites, cite))
            g.add((cite, RDF.type, KG.Citation))
            if odg_only:
                g.add((cite, KG.citesGuideline, G.ODG))
            else:
                g.add((cite, KG.citesEdition, G["CPMTG-2009"] if ur_date < dt.date(2016, 7, 28) else G["CPMTG-2016"]))
            upheld = rnd.random() < 0.89
            g.add((req, KG.imrDecision, imr))
            g.add((imr, RDF.type, KG.IMRDecision))
            g.add((imr, KG.imrOutcome, KG.Upheld if upheld else KG.Overturned))
            g.add((imr, KG.reviewerSpecialty, Literal(rnd.choice(SPECIALTIES))))
            _determination(g, rnd, req, topic, ur_date, odg_only, upheld, recs)
        out.append((str(case), g))
    return out


def _determination(g: Graph, rnd: random.Random, req: URIRef, topic: URIRef, when: dt.date, odg_only: bool,
                   upheld: bool, recs: dict) -> None:
    det = URIRef(f"{req}-determination")
    g.add((det, RDF.type, KG.Determination))
    g.add((det, KG.aboutRequest, req))
    in_force = [(r, mtus) for r, mtus, a, b in recs.get(topic, []) if a <= when and (b is None or when <= b)]
    in_force.sort(key=lambda x: (not x[1], str(x[0])))
    if not in_force:
        g.add((det, KG.outcome, KG.Undetermined))
        return
    rec, _ = in_force[0]
    necessary = rnd.random() < 0.12
    g.add((det, KG.outcome, KG.MedicallyNecessary if necessary else KG.NotMedicallyNecessary))
    g.add((det, KG.governedBy, rec))
    g.add((det, KG.referenceDate, Literal(when, datatype=XSD.date)))
    g.add((det, KG.agreesWithIMR, Literal(necessary != upheld)))
    if odg_only and any(mtus for _, mtus in in_force):
        conflict = BNode()
        g.add((det, KG.conflict, conflict))
        g.add((conflict, RDF.type, KG.Conflict))
        g.add((conflict, RDFS.label, Literal("non-mtus-where-mtus-applies")))
        g.add((conflict, KG.conflictType, KG.NonMTUSWhereMTUSApplies))


def load_all(backend: Backend, cases: list[tuple[str, Graph]], chunk: int) -> float:
    """What `kg load` does per transaction: the cases plus their summary rows (kg.store.summary.delta)."""
    started = time.perf_counter()
    guidelines = bundled_knowledge().guidelines
    first = {GUIDELINES_GRAPH: guidelines}
    backend.replace_graphs(first | delta(backend, first, guidelines))
    for i in range(0, len(cases), chunk):
        graphs = dict(cases[i:i + chunk])
        backend.replace_graphs(graphs | delta(backend, graphs, guidelines))
    return time.perf_counter() - started


def p50(backend: Backend, query, repeat: int, budget: float = float("inf")) -> tuple[float, int]:
    """Median of up to ``repeat`` runs; stops repeating once ``budget`` seconds are spent.

    Each run is what `kg query NAME` does: check for a summary, then run the summary form or the query.
    """
    named, checked = query
    times, rows = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        result = backend.query(plan(backend, named, checked))
        times.append(time.perf_counter() - started)
        rows = len(result.rows)
        if sum(times) > budget:
            break
    return statistics.median(times), rows


def p50_bounded(backend: Backend, query, repeat: int, timeout: float) -> tuple[float | None, int]:
    """p50 in a forked child (it shares the loaded graph), killed after ``timeout`` s: rdflib can take hours."""
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)

    def work() -> None:
        child.send(p50(backend, query, repeat, budget=timeout / 3))

    process = ctx.Process(target=work)
    process.start()
    ready = parent.poll(timeout)
    result = parent.recv() if ready else (None, -1)
    if process.is_alive():
        process.kill()
    process.join()
    return result


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
    for n in sizes:
        started = time.perf_counter()
        cases = generate(n)
        triples = sum(len(g) for _, g in cases)
        print(f"\n== {n:,} cases, {triples:,} case triples (generated in {time.perf_counter() - started:.1f} s)")
        with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
            store = OxigraphBackend(Path(tmp) / "store", write=True)
            t_store = load_all(store, cases, args.chunk)
            memory = None
            t_mem = None
            if n <= args.rdflib_max:
                memory = MemoryBackend()
                t_mem = load_all(memory, cases, args.chunk)
            ratio = f"  rdflib/store {t_mem / t_store:.1f}x" if t_mem else ""
            print(f"load: store {t_store:.2f} s" + (f", rdflib {t_mem:.2f} s" if t_mem else "") + ratio)
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
            print("load average now: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
            store.close()
            del memory, cases
            gc.collect()
        sys.stdout.flush()


if __name__ == "__main__":
    main()
