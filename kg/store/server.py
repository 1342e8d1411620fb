"""`kg serve`: the SPARQL server shipped in the `oxigraph` package, read-only over a kg store, behind
kg's own front proxy (kg/store/proxy.py) on the address the user gives."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import IO

from kg.errors import KgError
from kg.store.proxy import ProxyLimits, ProxyServer, default_max_concurrent

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


def serve(store: str | Path, *, host: str = "127.0.0.1", port: int = 7878, timeout: int | None = 30,
          max_result_bytes: int = ProxyLimits.max_result_bytes, max_concurrent: int | None = None,
          log: Callable[[str], None] | None = None, on_ready: Callable[[str], None] | None = None) -> int:
    """Serve ``store`` read-only at http://HOST:PORT/query until Ctrl-C or SIGTERM; 0 when stopped so.

    oxigraph listens on a private loopback port; the proxy (kg/store/proxy.py) on HOST:PORT adds
    the result-size limit, its own timeout, a bound on concurrent queries and honest error
    statuses. oxigraph's own timeout is one second longer, a backstop behind the proxy's clock.
    """
    argv = command_line(store, port=free_port(), timeout=timeout + 1 if timeout else None)
    upstream_port = int(argv[argv.index("--bind") + 1].rsplit(":", 1)[1])
    limits = ProxyLimits(timeout=float(timeout) if timeout else None, max_result_bytes=max_result_bytes,
                         max_concurrent=max_concurrent or default_max_concurrent())
    limits = replace(limits, max_waiting=4 * limits.max_concurrent)
    try:
        proxy = ProxyServer((host, port), ("127.0.0.1", upstream_port), limits, log)
    except OSError as exc:
        raise KgError(f"cannot listen on {host} port {port}: {exc.strerror or exc}") from None
    shown = f"[{host}]" if ":" in host else host
    return run(argv, proxy, on_ready=lambda: on_ready and on_ready(f"http://{shown}:{proxy.server_port}/query"))


def run(argv: list[str], proxy: ProxyServer | None = None, *, on_ready: Callable[[], object] | None = None) -> int:
    """Run oxigraph (and the proxy in front of it) until Ctrl-C or SIGTERM; always stop and reap both.

    oxigraph gets its own process group, so Ctrl-C reaches kg alone and kg stops it in order, and
    (on Linux) dies with kg even when kg is killed with SIGKILL.
    """
    import signal
    import tempfile
    import threading

    def _stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = {signum: signal.signal(signum, _stop) for signum in (signal.SIGTERM, signal.SIGINT)}
    errors = tempfile.TemporaryFile()  # oxigraph's stderr: read only to explain a failed start
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=errors, start_new_session=True,
                               preexec_fn=_die_with_parent if sys.platform == "linux" else None)
    serving = None
    try:
        if proxy is not None:
            upstream = "http://{}:{}/query".format(*proxy.upstream)
            try:
                wait_until_up(upstream, process)
            except RuntimeError as exc:
                raise KgError(f"the oxigraph server did not start ({exc}){_last_line(errors)}") from None
            serving = threading.Thread(target=proxy.serve_forever, name="kg-serve", daemon=True)
            serving.start()
        if on_ready is not None:
            on_ready()
        code = process.wait()
        if proxy is not None:
            raise KgError(f"the oxigraph server stopped unexpectedly (exit {code}){_last_line(errors)}")
        return code
    except KeyboardInterrupt:
        return 0
    finally:
        if serving is not None:
            proxy.shutdown()
        if proxy is not None:
            proxy.server_close()
        if process.poll() is None:
            stop_process(process)
        errors.close()
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _die_with_parent() -> None:
    """In the child before exec (Linux): SIGTERM it when kg dies, even by SIGKILL (no orphan server)."""
    import ctypes
    import signal

    ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


def _last_line(stream: IO[bytes]) -> str:
    stream.seek(0)
    lines = stream.read()[-2000:].decode("utf-8", "replace").strip().splitlines()
    return f": {lines[-1]}" if lines else ""


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


@contextmanager
def kg_serve(store: str | Path, *options: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """`kg serve --store STORE OPTIONS` in a subprocess on a free loopback port: (query URL, process).

    For tests and bench/serve_load.py: it waits until the proxy answers and always stops it.
    """
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--store", str(store),
                                "--port", str(port), *options],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    try:
        wait_until_up(url, process)
        yield url, process
    finally:
        if process.poll() is None:
            stop_process(process)
