"""The sealer: when it signs (at most once per interval, only when the log grew), what it
never signs (a second root for one size, a smaller size), and what a restore from an older
backup does to it, to `/readyz` and to `collab audit status` until the operator acts."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import main as cli
from collab.audit.sealer import Refused
from collab.audit.verify import canonical_json
from collab.stores import StoreConfig

from .world import World, build_world, make_service_app


@pytest.fixture
def world(durable: StoreConfig, tmp_path: Path) -> Iterator[World]:
    world = build_world(durable, tmp_path)
    yield world
    world.close()


def recorded(world: World) -> list[tuple[int, str]]:
    """The checkpoints recorded in the database: (size, root)."""
    rows = world.raw.run("SELECT size, root FROM audit_checkpoints ORDER BY size")
    return [(int(size), root) for size, root in rows]


def leaves(world: World) -> int:
    return int(world.raw.run("SELECT count(*) FROM audit_leaves")[0][0])


def test_commands_seal_at_most_once_per_interval(world: World) -> None:
    # Given the sealer on a fake clock, sealing at most once a minute
    sealer = world.svc.audit.sealer
    now = [time.time()]
    sealer.clock, sealer.interval = (lambda: now[0]), 60.0
    assert recorded(world) == []
    # When a command runs; Then a checkpoint of the whole tree is signed (in the background)
    world.setup.pledge("b", confirm=False)
    sealer.close()
    first = recorded(world)
    assert [size for size, _ in first] == [leaves(world)]
    # When another command runs 10 s later; Then nothing more is signed
    now[0] += 10
    world.setup.pledge("c", confirm=False)
    sealer.close()
    assert recorded(world) == first and leaves(world) > first[0][0]
    # When one runs 100 s later; Then the tree as it is then is signed
    now[0] += 100
    world.setup.pledge("b", confirm=False)
    sealer.close()
    assert [size for size, _ in recorded(world)] == [first[0][0], leaves(world)]


def test_a_seal_with_nothing_new_signs_nothing(world: World) -> None:
    # Given a checkpoint; When sealed again with no new leaf
    first = world.seal()
    again = world.seal()
    # Then nothing is signed: the same checkpoint is held, recorded once
    assert first.signed and not again.signed
    assert (again.size, again.root, again.note) == (first.size, first.root, first.note)
    assert world.kept().read_text() == first.note
    assert recorded(world) == [(first.size, first.root)]


def rewrite_a_recorded_time(world: World) -> None:
    """An organisation's registration (its stream's only event) given another recorded_at,
    its leaf hash and the tree recomputed: every check of the leaf against its event holds."""
    raw = world.raw
    position = next(p for p in raw.positions() if raw.event(p)[2].endswith(".Registered"))
    leaf = world.leaf_of(position)
    entry = json.loads(raw.run("SELECT entry FROM audit_leaves WHERE leaf = ?", leaf)[0][0])
    entry["recorded_at"] = "2030-05-31T00:00:00.000000Z"
    raw.rewrite_leaf(leaf, canonical_json(entry))


@pytest.mark.parametrize("kept", [True, False], ids=["kept", "kept-lost"])
def test_two_checkpoints_of_one_size_never_differ(world: World, kept: bool) -> None:
    # Given a checkpoint, then the tree rewritten under it (with the kept checkpoint, or
    # with it lost: the database's record still holds)
    first = world.seal()
    if not kept:
        world.kept().unlink()
    rewrite_a_recorded_time(world)
    # When the sealer runs; Then it refuses, and signs nothing
    with pytest.raises(Refused) as refused:
        world.seal()
    what = "kept" if kept else "recorded"
    assert f"no longer contains the {what} checkpoint of size {first.size}" in str(refused.value)
    assert recorded(world) == [(first.size, first.root)]
    assert world.kept().exists() == kept


@pytest.mark.parametrize("kept", [True, False], ids=["kept", "kept-lost"])
def test_checkpoint_sizes_never_decrease(world: World, kept: bool) -> None:
    # Given two checkpoints, then the tree cut back between them
    first = world.seal()
    tail = world.more()
    second = world.seal()
    world.raw.delete_events(*tail[1:])
    world.raw.truncate_tree(first.size + 1)
    if not kept:
        world.kept().unlink()
    # When the sealer runs; Then it refuses, naming the first leaf missing, and signs nothing
    with pytest.raises(Refused) as refused:
        world.seal()
    done = "signed" if kept else "recorded"
    alarm = refused.value.alarm
    assert f"holds {first.size + 1} leaves but checkpoint {second.size} was {done}" in alarm.reason
    assert alarm.leaf == first.size + 1
    assert recorded(world) == [(first.size, first.root), (second.size, second.root)]


def sqlite_copy(source: Path, target: Path) -> None:
    """A consistent copy with SQLite's online backup API (the WAL included)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def test_a_restore_from_an_older_backup_raises_the_alarm_until_the_operator_acts(
    sqlite_config: StoreConfig, tmp_path: Path
) -> None:
    # Given a backup taken after a checkpoint, then more work and a second checkpoint
    world = build_world(sqlite_config, tmp_path)
    database = Path(sqlite_config.sqlite_path)
    first = world.seal()
    sqlite_copy(database, tmp_path / "backup.db")
    world.more()
    second = world.seal()
    world.close()
    # When the backup is restored and a new service starts on it
    sqlite_copy(tmp_path / "backup.db", database)
    flask = make_service_app(sqlite_config, tmp_path)
    svc = flask.extensions["collab"]
    try:
        # Then the sealer refuses, naming the leaves lost
        with pytest.raises(Refused) as refused:
            svc.audit.sealer.seal()
        alarm = refused.value.alarm
        gap = f"the log holds {first.size} leaves but checkpoint {second.size} was signed"
        assert gap in alarm.reason and alarm.leaf == first.size
        # And /readyz answers 503 with the alarm, and `collab audit status` exits 1
        ready = flask.test_client().get("/readyz")
        assert ready.status_code == 503 and ready.mimetype == "application/problem+json"
        assert "audit alarm" in ready.json["detail"] and gap in ready.json["detail"]  # type: ignore[index]
        env = {"COLLAB_DATABASE_URL": sqlite_config.url, "COLLAB_DATA_DIR": str(tmp_path)}
        status = CliRunner().invoke(cli, ["audit", "status"], env=env)
        assert status.exit_code == 1 and gap in status.output
        # When the operator moves the kept checkpoint aside (the documented next step)
        keys = tmp_path / "keys"
        (keys / "checkpoint").rename(keys / f"checkpoint.lost-{second.size}")
        # Then the sealer signs again, from the restored log, and the alarm is gone
        sealed = svc.audit.sealer.seal()
        assert sealed.signed and (sealed.size, sealed.root) == (first.size, first.root)
        assert svc.audit.sealer.alarm() is None
        assert flask.test_client().get("/readyz").status_code == 200
        assert CliRunner().invoke(cli, ["audit", "status"], env=env).exit_code == 0
    finally:
        svc.close()
