"""A real gunicorn process (and, in server mode, a follower and a sealer process) per test.

Embedded mode on a SQLite file (its keys made on first start); server mode on PostgreSQL:
`collab audit keygen` first, then gunicorn workers, `collab projections run` and
`collab audit seal --follow`, exactly as the README's server-mode instructions say.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from collab.stores import StoreConfig

START_DEADLINE = 30.0  # seconds for gunicorn to answer /healthz


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


COLLAB = (sys.executable, "-c", "from api.cli import main; main()")


def collab(*args: str, env: dict[str, str], **popen: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen([*COLLAB, *args], env=env, **popen)


def run_collab(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`collab ARGS` to its end: exit code, stdout and stderr as text."""
    return subprocess.run([*COLLAB, *args], env=env, capture_output=True, text=True, timeout=60)


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: Any


@dataclass
class Http:
    """A tiny HTTP client (standard library only) with a bearer token."""

    base: str
    token: str | None = None

    def as_(self, token: str) -> Http:
        return Http(self.base, token)

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> Reply:
        data = None if body is None else json.dumps(body).encode()
        sent = {"Content-Type": "application/json"} if data is not None else {}
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(
            self.base + path, data=data, method=method, headers={**sent, **(headers or {})}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw, status, got = response.read(), response.status, dict(response.headers)
        except urllib.error.HTTPError as error:
            raw, status, got = error.read(), error.code, dict(error.headers)
        return Reply(status, got, json.loads(raw) if raw else None)

    def get(self, path: str, **kw: Any) -> Reply:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.request("POST", path, body, **kw)


@dataclass
class Served:
    http: Http
    env: dict[str, str]
    mode: str

    @property
    def data_dir(self) -> Path:
        return Path(self.env["COLLAB_DATA_DIR"])

    def admin_token(self) -> str:
        made = run_collab(
            "actors", "create", "--name", "Admin", "--role", "admin", "--with-token", env=self.env
        )
        assert made.returncode == 0, made.stderr
        lines = made.stdout.splitlines()
        return next(line.split()[1] for line in lines if line.startswith("token "))


SERVER_PROCESSES = (
    ("projections", "run", "--poll", "0.05"),  # the follower: views and audit leaves
    ("audit", "seal", "--follow", "--interval", "0.2"),  # the sealer: checkpoints
    ("due", "run", "--follow", "--interval", "0.2"),  # the due-date processor (invariant 8)
)


def collab_env(config: StoreConfig, workdir: Path) -> dict[str, str]:
    mode = "server" if config.kind == "postgres" else "embedded"
    return {
        **os.environ,
        "COLLAB_DATABASE_URL": config.url,
        "COLLAB_DATA_DIR": str(workdir),
        "COLLAB_MODE": mode,
        # Server mode requires the documents' folder (a shared volume in production).
        "COLLAB_DOCUMENTS_DIR": str(workdir / "documents"),
    }


def wait_healthy(http: Http, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_DEADLINE
    while True:
        try:
            if http.get("/healthz").status == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            raise RuntimeError(log.read_text()[-3000:])
        time.sleep(0.05)  # polling a starting server to a deadline


@contextmanager
def serve(
    config: StoreConfig, workdir: Path, settings: dict[str, str] | None = None
) -> Iterator[Served]:
    """`collab serve` on a free port (plus the follower and the sealer in server mode)
    until the block ends, with these COLLAB_* settings added."""
    port = free_port()
    env = {**collab_env(config, workdir), **(settings or {})}
    mode = env["COLLAB_MODE"]
    keys = workdir / "keys"
    if mode == "server" and not list(keys.glob("*.key")):  # server mode needs a key
        keygen = run_collab("audit", "keygen", env=env)
        assert keygen.returncode == 0, keygen.stderr
    path = workdir / "gunicorn.log"
    log = open(path, "wb")  # noqa: SIM115  # closed below
    bind = f"127.0.0.1:{port}"
    serving = ("serve", "--bind", bind)  # as a newcomer runs it: its mode's workers, threads
    procs = [collab(*serving, env=env, stdout=log, stderr=subprocess.STDOUT)]
    http = Http(f"http://{bind}")
    try:
        wait_healthy(http, procs[0], path)
        if mode == "server":
            # Started once `collab serve` has made every table: no two processes race
            # through the same CREATE TABLE on a new PostgreSQL schema.
            for args in SERVER_PROCESSES:
                procs.append(collab(*args, env=env, stdout=log, stderr=subprocess.STDOUT))
        yield Served(http, env, mode)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        log.close()


@pytest.fixture
def served(durable: StoreConfig, tmp_path: Path) -> Iterator[Served]:
    with serve(durable, tmp_path) as running:
        yield running


@pytest.fixture
def served_embedded(sqlite_config: StoreConfig, tmp_path: Path) -> Iterator[Served]:
    """`make run`'s configuration: embedded mode on a SQLite file."""
    with serve(sqlite_config, tmp_path) as running:
        yield running


@contextmanager
def serving_alone(
    env: dict[str, str], bind: str, logs: Path, *, workers: int = 2
) -> Iterator[subprocess.Popen[bytes]]:
    """`collab serve --bind BIND` alone, started under a permissive umask (022, so only
    collab can make its files private), its stdout and stderr kept in `logs`/serve.out and
    serve.err; stopped with SIGTERM when the block ends (its exit code is then set)."""
    port = bind.rpartition(":")[2]
    out = open(logs / "serve.out", "wb")  # noqa: SIM115  # closed below
    err = open(logs / "serve.err", "wb")  # noqa: SIM115  # closed below
    serving = ("serve", "--bind", bind, "--workers", str(workers))
    proc = collab(*serving, env=env, stdout=out, stderr=err, umask=0o022)
    try:
        wait_healthy(Http(f"http://127.0.0.1:{port}"), proc, logs / "serve.err")
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        out.close()
        err.close()


def isolated_env(workdir: Path, **extra: str) -> dict[str, str]:
    """Embedded mode on the default database of `workdir`/data (not made yet), with HOME and
    XDG_RUNTIME_DIR in `workdir` too: whatever gunicorn puts there stays in the test's folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COLLAB_")}
    (workdir / "home").mkdir(exist_ok=True)
    (workdir / "run").mkdir(exist_ok=True)
    return {
        **env,
        "COLLAB_DATA_DIR": str(workdir / "data"),
        "HOME": str(workdir / "home"),
        "XDG_RUNTIME_DIR": str(workdir / "run"),
        **extra,
    }
