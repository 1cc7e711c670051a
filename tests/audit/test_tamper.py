"""Tampering with a real database, as an insider with SQL access but not the signing key.

Each case, on SQLite and on PostgreSQL: the sealer refuses and raises its alarm, naming the
leaf where it can; the verifier names the first bad leaf of a real export; and the check
behind `collab audit verify --database` reports it too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from uuid import uuid4

import pytest

from collab.audit.sealer import Alarm, Refused, Sealed
from collab.audit.verify import Problem, Report, canonical_json, checkpoint_body, leaf_hash
from collab.stores import StoreConfig

from .world import World, build_world


@dataclass
class Scene:
    """A log sealed once (`first`), then a pledge recorded after it (`tail`, unsealed)."""

    world: World
    first: Sealed
    tail: list[int]  # positions: Pledged, CommitmentNoted, ConfirmationNoted, Confirmed

    def leaf(self, i: int) -> int:
        return self.world.leaf_of(self.tail[i])


@pytest.fixture
def scene(durable: StoreConfig, tmp_path: Path) -> Iterator[Scene]:
    world = build_world(durable, tmp_path)
    first = world.seal()
    tail = world.more()
    assert first.signed and len(tail) == 4
    yield Scene(world, first, tail)
    world.close()


def refused(world: World) -> Alarm:
    """When the sealer runs: it refuses, and the alarm it raised reads back the same."""
    with pytest.raises(Refused) as caught:
        world.seal()
    alarm = caught.value.alarm
    assert world.svc.audit.sealer.alarm() == alarm
    assert json.loads((world.data_dir / "keys" / "alarm").read_text())["reason"] == alarm.reason
    return alarm


def first_bad(report: Report) -> Problem:
    assert report.exit_code == 1, report
    return report.problems[0]


def reported(report: Report, leaf: int | None, words: str) -> bool:
    return any(p.leaf == leaf and words in p.reason for p in report.problems)


# -- Events edited, moved, deleted, inserted or copied after the last checkpoint -------------


def edited(s: Scene) -> tuple[int, str, str]:
    s.world.raw.flip_byte(s.tail[1])
    return 1, "the stored event differs from its leaf", "do not match the entry's state_sha256"


def swapped_in_stream(s: Scene) -> tuple[int, str, str]:
    assert s.world.raw.event(s.tail[1])[0] == s.world.raw.event(s.tail[2])[0]
    s.world.raw.swap_states(s.tail[1], s.tail[2])
    return 1, "the stored event differs from its leaf", "do not match the entry's state_sha256"


def swapped_across(s: Scene) -> tuple[int, str, str]:
    assert s.world.raw.event(s.tail[0])[0] != s.world.raw.event(s.tail[1])[0]
    s.world.raw.swap_states(s.tail[0], s.tail[1])
    return 0, "the stored event differs from its leaf", "do not match the entry's state_sha256"


def deleted(s: Scene) -> tuple[int, str, str]:
    s.world.raw.delete_events(s.tail[1])
    return 1, "the stored event is missing", "the stored event is missing"


def inserted(s: Scene) -> tuple[int, str, str]:
    # A new stream's first event, without a writer signature: the follower makes it a leaf
    s.tail.append(s.world.raw.insert_copy(s.tail[0], str(uuid4()), 1))
    s.world.svc.read.catch_up()
    return 4, "no writer signature", "the event has no writer signature"


def duplicated(s: Scene) -> tuple[int, str, str]:
    # The key (stream, version) dropped, then a copy of a signed event row: a valid signature
    s.world.raw.drop_event_key()
    s.tail.append(s.world.raw.insert_copy(s.tail[1]))
    s.world.svc.read.catch_up()
    return 4, f"is at leaf {s.leaf(1)} already", "appears again"


@pytest.mark.parametrize(
    "tamper",
    [edited, swapped_in_stream, swapped_across, deleted, inserted, duplicated],
    ids=lambda f: f.__name__,
)
def test_an_event_tampered_after_the_checkpoint_is_named_by_all_three(
    scene: Scene, tmp_path: Path, tamper: Callable[[Scene], tuple[int, str, str]]
) -> None:
    # Given an event since the last checkpoint tampered with
    world = scene.world
    i, sealer_says, verifier_says = tamper(scene)
    leaf, position = scene.leaf(i), scene.tail[i]
    # When the sealer runs; Then it refuses at that leaf
    alarm = refused(world)
    assert (alarm.leaf, alarm.position) == (leaf, position) and sealer_says in alarm.reason
    # And an export under a checkpoint signed over the same tree (as one was before an edit
    # that leaves the tree alone; or by a sealer that skipped its checks) names it first
    world.sign_unchecked()
    export = world.export(tmp_path / "export.jsonl")
    bad = first_bad(world.verify(export, previous=world.opened(scene.first.note)))
    assert (bad.leaf, bad.position) == (leaf, position) and verifier_says in bad.reason
    code, printed = world.verify_cli(export)
    assert code == 1 and f"first bad: leaf {leaf} (position {position})" in printed
    # And the database check names it too
    assert reported(world.check_database(), leaf, verifier_says)


# -- The tree rewritten to match ----------------------------------------------------------


def test_an_edit_with_the_tree_recomputed_fails_the_checkpoints_and_the_signature(
    scene: Scene, tmp_path: Path
) -> None:
    # Given a second checkpoint (kept), and a partner holding the first, older one
    world = scene.world
    kept = world.seal()
    older = tmp_path / "older.cp"
    older.write_text(scene.first.note)
    # And an organisation's registration edited, its entry, leaf hash and tree recomputed
    raw = world.raw
    position = next(p for p in raw.positions() if raw.event(p)[2].endswith(".Registered"))
    leaf = world.leaf_of(position)
    assert leaf < scene.first.size
    state = raw.event(position)[3].replace(b"organisation", b"0rganisation")
    raw.set_state(position, state)
    entry = json.loads(raw.run("SELECT entry FROM audit_leaves WHERE leaf = ?", leaf)[0][0])
    raw.rewrite_leaf(leaf, canonical_json(entry | {"state_sha256": sha(state)}))
    # When the sealer runs; Then the tree no longer holds the kept checkpoint
    alarm = refused(world)
    assert f"no longer contains the kept checkpoint of size {kept.size}" in alarm.reason
    # And the verifier names the writer signature at that leaf, then each checkpoint's root
    export = world.export(tmp_path / "export.jsonl")
    report = world.verify(
        export, checkpoint=world.opened(kept.note), previous=world.opened(scene.first.note)
    )
    bad = first_bad(report)
    assert (bad.leaf, bad.position) == (leaf, position) and "signature" in bad.reason
    assert reported(report, None, "not the checkpoint you hold's root")
    assert reported(report, None, f"first {scene.first.size} leaves is not the previous")
    cli = world.verify_cli(
        export, "--checkpoint", str(world.kept()), "--previous-checkpoint", str(older)
    )
    assert cli[0] == 1
    # And the database check reports the signature and the kept checkpoint's root
    db = world.check_database()
    assert reported(db, leaf, "signature") and reported(db, None, "checkpoint you hold")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- The tail cut off, then history written again -----------------------------------------


@pytest.mark.parametrize("with_leaves", [False, True], ids=["events", "events-and-leaves"])
def test_a_truncated_tail_is_named_at_its_first_missing_leaf(
    scene: Scene, tmp_path: Path, with_leaves: bool
) -> None:
    # Given the log sealed with the pledge, then its last three events cut off
    world = scene.world
    kept = world.seal()
    cut = scene.leaf(1)
    world.raw.delete_events(*scene.tail[1:])
    if with_leaves:  # and their leaves, every node above them, the stream heads
        world.raw.truncate_tree(cut)
    # When the sealer runs; Then it names the first leaf cut off
    alarm = refused(world)
    assert alarm.leaf == cut
    if with_leaves:
        assert f"the log holds {cut} leaves but checkpoint {kept.size} was signed" in alarm.reason
    else:
        assert alarm.position == scene.tail[1] and "the tail was cut off" in alarm.reason
    # And the verifier, holding the kept checkpoint, names the first missing leaf
    export = world.export(tmp_path / "export.jsonl")
    bad = first_bad(world.verify(export, checkpoint=world.opened(kept.note)))
    assert bad.leaf == cut and "missing" in bad.reason
    code, printed = world.verify_cli(export, "--checkpoint", str(world.kept()))
    assert code == 1 and f"first bad: leaf {cut}" in printed
    assert first_bad(world.check_database()).leaf == cut


def test_a_truncated_tail_written_again_through_the_application_is_named(
    scene: Scene, tmp_path: Path
) -> None:
    # Given the log sealed with the pledge, its last three events cut off, and a new pledge
    world = scene.world
    kept = world.seal()
    world.raw.delete_events(*scene.tail[1:])
    again = world.more()
    if world.raw.pg:  # a sequence never gives a position twice
        assert min(again) > max(scene.tail)
    else:  # SQLite gives the deleted rowids to the new events: same positions, other events
        assert again[:3] == scene.tail[1:]
    # When the sealer runs; Then it refuses at the last leaf it signed, whose event is gone
    alarm = refused(world)
    assert (alarm.leaf, alarm.position) == (kept.size - 1, scene.tail[3])
    # And the verifier and the database check name the first leaf rewritten
    export = world.export(tmp_path / "export.jsonl")
    bad = first_bad(world.verify(export, checkpoint=world.opened(kept.note)))
    assert (bad.leaf, bad.position) == (scene.leaf(1), scene.tail[1])
    assert first_bad(world.check_database()).leaf == scene.leaf(1)


# -- The checkpoint kept outside the database -----------------------------------------------


def test_a_kept_checkpoint_replaced_by_another_root_of_the_same_size_is_refused(
    scene: Scene,
) -> None:
    # Given the kept checkpoint replaced by one signed with the ring's own key, same size,
    # another root (a fork)
    world = scene.world
    kept = world.seal()
    keys = world.svc.audit.keys
    fork = keys.signer.sign_note(checkpoint_body(keys.origin, kept.size, leaf_hash(b"fork")))
    world.kept().write_text(fork)
    # When the sealer runs; Then it refuses: the tree does not contain it
    alarm = refused(world)
    assert f"no longer contains the kept checkpoint of size {kept.size}" in alarm.reason
    # And the database check reports the fork
    assert reported(world.check_database(), None, "fork")


# -- Lines of a real export removed, reordered or duplicated -----------------------------------


@pytest.mark.parametrize(
    ("edit", "bad_leaf"),
    [
        (lambda ls: ls.pop(5), 5),
        (lambda ls: ls.insert(5, ls.pop(6)), 5),
        (lambda ls: ls.insert(6, ls[5]), 6),
    ],
    ids=["removed", "reordered", "duplicated"],
)
def test_an_edited_real_export_names_the_leaf_where_the_sequence_breaks(
    scene: Scene, tmp_path: Path, edit: Callable[[list[bytes]], object], bad_leaf: int
) -> None:
    # Given a real export with one of its leaf lines removed, moved or copied
    world = scene.world
    world.seal()
    header, *lines = world.export(tmp_path / "export.jsonl").read_bytes().splitlines(True)
    edit(lines)
    edited_export = tmp_path / "edited.jsonl"
    edited_export.write_bytes(header + b"".join(lines))
    # When verified; Then the leaf where the sequence breaks is named
    bad = first_bad(world.verify(edited_export))
    assert bad.leaf == bad_leaf and "missing, extra, reordered or duplicated" in bad.reason
