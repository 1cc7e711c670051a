"""The offline verifier on proof bundles, with rotated keys, and as a file copied on its own."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from collab.audit import verify
from collab.audit.signing import Signer
from collab.audit.verify import NoteError, VerifierKey, open_checkpoint

from .support import NOW, Log, N, first_bad, new_signer, run, write_text


def write_bundle(tmp_path: Path, bundle: dict[str, Any]) -> Path:
    return write_text(tmp_path / "bundle.json", json.dumps(bundle, indent=2))


def test_a_valid_bundle_verifies(tmp_path: Path, log: Log, key: Path) -> None:
    # Given the inclusion proof of leaf 5 in the tree of size 12 (pretty-printed JSON)
    path = write_bundle(tmp_path, log.bundle(5))
    # When verified; Then it is recognised as a bundle and is clean
    code, report = run(path, "--pubkey", key)
    assert (code, report["kind"], report["size"], report["checked"]) == (0, "proof bundle", N, 1)


def test_a_bundle_consistent_with_an_old_checkpoint_verifies(
    tmp_path: Path, log: Log, key: Path
) -> None:
    # Given an auditor holding the checkpoint of size 5, and a bundle proving 5 -> 12
    previous = write_text(tmp_path / "old.cp", log.checkpoint(5))
    path = write_bundle(tmp_path, log.bundle(3, from_size=5))
    # When verified against the old checkpoint; Then clean
    assert run(path, "--pubkey", key, "--previous-checkpoint", previous)[0] == 0


def test_a_tampered_inclusion_proof_fails(tmp_path: Path, log: Log, key: Path) -> None:
    # Given a bundle whose second proof hash has one bit flipped
    bundle = log.bundle(5)
    h = bytearray.fromhex(bundle["inclusion"][1])
    h[0] ^= 0x80
    bundle["inclusion"][1] = h.hex()
    code, report = run(write_bundle(tmp_path, bundle), "--pubkey", key)
    # Then leaf 5 is named: its proof does not verify
    leaf, reason = first_bad(report)
    assert (code, leaf) == (1, 5) and "inclusion proof does not verify" in reason


def test_an_edited_entry_in_a_bundle_fails(tmp_path: Path, log: Log, key: Path) -> None:
    # Given a bundle whose entry names another topic (its leaf_hash left as it was)
    bundle = log.bundle(5)
    bundle["entry"] = bundle["entry"].replace("MilestoneReached", "MilestoneMissed")
    code, report = run(write_bundle(tmp_path, bundle), "--pubkey", key)
    assert code == 1 and first_bad(report) == (5, "leaf_hash is not the hash of the entry")


def test_a_consistency_proof_from_the_wrong_old_size_fails(
    tmp_path: Path, log: Log, key: Path
) -> None:
    # Given an auditor holding size 5 and a bundle proving consistency from size 4
    previous = write_text(tmp_path / "old.cp", log.checkpoint(5))
    path = write_bundle(tmp_path, log.bundle(3, from_size=4))
    code, report = run(path, "--pubkey", key, "--previous-checkpoint", previous)
    # Then the mismatch is named
    assert code == 1 and "from size 4" in first_bad(report)[1]


def test_a_consistency_proof_over_a_rewritten_history_fails(tmp_path: Path, key: Path) -> None:
    # Given the auditor's checkpoint of size 5 from one history, and a bundle from another
    # history with the same key (the database was rewritten and the sealer forced)
    log = Log.populate(N)
    other = Log.populate(N, signer=log.signer)
    key = write_text(tmp_path / "k.pub", log.signer.verifier)
    previous = write_text(tmp_path / "old.cp", log.checkpoint(5))
    path = write_bundle(tmp_path, other.bundle(3, from_size=5))
    code, report = run(path, "--pubkey", key, "--previous-checkpoint", previous)
    assert code == 1 and "does not verify" in first_bad(report)[1]


def test_a_bundle_older_than_the_held_checkpoint_fails(tmp_path: Path, log: Log, key: Path) -> None:
    previous = write_text(tmp_path / "new.cp", log.checkpoint())
    path = write_bundle(tmp_path, log.bundle(3, size=8))
    code, report = run(path, "--pubkey", key, "--previous-checkpoint", previous)
    assert code == 1 and "smaller than one already held" in first_bad(report)[1]


def rotated(tmp_path: Path) -> tuple[Path, Signer, Signer]:
    """A log whose first six events are signed by an old key, the rest and the checkpoint by
    a new one (the key was rotated between leaves 5 and 6)."""
    old, new = new_signer(), new_signer()
    log = Log(new)
    streams = ["a2f1e7c0-0000-4000-8000-000000000001", "a2f1e7c0-0000-4000-8000-000000000002"]
    for i in range(N):
        log.append(streams[i % 2], signer=old if i < 6 else new)
    return log.export(tmp_path / "rotated.jsonl"), old, new


def test_key_rotation_verifies_with_both_keys(tmp_path: Path) -> None:
    path, old, new = rotated(tmp_path)
    keys = [write_text(tmp_path / f"{s.key_id}.pub", s.verifier) for s in (old, new)]
    # When both verifier keys are given; Then clean
    assert run(path, "--pubkey", keys[0], "--pubkey", keys[1])[0] == 0


def test_key_rotation_fails_clearly_with_one_key(tmp_path: Path) -> None:
    path, old, new = rotated(tmp_path)
    old_key = write_text(tmp_path / "old.pub", old.verifier)
    new_key = write_text(tmp_path / "new.pub", new.verifier)
    # When only the new key is given; Then leaf 0 names the old key id as unknown
    code, report = run(path, "--pubkey", new_key)
    leaf, reason = first_bad(report)
    assert (code, leaf) == (1, 0) and f"unknown key id '{old.key_id}'" in reason
    assert {p["leaf"] for p in report["problems"]} == set(range(6))
    # When only the old key is given; Then the checkpoint (signed by the new key) is refused
    code, report = run(path, "--pubkey", old_key)
    assert code == 1 and "checkpoint does not verify" in first_bad(report)[1]


def test_verify_py_runs_alone_as_a_copied_file(tmp_path: Path, log: Log, key: Path) -> None:
    # Given verify.py copied alone into an empty directory, and a tampered export
    alone = tmp_path / "alone"
    alone.mkdir()
    script = Path(shutil.copy(verify.__file__, alone / "verify.py"))
    lines = log.lines()
    lines[7]["signature"] = None
    header = json.dumps(log.header())
    export = write_text(tmp_path / "e.jsonl", "\n".join([header, *map(json.dumps, lines)]) + "\n")
    # When run as a script in isolated mode (no project path), from that directory
    args = [sys.executable, "-I", str(script), str(export), "--pubkey", str(key), "--now", NOW]
    done = subprocess.run(args, cwd=alone, capture_output=True, text=True, timeout=60)
    # Then it names the first bad leaf in plain words, exit 1
    assert done.returncode == 1, done.stderr
    assert "first bad: leaf 7 (position 16): the event has no writer signature" in done.stdout
    clean = log.export(tmp_path / "clean.jsonl")
    args[3] = str(clean)
    assert subprocess.run(args, cwd=alone, capture_output=True, timeout=60).returncode == 0


def test_verify_py_imports_only_the_standard_library_and_cryptography() -> None:
    tree = ast.parse(Path(verify.__file__).read_text())
    modules = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    modules |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    tops = {m.split(".")[0] for m in modules}
    assert tops - set(sys.stdlib_module_names) == {"cryptography"}


def test_notes_and_keys_reject_forgeries(log: Log) -> None:
    # Given the genuine checkpoint and key
    key = VerifierKey.parse(log.signer.verifier)
    note = log.checkpoint()
    assert open_checkpoint(note, [key]).size == N
    # Then an edited size, a foreign key, a key of another name, or no signature are refused
    forged = [note.replace(f"\n{N}\n", f"\n{N + 1}\n"), note.split("\n\n")[0] + "\n"]
    for bad in forged:
        with pytest.raises(NoteError):
            open_checkpoint(bad, [key])
    with pytest.raises(NoteError):
        open_checkpoint(note, [VerifierKey.parse(new_signer().verifier)])
    with pytest.raises(NoteError):
        open_checkpoint(note, [VerifierKey.parse(new_signer("other.origin").verifier)])
    with pytest.raises(NoteError):
        VerifierKey.parse(log.signer.verifier.replace("+", "+0", 1))
