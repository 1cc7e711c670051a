"""Given-helpers for the verifiable log on a real database: a service with keys on disk, a
partnership with commitments, sealing, exports, and raw SQL that tampers like an insider."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
from flask import Flask
from psycopg.sql import SQL, Identifier

from api import create_app
from api.events import public
from api.service import Service, Settings
from collab.audit import store, tree
from collab.audit import verify as v
from collab.audit.database import check_database
from collab.audit.sealer import Sealed
from collab.stores import StoreConfig
from tests.api.conftest import Auth
from tests.api.setup_partnership import Setup
from tests.application.conftest import fixed_clock

LATER = datetime(2031, 1, 1, tzinfo=UTC)  # after the fixed clock: no "in the future" warning
NEVER = float("inf")  # a seal interval: the tests seal when they choose, never in background


def make_service_app(config: StoreConfig, data_dir: Path, seal_interval: float = NEVER) -> Flask:
    settings = Settings(
        store=config,
        mode="embedded",
        clock=fixed_clock,
        data_dir=data_dir,
        seal_interval=seal_interval,
    )
    return create_app(settings)


class Raw:
    """Plain SQL on the database, bypassing the application (an insider's access)."""

    def __init__(self, config: StoreConfig) -> None:
        self.config = config
        self.pg = config.kind == "postgres"
        self.pos = "notification_id" if self.pg else "rowid"
        self.events = "collab_events" if self.pg else "stored_events"

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
        sql = sql.replace("{pos}", self.pos).replace("{events}", self.events)
        if self.pg:
            sql = sql.replace("?", "%s")
        with self.cursor() as c:
            # psycopg takes a '%' for a placeholder only when parameters are given
            c.execute(sql, params if params or not self.pg else None)
            return list(c.fetchall()) if c.description else []

    def event(self, position: int) -> tuple[str, int, str, bytes]:
        row = self.run(
            "SELECT originator_id, originator_version, topic, state FROM {events} WHERE {pos} = ?",
            position,
        )[0]
        return str(row[0]), int(row[1]), row[2], bytes(row[3])

    def set_state(self, position: int, state: bytes) -> None:
        self.run("UPDATE {events} SET state = ? WHERE {pos} = ?", state, position)

    def flip_byte(self, position: int, offset: int = 10) -> None:
        state = bytearray(self.event(position)[3])
        state[offset] ^= 0x01
        self.set_state(position, bytes(state))

    def positions(self) -> list[int]:
        return [int(r[0]) for r in self.run("SELECT {pos} FROM {events} ORDER BY {pos}")]

    def stream(self, stream: str) -> str:
        """A stream id as the table holds it (SQLite: 32 hex digits; PostgreSQL: uuid)."""
        return stream if self.pg else UUID(stream).hex

    # -- tampering beyond one row -----------------------------------------------------------

    def swap_states(self, a: int, b: int) -> None:
        state_a, state_b = self.event(a)[3], self.event(b)[3]
        self.set_state(a, state_b)
        self.set_state(b, state_a)

    def delete_events(self, *positions: int) -> None:
        """Event rows deleted with their writer signatures (so the versions can be reused)."""
        for position in positions:
            stream, version, _, _ = self.event(position)
            self.run("DELETE FROM {events} WHERE {pos} = ?", position)
            self.run(
                "DELETE FROM collab_event_signatures "
                "WHERE originator_id = ? AND originator_version = ?",
                str(UUID(stream)),
                version,
            )

    def insert_copy(self, position: int, stream: str | None = None, version: int = 1) -> int:
        """A copy of the event row at `position` (into `stream` at `version`, or as it is),
        with no writer signature of its own; its new position."""
        if stream is None:
            self.run(
                "INSERT INTO {events} (originator_id, originator_version, topic, state) "
                "SELECT originator_id, originator_version, topic, state FROM {events} "
                "WHERE {pos} = ?",
                position,
            )
        else:
            _, _, topic, state = self.event(position)
            self.run(
                "INSERT INTO {events} (originator_id, originator_version, topic, state) "
                "VALUES (?, ?, ?, ?)",
                self.stream(stream),
                version,
                topic,
                state,
            )
        return self.positions()[-1]

    def drop_event_key(self) -> None:
        """The events table without its primary key (stream, version); positions kept."""
        if self.pg:
            name = self.run(
                "SELECT conname FROM pg_constraint "
                "WHERE conrelid = '{events}'::regclass AND contype = 'p'"
            )[0][0]
            self.run(f'ALTER TABLE {self.events} DROP CONSTRAINT "{name}"')
            return
        columns = "originator_id, originator_version, topic, state"
        self.run(f"CREATE TABLE loose ({columns})")
        self.run(f"INSERT INTO loose (rowid, {columns}) SELECT rowid, {columns} FROM {self.events}")
        self.run("DROP TABLE {events}")
        self.run("ALTER TABLE loose RENAME TO {events}")

    def leaf_hashes(self) -> list[bytes]:
        rows = self.run("SELECT leaf_hash FROM audit_leaves ORDER BY leaf")
        return [bytes.fromhex(r[0]) for r in rows]

    def rewrite_leaf(self, leaf: int, entry: bytes) -> None:
        """A new entry for `leaf`, its leaf hash recomputed; then the whole stored tree."""
        self.run(
            "UPDATE audit_leaves SET entry = ?, leaf_hash = ? WHERE leaf = ?",
            entry.decode(),
            v.leaf_hash(entry).hex(),
            leaf,
        )
        self.recompute_tree()

    def truncate_tree(self, size: int) -> None:
        """Leaves from `size` on deleted with every node above them; the tree recomputed."""
        self.run("DELETE FROM audit_leaves WHERE leaf >= ?", size)
        self.recompute_tree()

    def recompute_tree(self) -> None:
        """Every perfect subtree and stream head computed again from the leaves as stored."""
        hashes = self.leaf_hashes()
        lookup = tree.lookup_in(hashes)
        self.run("DELETE FROM audit_nodes")
        for level in range(1, len(hashes).bit_length()):
            for idx in range(len(hashes) >> level):
                node = lookup([(level, idx)])[(level, idx)]
                self.run("INSERT INTO audit_nodes VALUES (?, ?, ?)", level, idx, node.hex())
        self.run("DELETE FROM audit_heads")
        self.run(
            "INSERT INTO audit_heads SELECT stream, version, leaf_hash FROM audit_leaves "
            "WHERE leaf IN (SELECT max(leaf) FROM audit_leaves GROUP BY stream)"
        )


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
            out.writelines(self.svc.export_lines(conn, checkpoint))
        return path

    def keys(self) -> list[v.VerifierKey]:
        return list(self.svc.audit.keys.verifiers.values())

    def pubkey_files(self) -> list[str]:
        return [str(p) for p in sorted((self.data_dir / "keys").glob("*.pub"))]

    def verify(self, path: Path, **options: Any) -> v.Report:
        options.setdefault("now", LATER)
        with path.open("rb") as lines:
            return v.verify_export(lines, self.keys(), **options)

    def verify_cli(self, path: Path, *args: str) -> tuple[int, str]:
        """The standalone verifier's command line: its exit code and what it printed."""
        keys = [a for p in self.pubkey_files() for a in ("--pubkey", p)]
        out = io.StringIO()
        with redirect_stdout(out), redirect_stderr(out):
            code = v.main([str(path), *keys, "--now", LATER.isoformat(), *args])
        return code, out.getvalue()

    def check_database(self) -> v.Report:
        """What `collab audit verify --database` reports on this database."""
        svc = self.svc
        return check_database(
            svc.read.readers,
            svc.app.recorder,
            svc.app.mapper.to_domain_event,
            svc.audit.keys,
            public,
        )

    def opened(self, note: str) -> v.Checkpoint:
        return v.open_checkpoint(note, self.keys())

    def kept(self) -> Path:
        return self.data_dir / "keys" / "checkpoint"

    def sign_unchecked(self) -> str:
        """A checkpoint of the tree as it stands, signed with the ring's key WITHOUT the
        sealer's checks and recorded for exports: the very bytes an honest seal made just
        before an edit that leaves the tree alone (a checkpoint holds no time), or what a
        sealer skipping its checks would sign over an inserted event."""
        hashes = self.raw.leaf_hashes()
        keys = self.svc.audit.keys
        body = v.checkpoint_body(keys.origin, len(hashes), v.root_of(hashes))
        note = keys.signer.sign_note(body)
        self.raw.run("DELETE FROM audit_checkpoints WHERE size = ?", len(hashes))
        self.raw.run(
            "INSERT INTO audit_checkpoints VALUES (?, ?, ?, ?)",
            len(hashes),
            v.root_of(hashes).hex(),
            note,
            "2030-06-01T00:00:00.000000Z",
        )
        return note

    def leaf_of(self, position: int) -> int:
        with self.svc.audit.connect() as conn:
            leaf = store.leaf_at(conn, position)
        assert leaf is not None
        return leaf.leaf

    def positions_of(self, stream: str) -> list[int]:
        rows = self.raw.run(
            "SELECT {pos} FROM {events} WHERE originator_id = ? ORDER BY originator_version",
            self.raw.stream(stream),
        )
        return [int(r[0]) for r in rows]

    def more(self) -> list[int]:
        """A pledge by 'b', confirmed, through the application: the new events' positions."""
        before = self.setup.head()
        self.setup.pledge("b")
        return [p for p in self.raw.positions() if p > before]

    def close(self) -> None:
        self.svc.close()


def build_world(config: StoreConfig, data_dir: Path, seal_interval: float = NEVER) -> World:
    flask = make_service_app(config, data_dir, seal_interval)
    setup = Setup(Auth(flask), flask.test_client())
    setup.start()
    cid = setup.pledge("b")
    setup.deliver("b", cid)
    setup.pledge("c", confirm=False)
    return World(flask, setup, config, data_dir, Raw(config))
