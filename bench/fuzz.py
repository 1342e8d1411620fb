"""Time-boxed fuzzing of the loader and `kg validate` on mutated bundled cases (not run in CI).

    python bench/fuzz.py --seconds 120 --seed 1

Each round takes a bundled case (``cases/`` and the hostile corpus's control files), applies
one to three random mutations (byte flips, deletions, duplications, truncation, spliced lines,
hostile tokens such as ``<!DOCTYPE``, ``"2015-13-45"^^xsd:date`` or ``sh:deactivated true``),
sometimes re-serializes it as another format, and runs the loader and the whole validation in
process, rendering text and JSON. It reports:

* crashes — any exception other than kg's own one-line ``KgError`` (a traceback a user would see);
* hangs — a round that ran past ``--round-timeout`` seconds;
* flips — an item whose outcome became "medically-necessary" although the unmutated case's
  item was not (worth reading: a mutation that only broke data must never do this; one that
  changed a fact, e.g. ``false`` to ``true``, may legitimately do it).

Exit code 1 if there was any crash or hang. Case contents are never printed, only mutation
names, outcomes and exception types.
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from rdflib import Graph  # noqa: E402

from kg.api import validate_graph  # noqa: E402
from kg.errors import KgError  # noqa: E402
from kg.knowledge import bundled_knowledge  # noqa: E402
from kg.loader import load_rdf  # noqa: E402
from kg.render.json import render_json  # noqa: E402
from kg.render.text import render_text  # noqa: E402

TOKENS = [
    b"[", b"]", b"(", b")", b"{", b"}", b'"', b"'", b'"""', b"<", b">", b";", b",", b".", b"\\", b"\\u",
    b"\\uD800", b"\\u0000", b"\x00", b"\xff", b"\xc3", b"\x1b[31m", b"<!DOCTYPE x [<!ENTITY a 'b'>]>",
    b"@prefix x: <file:///etc/passwd> .", b'"2015-13-45"^^xsd:date', b"-1", b"0", b'"two"', b"true", b"false",
    b"kg:count -1 ;", b"kg:quantity \"x\" ;", b"sh:deactivated true ;", b"a sh:NodeShape ;", b"kg:topic g:HipXRay ;",
    b"owl:imports <http://evil.example/x> ;", b"g:CPMTG-2009 kg:effectiveUntil \"2000-01-01\"^^xsd:date .",
    b"skos:altLabel \"x\" ;", b"_:b0", b"[ " * 80, b"1e999999", b"\"" + b"x" * 5000 + b"\"",
]
FORMATS = {"turtle": ".ttl", "nt": ".nt", "json-ld": ".jsonld", "xml": ".rdf"}


class RoundTimeout(BaseException):
    """A round ran past its time box."""


def seeds() -> list[Path]:
    found = sorted((REPO / "cases").glob("*.ttl")) + sorted((REPO / "cases").glob("*.jsonld"))
    found += sorted((REPO / "tests" / "hostile").glob("control-*.ttl"))
    return found


def mutate(data: bytes, rng: random.Random, others: list[bytes]) -> tuple[bytes, list[str]]:
    names = []
    for _ in range(rng.randint(1, 3)):
        kind = rng.choice(["flip", "delete", "duplicate", "insert", "truncate", "splice", "swap-lines",
                           "swap-bool", "drop-line"])
        names.append(kind)
        n = len(data)
        if n == 0:
            data = rng.choice(TOKENS)
            continue
        i = rng.randrange(n)
        j = min(n, i + rng.randint(1, 64))
        if kind == "flip":
            data = data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + data[i + 1:]
        elif kind == "delete":
            data = data[:i] + data[j:]
        elif kind == "duplicate":
            data = data[:j] + data[i:j] * rng.randint(1, 4) + data[j:]
        elif kind == "insert":
            data = data[:i] + rng.choice(TOKENS) + data[i:]
        elif kind == "truncate":
            data = data[:i]
        elif kind == "splice":
            lines = rng.choice(others).splitlines(keepends=True)
            if lines:
                at = data.rfind(b"\n", 0, i) + 1
                data = data[:at] + rng.choice(lines) + data[at:]
        elif kind in ("swap-lines", "drop-line"):
            lines = data.splitlines(keepends=True)
            a, b = rng.randrange(len(lines)), rng.randrange(len(lines))
            if kind == "swap-lines":
                lines[a], lines[b] = lines[b], lines[a]
            else:
                del lines[a]
            data = b"".join(lines)
        elif kind == "swap-bool":
            data = data.replace(b"true", b"@@T@@", 1).replace(b"false", b"true", 1).replace(b"@@T@@", b"false", 1)
    return data, names


