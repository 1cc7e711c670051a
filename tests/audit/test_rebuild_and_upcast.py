"""The tree is not a view: rebuilt from scratch it is the same tree, `projections rebuild`
leaves it alone, and upcasting old events on read changes nothing it covers."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, create_engine, select
from sqlalchemy.pool import StaticPool

from collab.audit import store, tree
from collab.audit import tables as t
from collab.audit.leaves import AuditProjection
from collab.domain.commitment import Commitment
from collab.stores import StoreConfig
from projections.follower import Follower
from projections.operations import rebuild
from projections.tables import define

from .world import World, build_world


@pytest.fixture
def world(durable: StoreConfig, tmp_path: Path) -> Iterator[World]:
    world = build_world(durable, tmp_path)
    yield world
    world.close()


def the_tree(conn: Connection) -> dict[str, Any]:
    """Every row of the leaves, nodes and stream heads, and the root they give."""
    rows = {
        table.name: sorted(tuple(row) for row in conn.execute(select(table)))
        for table in (t.leaves, t.nodes, t.heads)
    }
    size = store.size(conn)
    return {**rows, "size": size, "root": tree.root(size, store.lookup(conn)).hex()}


def test_a_tree_rebuilt_from_scratch_is_the_incremental_one(world: World) -> None:
    # Given the tree appended command by command
    svc = world.svc
    # When a follower with only the audit log appends it again, 3 events a batch, into a
    # fresh in-memory database
    engine = create_engine("sqlite://", poolclass=StaticPool)
    audit = AuditProjection(svc.audit.keys.origin)
    follower = Follower(svc.app, engine, define("rm_"), [audit], batch=3)
    follower.setup()
    assert follower.catch_up() == follower.head()
    # Then every leaf, node and stream head, and the root, are the same
    with engine.connect() as fresh, svc.audit.connect() as live:
        rebuilt, incremental = the_tree(fresh), the_tree(live)
    assert rebuilt["size"] == len(world.raw.positions()) > 3
    assert rebuilt == incremental
    engine.dispose()


def audit_rows(world: World) -> dict[str, Any]:
    with world.svc.audit.connect() as conn:
        rows = the_tree(conn)
        rows["checkpoints"] = sorted(tuple(r) for r in conn.execute(select(t.checkpoints)))
    tracking = "SELECT position FROM rm_tracking WHERE projection = 'audit_leaves'"
    rows["tracking"] = world.raw.run(tracking)
    return rows


def test_projections_rebuild_leaves_the_audit_log_alone(world: World) -> None:
    # Given a sealed log
    world.seal()
    before = audit_rows(world)
    assert before["tracking"] == [(len(world.raw.positions()),)]
    # When the views are rebuilt
    rebuild(world.svc.read)
    # Then the audit tables and the audit log's tracking row are as they were
    assert audit_rows(world) == before
    # And the next commands append exactly one leaf per event, at their positions
    new = world.more()
    appended = world.raw.run(
        "SELECT position FROM audit_leaves WHERE leaf >= ? ORDER BY leaf", before["size"]
    )
    assert [p for (p,) in appended] == new
    # And the log still seals and checks clean
    assert world.seal().signed
    assert world.check_database().problems == []


def test_upcast_events_verify_clean_and_their_stored_bytes_are_unchanged(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a sealed log, then the pledge event at class version 2 with an upcaster
    # adding a field (on read only: the database is not touched)
    world.seal()
    stored = {p: world.raw.event(p)[3] for p in world.raw.positions()}

    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["note"] = "upcast on read"

    monkeypatch.setattr(Commitment.Pledged, "class_version", 2, raising=False)
    monkeypatch.setattr(
        Commitment.Pledged, "upcast_v1_v2", staticmethod(upcast_v1_v2), raising=False
    )
    # When the log is exported and verified
    export = world.export(tmp_path / "export.jsonl")
    code, printed = world.verify_cli(export)
    # Then it is clean
    assert code == 0, printed
    # And the pledges' public form shows the upcast field, at version 2
    lines = [json.loads(line) for line in export.read_text().splitlines()[1:]]
    pledges = [line for line in lines if line["public"]["type"] == "Pledged"]
    assert len(pledges) == 2
    for line in pledges:
        assert line["public"]["version"] == 2
        assert line["public"]["data"]["note"] == "upcast on read"
    # And the stored bytes are unchanged: the exported ones, and those in the database
    assert {p: world.raw.event(p)[3] for p in world.raw.positions()} == stored
    for line in pledges:
        position = json.loads(line["entry"])["position"]
        assert base64.b64decode(line["event"]) == stored[position]
        assert b"upcast on read" not in stored[position]
