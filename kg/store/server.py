"""`kg serve`: the SPARQL server shipped in the `oxigraph` package, read-only over a kg store."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from kg.errors import KgError

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def oxigraph_binary() -> str:
    """The `oxigraph` executable: next to this Python first (the same venv), else on PATH."""
    beside = Path(sys.executable).with_name("oxigraph")
    if beside.is_file():
        return str(beside)
    found = shutil.which("oxigraph")
    if found is None:
        raise KgError("the `oxigraph` server is not installed (pip install oxigraph)")
    return found


def command_line(store: str | Path, *, host: str = "127.0.0.1", port: int = 7878,
                 timeout: int | None = 30) -> list[str]:
    """The argv that serves ``store`` read-only, queries seeing the union of its graphs."""
    path = Path(store)
    if not (path / "kg-store.txt").is_file():
        raise KgError("not a kg store (load one with `kg load FILES --store DIR`)", path=path)
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    argv = [oxigraph_binary(), "serve-read-only", "--location", str(path), "--bind", bind,
            "--union-default-graph"]
    if timeout:
        argv += ["--timeout-s", str(timeout)]
    return argv


def run(argv: list[str]) -> int:
    """Run the server in the foreground until it exits, Ctrl-C or SIGTERM; always stop and reap the child."""
    import signal

    def _stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _stop)
    process = subprocess.Popen(argv)
    try:
        return process.wait()
    except KeyboardInterrupt:
        stop_process(process)
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)


# --- helpers for running a server on loopback (used by tests and bench/serve_load.py) -------

def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    """Poll the SPARQL endpoint ``url`` until it answers, or fail when the server dies or time runs out."""
    import time
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def stop_process(process: subprocess.Popen) -> None:
    """Terminate, give it ten seconds, then kill; always reap the child."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
