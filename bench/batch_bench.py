"""Benchmark kg's batch validation against a naive pySHACL loop; prints a table of ratios.

    python bench/batch_bench.py                       # N = 100, 1000, 10000; every engine
    python bench/batch_bench.py --sizes 100,1000 --engines pyshacl,turbo --jobs 2

What it measures, all in one run so the ratios compare like with like on a noisy machine:

* ``naive``: a loop calling ``pyshacl.validate`` once per case on the graph kg's single-file path
  used to build (case facts + the whole guideline graph), then kg's decision step. Each call is
  independent, so its per-case cost does not depend on N; it is measured on the first
  ``--naive-sample`` cases of each size (all of them when N is smaller) and extrapolated.
* ``kg batch``: ``kg.batch.validate_many`` with ``--jobs`` processes, per engine.
* per-case ms, cases/s, throughput ratio against naive, per-case cost at N against the smallest
  N, peak resident memory (largest process: the parent or any worker), and whether every
  determination (outcome and criterion statuses per item) equals the naive loop's.
* cold start: wall time of ``kg validate cases/seed.ttl`` against a bare ``pyshacl`` command on
  the same data (the case beside the guideline graph) and shapes, median of ``--repeat`` runs.

Each measurement runs in a fresh Python process (``--_worker``), so memory and caches do not
leak between rows. Synthetic cases come from ``kg synth`` (seed fixed).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _determination_lines(outcomes) -> list[str]:  # type: ignore[no-untyped-def]
    lines = []
    for o in outcomes:
        for case in o.results:
            for item in case.items:
                crit = ",".join(f"{c.id}={c.status}" for c in item.criteria)
                lines.append(f"{Path(o.file).name}|{item.request}|{item.outcome}|{crit}")
        if o.error:
            lines.append(f"{Path(o.file).name}|ERROR")
    return lines


def _peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024.0


def worker(mode: str, corpus: Path, n: int, jobs: int, out: Path) -> None:
    """One measurement in this (fresh) process; writes a JSON record and determinations."""
    from kg.batch import FileOutcome, case_files, validate_many

    files = case_files([corpus])[:n]
    t0 = time.perf_counter()
    if mode == "naive":
        from kg.api import finish_case
        from kg.engine import naive_pyshacl
        from kg.knowledge import bundled_knowledge
        from kg.loader import load_rdf
        from kg.prepare import data_graph, split_case

        kb = bundled_knowledge()
        t0 = time.perf_counter()
        outcomes = []
        for path in files:
            clean, quarantined = split_case(load_rdf(path), kb.guidelines)
            report = naive_pyshacl(data_graph(clean, kb.guidelines), kb.shapes)
            outcomes.append(FileOutcome(str(path), tuple(finish_case(clean, quarantined, report, kb,
                                                                     file=str(path)))))
    else:  # streamed: only the determination lines are kept, as a caller writing jsonl would
        outcomes = None
        lines = []
        for outcome in validate_many(files, jobs=jobs, engine=mode):
            lines.extend(_determination_lines([outcome]))
    elapsed = time.perf_counter() - t0
    lines = sorted(_determination_lines(outcomes)) if outcomes is not None else sorted(lines)
    out.write_text(json.dumps({"mode": mode, "n": len(files), "seconds": elapsed, "peak_mb": _peak_rss_mb(),
                               "determinations": lines}), encoding="utf-8")


def _run_worker(mode: str, corpus: Path, n: int, jobs: int) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
        out = Path(tmp.name)
    try:
        subprocess.run([sys.executable, __file__, "--_worker", mode, str(corpus), str(n), str(jobs), str(out)],
                       check=True, cwd=REPO)
        return json.loads(out.read_text(encoding="utf-8"))
    finally:
        out.unlink(missing_ok=True)


def _cold_start(repeat: int) -> tuple[float, float]:
    """Median wall seconds: kg validate on the seed; bare pyshacl on the same data and shapes."""
    from kg.knowledge import bundled_knowledge
    from kg.loader import load_rdf
    from kg.prepare import data_graph, split_case

    kb = bundled_knowledge()
    clean, _ = split_case(load_rdf(REPO / "cases" / "seed.ttl"), kb.guidelines)
    bindir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data.ttl"
        shapes = Path(tmp) / "shapes.ttl"
        data_graph(clean, kb.guidelines).serialize(data, format="turtle")
        kb.shapes.serialize(shapes, format="turtle")
        commands = {
            "kg": [str(bindir / "kg"), "validate", str(REPO / "cases" / "seed.ttl")],
            "pyshacl": [str(bindir / "pyshacl"), "-s", str(shapes), "-i", "none", str(data)],
        }
        times: dict[str, list[float]] = {k: [] for k in commands}
        for _ in range(repeat):
            for name, cmd in commands.items():
                t0 = time.perf_counter()
                subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO)
                times[name].append(time.perf_counter() - t0)
    return statistics.median(times["kg"]), statistics.median(times["pyshacl"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="comma-separated case counts")
    parser.add_argument("--engines", default=None, help="comma-separated engines (default: all installed)")
    parser.add_argument("--jobs", type=int, default=0, help="worker processes for kg batch (0: every core)")
    parser.add_argument("--naive-sample", type=int, default=200, help="cases the naive loop runs per size")
    parser.add_argument("--repeat", type=int, default=5, help="cold-start repetitions")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--corpus", type=Path, default=None, help="reuse this synthetic corpus directory")
    parser.add_argument("--_worker", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._worker:
        mode, corpus, n, jobs, out = args._worker
        worker(mode, Path(corpus), int(n), int(jobs), Path(out))
        return 0

    from kg.batch import default_jobs
    from kg.engine import available_engines
    from kg.knowledge import bundled_knowledge
    from kg.synth import write

    sizes = sorted(int(s) for s in args.sizes.split(","))
    engines = args.engines.split(",") if args.engines else list(available_engines())
    jobs = args.jobs or default_jobs()
    kb = bundled_knowledge()
    corpus = args.corpus or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    existing = len(list(corpus.glob("*.ttl"))) if corpus.exists() else 0
    if existing < max(sizes):
        write(max(sizes), args.seed, corpus, kb.guidelines, kb.shapes)
    out = print  # noqa: T201 - a benchmark script prints its table
    out(f"# kg batch benchmark: {os.cpu_count()} CPUs seen, jobs={jobs}, guideline graph {len(kb.guidelines)} "
        f"triples, shapes {len(kb.shapes)} triples, corpus {corpus} (seed {args.seed})")
    out("| N | runner | cases | seconds | ms/case | cases/s | × naive | ms/case vs smallest N | peak MB "
        "| same as naive | digest of all determinations |")
    out("|---|---|---|---|---|---|---|---|---|---|---|")
    smallest: dict[str, float] = {}
    for n in sizes:
        naive = _run_worker("naive", corpus, min(n, args.naive_sample), 1)
        naive_ms = 1000 * naive["seconds"] / naive["n"]
        naive_set = set(naive["determinations"])
        note = "" if naive["n"] == n else f" (sample of {naive['n']})"
        out(f"| {n} | naive pyshacl loop{note} | {naive['n']} | {naive['seconds']:.1f} | {naive_ms:.1f} "
            f"| {1000 / naive_ms:.1f} | 1.0 | - | {naive['peak_mb']:.0f} | reference | - |")
        for engine in engines:
            rec = _run_worker(engine, corpus, n, jobs)
            ms = 1000 * rec["seconds"] / rec["n"]
            smallest.setdefault(engine, ms)
            sample = {line for line in rec["determinations"]
                      if line.split("|", 1)[0] in {x.split("|", 1)[0] for x in naive_set}}
            same = "yes" if sample == naive_set else f"NO ({len(sample ^ naive_set)} differ)"
            digest = hashlib.sha256("\n".join(rec["determinations"]).encode()).hexdigest()[:12]
            out(f"| {n} | kg batch {engine} -j {jobs} | {rec['n']} | {rec['seconds']:.1f} | {ms:.2f} "
                f"| {1000 / ms:.1f} | {naive_ms / ms:.1f} | {ms / smallest[engine]:.2f} | {rec['peak_mb']:.0f} "
                f"| {same} | {digest} |")
    kg_s, bare_s = _cold_start(args.repeat)
    out("")
    out(f"cold start (median of {args.repeat}): kg validate cases/seed.ttl {kg_s:.2f} s; bare pyshacl on the "
        f"same data and shapes {bare_s:.2f} s; ratio {kg_s / bare_s:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
