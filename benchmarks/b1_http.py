"""B1: HTTP command throughput, every feature on, ÷ a bare durable-INSERT Flask endpoint.

Measured: `collab serve` (gunicorn, 2 sync workers) taking `POST /v1/organisations` with a
bearer token, schema validation, an Idempotency-Key per request (its row written in the
command's transaction) and, in embedded mode, the read models caught up before each
response; in server mode (PostgreSQL) a `collab projections run` process follows instead.
Ceiling: `gunicorn benchmarks.b1_bare:app` with the same settings, one single-row INSERT +
commit per request into the same database with the same durability. Load: wrk at 1, 4
and 16 connections (64 in the full run), A B A B … for ≥ 5 rounds after a warm-up.
Ratio = measured requests/s ÷ ceiling requests/s (target ≥ 0.3 embedded SQLite, ≥ 0.25
server PostgreSQL). A second line per backend gives the tail at 16 connections as
p50 / p99 (target ≥ 1/3, i.e. p99 ≤ 3 times p50); any non-2xx answer fails the line.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.b2_append import postgres_url
from benchmarks.b3_rebuild import postgres_store
from benchmarks.harness import Result
from collab.stores import StoreConfig

SCRIPT = str(Path(__file__).with_name("b1.lua"))
WORKERS = 2
TARGETS = {"sqlite": 0.3, "postgres": 0.25}
TAIL_TARGET = 1 / 3


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def gunicorn(target: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    exe = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    args = [exe, target, "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS)]
    return subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_up(port: int, path: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2)
            return
        except urllib.error.HTTPError:
            return  # answering, even with 405 for a GET on a POST route
        except OSError:
            time.sleep(0.1)  # a starting server, polled to a deadline
    raise RuntimeError(f"nothing answers on port {port}")


def cli(env: dict[str, str], *args: str) -> str:
    command = [sys.executable, "-c", "from api.cli import main; main()", *args]
    return subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout


def wrk(port: int, path: str, token: str, connections: int, seconds: float) -> dict[str, float]:
    nonce = uuid.uuid4().hex[:10]
    args = ["wrk", "-t", str(min(connections, 2)), "-c", str(connections)]
    args += ["-d", f"{max(1, round(seconds))}s", "-s", SCRIPT, f"http://127.0.0.1:{port}", "--"]
    out = subprocess.run([*args, path, token, nonce], check=True, capture_output=True, text=True)
    line = next(x for x in out.stdout.splitlines() if x.startswith("RESULT "))
    keys = ("requests", "duration_us", "non2xx", "socket_errors", "p50", "p90", "p99", "p999")
    values = dict(zip(keys, map(float, line.split()[1:9]), strict=True))
    values["rps"] = values["requests"] / (values["duration_us"] / 1e6)
    return values


@contextmanager
def servers(config: StoreConfig, workdir: Path) -> Iterator[tuple[int, int, str, str]]:
    mode = "server" if config.kind == "postgres" else "embedded"
    env = {**os.environ, "COLLAB_DATABASE_URL": config.url, "COLLAB_MODE": mode}
    env["COLLAB_DATA_DIR"] = str(workdir)
    env["COLLAB_DOCUMENTS_DIR"] = str(workdir / "documents")
    token = cli(env, "actors", "create", "--name", "B1", "--role", "broker", "--with-token")
    token = next(x.split()[1] for x in token.splitlines() if x.startswith("token "))
    service_port, bare_port = free_port(), free_port()
    procs = [
        gunicorn("api.wsgi:app", service_port, env),
        gunicorn("benchmarks.b1_bare:app", bare_port, env),
    ]
    if mode == "server":
        follower = [sys.executable, "-c", "from api.cli import main; main()", "projections", "run"]
        procs.append(
            subprocess.Popen(
                follower, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        )
    try:
        wait_up(service_port, "/healthz")
        wait_up(bare_port, "/bare")
        yield service_port, bare_port, token, mode
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)


def measure(
    config: StoreConfig, workdir: Path, connections: list[int], rounds: int, seconds: float
) -> list[Result]:
    backend = config.kind
    results = []
    with servers(config, workdir) as (service_port, bare_port, token, mode):
        wrk(service_port, "/v1/organisations", token, 4, 1)  # warm-up both
        wrk(bare_port, "/bare", "-", 4, 1)
        for c in connections:
            pairs = []
            for n in range(rounds):
                a = wrk(service_port, "/v1/organisations", token, c, seconds)
                b = wrk(bare_port, "/bare", "-", c, seconds)
                pairs.append((a, b))
                print(
                    f"  B1.{backend}.c{c} round {n + 1}/{rounds}: "
                    f"{a['rps']:.0f} vs {b['rps']:.0f} req/s",
                    file=sys.stderr,
                )
            failures = sum(int(a["non2xx"] + a["socket_errors"]) for a, _ in pairs)
            settings: dict[str, Any] = {
                "mode": mode,
                "connections": c,
                "workers": WORKERS,
                "seconds_per_side_per_round": seconds,
                "measured_rps": [a["rps"] for a, _ in pairs],
                "ceiling_rps": [b["rps"] for _, b in pairs],
                "measured_p50_p99_p999_us": [[a["p50"], a["p99"], a["p999"]] for a, _ in pairs],
                "ceiling_p50_p99_p999_us": [[b["p50"], b["p99"], b["p999"]] for _, b in pairs],
                "measured_non2xx_or_socket_errors": failures,
                "command": "POST /v1/organisations (2 events + idempotency row)",
                "ceiling": "gunicorn benchmarks.b1_bare:app, one INSERT + commit",
            }
            ratios = tuple(a["rps"] / b["rps"] for a, b in pairs)
            target = TARGETS[backend] if failures == 0 else float("inf")
            results.append(Result(f"B1.{backend}.c{c}", ratios, target, settings))
            if c == 16:
                tail = tuple(a["p50"] / a["p99"] if a["p99"] else 0.0 for a, _ in pairs)
                results.append(
                    Result(
                        f"B1.{backend}.c16.p50_over_p99",
                        tail,
                        TAIL_TARGET if failures == 0 else float("inf"),
                        settings,
                    )
                )
    return results


def run(smoke: bool = False) -> list[Result]:
    if shutil.which("wrk") is None:
        print("B1: skipped, wrk is not installed (make bench installs it)")
        return []
    connections = [1, 4, 16] if smoke else [1, 4, 16, 64]
    rounds, seconds = (5, 1.0) if smoke else (5, 3.0)
    results: list[Result] = []
    workdir = Path(tempfile.mkdtemp(prefix="collab-b1-"))
    try:
        results += measure(
            StoreConfig(f"sqlite:///{workdir}/b1.db"), workdir, connections, rounds, seconds
        )
        if (url := postgres_url("B1")) is not None:
            with postgres_store(url) as config:
                results += measure(config, workdir, connections, rounds, seconds)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return results