def outcomes(results: list) -> list[str]:
    return sorted(i.outcome for c in results for i in c.items)


def run_round(path: Path, knowledge: object) -> tuple[str, list[str], str]:
    """("judged"|"refused"|"crash", outcomes, detail)."""
    try:
        graph = load_rdf(path)
    except KgError as exc:
        return "refused", [], type(exc).__name__
    results = validate_graph(graph, knowledge, file=str(path))  # type: ignore[arg-type]
    text = render_text(results)
    text.encode("utf-8")
    json.loads(render_json(results))
    if "\x1b" in text:
        raise AssertionError("escape sequence in text output")
    return "judged", outcomes(results), ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="total time budget")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--round-timeout", type=float, default=30.0, help="seconds before a round counts as a hang")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    knowledge = bundled_knowledge()
    sources = seeds()
    originals = {p: p.read_bytes() for p in sources}
    baseline = {p: outcomes(validate_graph(load_rdf(p), knowledge, file=str(p))) for p in sources}
    counts: Counter[str] = Counter()
    problems: list[str] = []
    flips: list[str] = []

    def on_alarm(signum: int, frame: object) -> None:
        raise RoundTimeout()

    signal.signal(signal.SIGALRM, on_alarm)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        rounds = 0
        while time.monotonic() - started < args.seconds:
            rounds += 1
            source = rng.choice(sources)
            data, names = mutate(originals[source], rng, list(originals.values()))
            suffix = source.suffix
            if rng.random() < 0.2:  # re-serialize the mutant into another format, when it parses
                fmt = rng.choice(list(FORMATS))
                try:
                    data = Graph().parse(data=data.decode("utf-8"), format="turtle").serialize(format=fmt).encode()
                    suffix = FORMATS[fmt]
                    names.append(f"as-{fmt}")
                except Exception:  # noqa: BLE001 - unparseable mutants stay Turtle
                    pass
            path = Path(tmp) / f"mutant{suffix}"
            path.write_bytes(data)
            label = f"round {rounds} from {source.name}: {'+'.join(names)}"
            signal.setitimer(signal.ITIMER_REAL, args.round_timeout)
            try:
                kind, got, detail = run_round(path, knowledge)
            except RoundTimeout:
                kind, got, detail = "hang", [], f"over {args.round_timeout:g} s"
            except Exception as exc:  # noqa: BLE001 - a crash is what we are looking for
                last = traceback.format_exc(limit=-1).splitlines()[-1]
                kind, got, detail = "crash", [], f"{type(exc).__name__}: {last}"
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            counts[kind] += 1
            if kind in ("crash", "hang"):
                problems.append(f"{kind}: {label}: {detail}")
            if kind == "judged" and "medically-necessary" in got and "medically-necessary" not in baseline[source]:
                flips.append(f"flip to medically-necessary: {label}")
                counts["flip"] += 1
    elapsed = time.monotonic() - started
    print(f"fuzz: {rounds} rounds in {elapsed:.0f} s (seed {args.seed}): {counts['judged']} judged, "
          f"{counts['refused']} refused, {counts['crash']} crashes, {counts['hang']} hangs, "
          f"{counts['flip']} flips to medically-necessary")
    for line in problems + flips:
        print("  " + line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
