"""A bounded load test of `kg serve`: concurrent clients on loopback for a fixed time.

    python bench/serve_load.py --clients 8 --seconds 10

Loads the bundled cases into a temporary store, starts `kg serve` (oxigraph behind kg's front
proxy, default limits) on a free loopback port and runs a mix of queries (named-query shapes:
counts, per-topic outcomes, a case's requests) from one client (the baseline) and then from
``--clients`` clients. Prints requests, throughput, p50/p99 latency and errors for each, and the
throughput ratio against the baseline. Exit code 1 on any error: zero errors are allowed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from kg.store.server import kg_serve

QUERIES = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "PREFIX kg: <https://w3id.org/kg-imr/ns#> SELECT ?case ?req ?topic WHERE { ?case kg:hasRequest ?req . "
    "?req kg:topic ?topic } ORDER BY ?case ?req",
    "PREFIX kg: <https://w3id.org/kg-imr/ns#> SELECT ?topic (COUNT(?rec) AS ?n) WHERE { ?rec kg:aboutTopic ?topic } "
    "GROUP BY ?topic ORDER BY ?topic",
    "ASK { ?s a <https://w3id.org/kg-imr/ns#Case> }",
]


@dataclass
class Report:
    clients: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return len(self.latencies) + self.errors

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        if len(self.latencies) == 1:
            return self.latencies[0]
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[int(q) - 1]

    def summary(self) -> str:
        return (f"{self.clients} client(s), {self.seconds:.1f} s: {self.requests} requests, "
                f"{self.throughput:.1f} req/s, p50 {self.percentile(50) * 1000:.1f} ms, "
                f"p99 {self.percentile(99) * 1000:.1f} ms, {self.errors} errors")


def run_clients(url: str, *, clients: int, seconds: float) -> Report:
    """``clients`` threads sending QUERIES round-robin for ``seconds``; every answer is checked."""
    report = Report(clients=clients, seconds=seconds)
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(offset: int) -> None:
        i = offset
        while time.monotonic() < stop_at:
            query = QUERIES[i % len(QUERIES)]
            i += 1
            request = urllib.request.Request(f"{url}?{urllib.parse.urlencode({'query': query})}",
                                             headers={"Accept": "application/sparql-results+json"})
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    body = json.load(response)
                if "boolean" not in body and "results" not in body:
                    raise ValueError("not a SPARQL results document")
            except Exception as exc:  # noqa: BLE001 - every failure is counted
                with lock:
                    report.errors += 1
                    if len(report.error_samples) < 5:
                        report.error_samples.append(f"{type(exc).__name__}: {exc}")
                continue
            elapsed = time.perf_counter() - started
            with lock:
                report.latencies.append(elapsed)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    repo = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        subprocess.run([sys.executable, "-m", "kg.cli", "load", str(repo / "cases"), "--store", str(store),
                        "--with-determinations"], check=True, capture_output=True)
        with kg_serve(store) as (url, _process):  # through kg's proxy, as users reach it
            baseline = run_clients(url, clients=1, seconds=args.seconds)
            loaded = run_clients(url, clients=args.clients, seconds=args.seconds)
    print(f"baseline: {baseline.summary()}")
    print(f"loaded:   {loaded.summary()}")
    ratio = loaded.throughput / baseline.throughput if baseline.throughput else float("nan")
    print(f"throughput ratio {args.clients} clients / 1 client: {ratio:.2f}")
    for sample in baseline.error_samples + loaded.error_samples:
        print(f"  error: {sample}")
    return 1 if baseline.errors or loaded.errors else 0


if __name__ == "__main__":
    sys.exit(main())
