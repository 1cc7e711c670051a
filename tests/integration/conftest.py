"""A real gunicorn process (and, in server mode, a follower process) per test.

Embedded mode on a SQLite file; server mode on PostgreSQL: gunicorn workers plus
`collab projections run`, exactly as the README's server-mode instructions say.
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


def collab(*args: str, env: dict[str, str], **popen: Any) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-c", "from api.cli import main; main()", *args]
    return subprocess.Popen(command, env=env, **popen)


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

    def admin_token(self) -> str:
        out = subprocess.run(
            [
                sys.executable,
                "-c",
                "from api.cli import main; main()",
                "actors",
                "create",
                "--name",
                "Admin",
                "--role",
                "admin",
                "--with-token",
            ],
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        return next(line.split()[1] for line in out.splitlines() if line.startswith("token "))


@contextmanager
def serve(config: StoreConfig, workdir: Path) -> Iterator[Served]:
    """`collab serve` on a free port (plus a follower in server mode) until the block ends."""
    port = free_port()
    mode = "server" if config.kind == "postgres" else "embedded"
    env = {
        **os.environ,
        "COLLAB_DATABASE_URL": config.url,
        "COLLAB_DATA_DIR": str(workdir),
        "COLLAB_MODE": mode,
    }
    log = open(workdir / "gunicorn.log", "wb")  # noqa: SIM115  # closed below
    procs = [
        collab(
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    ]
    if mode == "server":
        procs.append(
            collab(
                "projections",
                "run",
                "--poll",
                "0.05",
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    http = Http(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + START_DEADLINE
        while True:
            try:
                if http.get("/healthz").status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or procs[0].poll() is not None:
                log.flush()
                raise RuntimeError((workdir / "gunicorn.log").read_text()[-3000:])
            time.sleep(0.05)  # polling a starting server to a deadline
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
