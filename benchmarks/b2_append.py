"""B2: one command's append ÷ the same rows inserted raw, on SQLite and PostgreSQL.

Measured: ``Application.save`` of one new aggregate event plus the command's idempotency
row, in one transaction, through ``collab.stores`` (and, for comparison, through the
``eventsourcing-sqlalchemy`` variant in ``benchmarks/sqla_store.py``). Ceiling: the same two
rows in one transaction through the bare driver (``sqlite3`` / ``psycopg``), same
durability (WAL + synchronous=FULL / synchronous_commit=on), same PostgreSQL table lock.

Writers are processes, not threads: the service runs as several gunicorn processes, each
with its own connections, and threads would measure the GIL and the library's in-process
writer lock rather than the database. Every path writes to its own database file (SQLite)
or schema (PostgreSQL), created for the run and removed after it.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from threading import BrokenBarrierError
from typing import Any

import psycopg
from psycopg.sql import SQL, Identifier

from benchmarks import b2_paths
from benchmarks.harness import RESULTS_DIR, Result, Timed, compare
from collab.stores import StoreConfig, eventsourcing_env

TARGET = 0.5
SQLA_TOPIC = "benchmarks.sqla_store:SQLAStoreFactory"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


class Writers:
    """``count`` writer processes holding every path open; times one path across all."""

    def __init__(self, count: int, specs: dict[str, dict[str, Any]]) -> None:
        ctx = multiprocessing.get_context("spawn")  # no inherited pools, locks or threads
        self.barrier = ctx.Barrier(count + 1)
        self.pipes = []
        self.processes = []
        for _ in range(count):
            parent, child = ctx.Pipe()
            process = ctx.Process(target=b2_paths.serve, args=(child, self.barrier, specs))
            process.start()
            self.pipes.append(parent)
            self.processes.append(process)
        ready = [_receive(pipe, "ready") for pipe in self.pipes]
        if any(settings != ready[0] for settings in ready):
            raise RuntimeError(f"writers disagree on their connection settings: {ready}")
        self.settings: dict[str, dict[str, str]] = ready[0]

    def timed(self, name: str, n: int) -> Timed:
        def run() -> float:
            for pipe in self.pipes:
                pipe.send((name, n))
            try:
                self.barrier.wait(timeout=300)
            except BrokenBarrierError:
                for pipe in self.pipes:
                    _receive(pipe, "done")  # raises with the writer's traceback
                raise
            started = time.perf_counter()
            for pipe in self.pipes:
                _receive(pipe, "done")
            return time.perf_counter() - started

        return run

    def close(self) -> None:
        for pipe in self.pipes:
            with suppress(OSError):  # a writer that failed has already gone
                pipe.send(None)
        for process in self.processes:
            process.join(timeout=60)
            if process.is_alive():
                process.terminate()
                process.join()


def _receive(pipe: Any, expected: str) -> Any:
    kind, payload = pipe.recv()
    if kind != expected:
        raise RuntimeError(f"writer failed:\n{payload}")
    return payload


@contextmanager
def sqlite_specs(scratch: Path) -> Iterator[dict[str, dict[str, Any]]]:
    scratch.mkdir(parents=True)
    try:
        yield {
            "collab": {"path": "app", "store": "collab", "env": _collab_env(f"{scratch}/c.db")},
            "sqlalchemy": {
                "path": "app",
                "store": "sqlalchemy",
                "env": {
                    "PERSISTENCE_MODULE": SQLA_TOPIC,
                    "SQLALCHEMY_URL": f"sqlite:///{scratch}/s.db",
                },
            },
            "raw": {"path": "raw", "url": f"sqlite:///{scratch}/raw.db"},
        }
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _collab_env(sqlite_path: str) -> dict[str, str]:
    return eventsourcing_env(StoreConfig(f"sqlite:///{sqlite_path}"))


@contextmanager
def postgres_specs(url: str) -> Iterator[dict[str, dict[str, Any]]]:
    tag = uuid.uuid4().hex[:8]
    schemas = {name: f"b2_{tag}_{name}" for name in ("collab", "sqlalchemy", "raw")}
    with admin_connection(url) as conn:
        for schema in schemas.values():
            conn.execute(SQL("CREATE SCHEMA {}").format(Identifier(schema)))
    try:
        yield {
            "collab": {
                "path": "app",
                "store": "collab",
                "env": eventsourcing_env(StoreConfig(f"{url}?schema={schemas['collab']}")),
            },
            "sqlalchemy": {
                "path": "app",
                "store": "sqlalchemy",
                "env": {
                    "PERSISTENCE_MODULE": SQLA_TOPIC,
                    "SQLALCHEMY_URL": url,
                    "SQLALCHEMY_SCHEMA": schemas["sqlalchemy"],
                },
            },
            "raw": {"path": "raw", "url": f"{url}?schema={schemas['raw']}"},
        }
    finally:
        with admin_connection(url) as conn:
            for schema in schemas.values():
                conn.execute(SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(Identifier(schema)))


def admin_connection(url: str) -> psycopg.Connection[Any]:
    return psycopg.connect(**StoreConfig(url).psycopg_kwargs(), autocommit=True, connect_timeout=3)


def create_tables(specs: dict[str, dict[str, Any]]) -> None:
    """Once, before the writers start, so they do not race to create them. The ceiling's
    tables are made by our own store, so both sides write to identical tables."""
    for spec in specs.values():
        env = spec["env"] if spec["path"] == "app" else eventsourcing_env(StoreConfig(spec["url"]))
        b2_paths.AppPath(env, spec.get("store", "collab")).close()


def postgres_url(bench_id: str = "B2") -> str | None:
    url = os.environ.get("COLLAB_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL
    url = url.split("?")[0]
    try:
        admin_connection(url).close()
    except psycopg.Error as e:
        print(f"{bench_id}: PostgreSQL skipped, unreachable at {url}: {' '.join(str(e).split())}")
        return None
    return url


def run(smoke: bool = False) -> list[Result]:
    rounds, per_writer = (5, 20) if smoke else (9, 300)
    backends: list[tuple[str, Any]] = [
        ("sqlite", lambda: sqlite_specs(RESULTS_DIR / f"scratch-b2-{uuid.uuid4().hex[:8]}"))
    ]
    if (url := postgres_url()) is not None:
        backends.append(("postgres", lambda: postgres_specs(url)))
    results = []
    for backend, specs_factory in backends:
        with specs_factory() as specs:
            create_tables(specs)
            for count in (1, 4):
                results += _compare_stores(backend, count, specs, rounds, per_writer)
    return results


def _compare_stores(
    backend: str, count: int, specs: dict[str, dict[str, Any]], rounds: int, per_writer: int
) -> list[Result]:
    writers = Writers(count, specs)
    try:
        return [
            compare(
                f"B2.{backend}.{store}.w{count}",
                writers.timed(store, per_writer),
                writers.timed("raw", per_writer),
                target=TARGET,
                rounds=rounds,
                gating=store == "collab",
                settings={
                    "backend": backend,
                    "store_module": store,
                    "writers": f"{count} processes",
                    "appends_per_writer_per_round": per_writer,
                    "measured_connection": writers.settings[store],
                    "ceiling_connection": writers.settings["raw"],
                    "postgres_insert_path": "LOCK TABLE ... IN EXCLUSIVE MODE (both sides)",
                },
            )
            for store in ("collab", "sqlalchemy")
        ]
    finally:
        writers.close()
