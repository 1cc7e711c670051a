"""Keys and origin outside the database (DESIGN §5): made once, exclusively; required in
server mode; rotated without losing the old checkpoints' verifiability."""

from __future__ import annotations

import base64
import hashlib
import multiprocessing
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import main
from api.service import Service, Settings
from collab.actors.commands import EnrolActor
from collab.actors.handlers import OPERATOR
from collab.audit import verify as v
from collab.audit.keys import KeyRing, KeysMissingError, rotate
from collab.commands import Context
from collab.stores import StoreConfig


def load_in_child(data_dir: str) -> str:
    return KeyRing.load(Path(data_dir), create=True).signer.key_id


def test_processes_starting_together_agree_on_one_key_and_one_origin(tmp_path: Path) -> None:
    # Given a fresh data directory and six processes starting at once
    with multiprocessing.get_context("spawn").Pool(6) as pool:
        key_ids = pool.map(load_in_child, [str(tmp_path)] * 6)
    # Then they all sign with the same key, and exactly one key and one origin exist
    assert len(set(key_ids)) == 1
    keys = tmp_path / "keys"
    assert sorted(p.name for p in keys.glob("*.key")) == [f"{key_ids[0]}.key"]
    assert (keys / f"{key_ids[0]}.key").stat().st_mode & 0o077 == 0  # private to the owner
    origin = (keys / "origin").read_text().strip()
    assert origin.startswith("collab.example/") and len(origin) > len("collab.example/")
    verifier = v.VerifierKey.parse((keys / f"{key_ids[0]}.pub").read_text().strip())
    assert verifier.name == origin and verifier.key_id == key_ids[0]


def test_server_mode_refuses_to_start_without_a_key(tmp_path: Path) -> None:
    # Given server mode on an empty data directory
    settings = Settings(
        store=StoreConfig(f"sqlite:///{tmp_path}/collab.db"), mode="server", data_dir=tmp_path
    )
    # When the service starts, then it refuses and names the command that makes the key
    with pytest.raises(KeysMissingError, match="collab audit keygen"):
        Service(settings)
    assert not (tmp_path / "keys").exists() or not list((tmp_path / "keys").glob("*.key"))


def test_keygen_then_server_mode_signs_every_event(tmp_path: Path) -> None:
    env = {"COLLAB_DATA_DIR": str(tmp_path), "COLLAB_DATABASE_URL": ""}
    # Given `collab audit keygen`
    made = CliRunner().invoke(main, ["audit", "keygen"], env=env)
    assert made.exit_code == 0, made.output
    # ... which refuses to make a second key
    again = CliRunner().invoke(main, ["audit", "keygen"], env=env)
    assert again.exit_code == 1 and "rotate" in again.output
    # When a server-mode service records an event
    settings = Settings(
        store=StoreConfig(f"sqlite:///{tmp_path}/collab.db"), mode="server", data_dir=tmp_path
    )
    svc = Service(settings)
    try:
        out = svc.app.execute(Context(OPERATOR), EnrolActor(role="broker"))
        (n,) = svc.app.recorder.select_notifications(out.position, 1)
        key = (str(n.originator_id), n.originator_version)
        # Then its writer signature was recorded with the key keygen made
        key_id, signature = svc.app.side.get_signatures([key])[key]
        assert key_id in made.output
        verifier = svc.audit.keys.verifiers[key_id]
        message = v.writer_message(key[0], key[1], n.topic, hashlib.sha256(n.state).hexdigest())
        assert verifier.verify(base64.b64decode(signature), message)
    finally:
        svc.close()


def test_rotation_keeps_old_checkpoints_verifiable(tmp_path: Path) -> None:
    # Given an embedded service that signed a checkpoint with its first key
    config = StoreConfig(f"sqlite:///{tmp_path}/collab.db")
    settings = Settings(store=config, mode="embedded", data_dir=tmp_path, seal_interval=3600)
    svc = Service(settings)
    svc.app.execute(Context(OPERATOR), EnrolActor(role="broker"))
    first = svc.audit.sealer.seal()
    old_key = svc.audit.keys.signer.key_id
    svc.close()
    # When the key is rotated and the restarted service records and seals more
    new_key = rotate(tmp_path)
    assert new_key != old_key
    assert (tmp_path / "keys" / f"{old_key}.key.retired").exists()
    svc = Service(settings)
    try:
        svc.app.execute(Context(OPERATOR), EnrolActor(role="auditor"))
        second = svc.audit.sealer.seal()
        ring = svc.audit.keys
        # Then the new checkpoint is signed by the new key, the old one still opens, and
        # the sealer accepted events signed by either key
        assert second.signed and second.size > first.size
        assert ring.signer.key_id == new_key and set(ring.verifiers) == {old_key, new_key}
        old_only = [ring.verifiers[old_key]]
        assert v.open_checkpoint(first.note, old_only).size == first.size
        with pytest.raises(v.NoteError):
            v.open_checkpoint(second.note, old_only)
        assert v.open_checkpoint(second.note, [ring.verifiers[new_key]]).size == second.size
    finally:
        svc.close()
