"""Given-helpers for the verifiable log on a real database: a service with keys on disk, a
partnership with commitments, sealing, exports, and raw SQL that tampers like an insider."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from flask import Flask
from psycopg.sql import SQL, Identifier

from api import create_app
from api.events import public
from api.service import Service, Settings
from collab.audit import store
from collab.audit import verify as v
from collab.audit.export import export_lines
from collab.audit.sealer import Sealed
from collab.stores import StoreConfig
from tests.api.conftest import Auth
from tests.api.setup_partnership import Setup
from tests.application.conftest import fixed_clock


def make_service_app(config: StoreConfig, data_dir: Path) -> Flask:
    settings = Settings(
        store=config, mode="embedded", clock=fixed_clock, data_dir=data_dir, seal_interval=3600
    )
    return create_app(settings)


class Raw:
    """Plain SQL on the database, bypassing the application (an insider's access)."""

    def __init__(self, config: StoreConfig) -> None:
        self.config = config
        self.pg = config.kind == "postgres"
        self.pos = "notification_id" if self.pg else "rowid"

    @contextmanager
    def cursor(self) -> Iterator[Any]:
        if self.pg:
            schema = self.config.postgres_settings()["POSTGRES_SCHEMA"]
            with psycopg.connect(**self.config.psycopg_kwargs(), autocommit=True) as conn:
                conn.execute(SQL("SET search_path TO {}").format(Identifier(schema)))
                yield conn.cursor()
        else:
            conn = sqlite3.connect(self.config.sqlite_path, isolation_level=None)
            try:
                yield conn.cursor()
            finally:
                conn.close()

    def run(self, sql: str, *params: Any) -> list[Any]:
        sql = sql.replace("{pos}", self.pos)
        if self.pg:
            sql = sql.replace("?", "%s")
        with self.cursor() as c:
            c.execute(sql, params)
            return list(c.fetchall()) if c.description else []

    def event(self, position: int) -> tuple[str, int, str, bytes]:
        row = self.run(
            "SELECT originator_id, originator_version, topic, state FROM stored_events "
            "WHERE {pos} = ?",
            position,
        )[0]
        return str(row[0]), int(row[1]), row[2], bytes(row[3])

    def set_state(self, position: int, state: bytes) -> None:
        self.run("UPDATE stored_events SET state = ? WHERE {pos} = ?", state, position)

    def flip_byte(self, position: int, offset: int = 10) -> None:
        state = bytearray(self.event(position)[3])
        state[offset] ^= 0x01
        self.set_state(position, bytes(state))

    def positions(self) -> list[int]:
        return [int(r[0]) for r in self.run("SELECT {pos} FROM stored_events ORDER BY {pos}")]


@dataclass
class World:
    """A service on a real database with a partnership, its commitments, and the log."""

    flask: Flask
    setup: Setup
    config: StoreConfig
    data_dir: Path
    raw: Raw

    @property
    def svc(self) -> Service:
        svc: Service = self.flask.extensions["collab"]
        return svc

    def seal(self) -> Sealed:
        return self.svc.audit.sealer.seal()

    def export(self, path: Path) -> Path:
        with self.svc.audit.connect() as conn, path.open("w") as out:
            checkpoint = self.svc.audit.checkpoint(conn)
            for line in export_lines(
                conn,
                self.svc.app.recorder,
                self.svc.app.mapper.to_domain_event,
                checkpoint,
                self.svc.audit.keys.origin,
                public=public,
            ):
                out.write(line)
        return path

    def keys(self) -> list[v.VerifierKey]:
        return list(self.svc.audit.keys.verifiers.values())

    def pubkey_files(self) -> list[str]:
        return [str(p) for p in sorted((self.data_dir / "keys").glob("*.pub"))]

    def verify(self, path: Path, **options: Any) -> v.Report:
        with path.open("rb") as lines:
            return v.verify_export(lines, self.keys(), **options)

    def leaf_of(self, position: int) -> int:
        with self.svc.audit.connect() as conn:
            leaf = store.leaf_at(conn, position)
        assert leaf is not None
        return leaf.leaf

    def positions_of(self, stream: str) -> list[int]:
        rows = self.raw.run(
            "SELECT {pos} FROM stored_events WHERE originator_id = ? ORDER BY originator_version",
            stream,
        )
        return [int(r[0]) for r in rows]

    def close(self) -> None:
        self.svc.close()


def build_world(config: StoreConfig, data_dir: Path) -> World:
    flask = make_service_app(config, data_dir)
    setup = Setup(Auth(flask), flask.test_client())
    setup.start()
    cid = setup.pledge("b")
    setup.deliver("b", cid)
    setup.pledge("c", confirm=False)
    return World(flask, setup, config, data_dir, Raw(config))
