"""The offline verifier on exports: a clean log passes, each kind of tampering is named.

Every case builds a valid log with ``support.Log`` (signed by ``signing.py``), tampers with the
written export the way someone with database access could, and runs the command line.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from collab.audit.verify import canonical_json, checkpoint_body, leaf_hash, node_hash

from .support import Log, N, b64, first_bad, new_signer, run, write_export, write_text


def tampered(tmp_path: Path, log: Log, lines: list[Any]) -> Path:
    return write_export(tmp_path / "tampered.jsonl", log.header(), lines)


def reentry(line: dict[str, Any], **changes: Any) -> None:
    """Rewrites a line's entry canonically, as a forger recomputing digests would."""
    fields = json.loads(line["entry"]) | changes
    line["entry"] = canonical_json(fields).decode()


def test_a_clean_export_exits_0(tmp_path: Path, log: Log, key: Path) -> None:
    # Given an untouched export; When verified; Then exit 0 and every leaf was checked
    code, report = run(log.export(tmp_path / "export.jsonl"), "--pubkey", key)
    assert (code, report["status"], report["checked"], report["size"]) == (0, "clean", N, N)


def test_a_clean_partial_export_exits_0(tmp_path: Path, log: Log, key: Path) -> None:
    # Given an export where one stream is not visible (its leaves are bare hashes)
    hidden = str(log.leaves[1].fields["stream"])
    path = log.export(tmp_path / "partial.jsonl", hidden=[hidden])
    # When verified; Then the root still recomputes
    assert run(path, "--pubkey", key)[0] == 0


def test_an_edited_event_byte_is_named(tmp_path: Path, log: Log, key: Path) -> None:
    # Given leaf 4's stored bytes edited
    lines = log.lines()
    event = bytearray(base64.b64decode(lines[4]["event"]))
    event[3] ^= 1
    lines[4]["event"] = b64(bytes(event))
    # When verified; Then leaf 4 is the first bad one, for its digest
    code, report = run(tampered(tmp_path, log, lines), "--pubkey", key)
    assert code == 1
    assert first_bad(report) == (4, "stored event bytes do not match the entry's state_sha256")
    assert report["first_bad"]["position"] == json.loads(lines[4]["entry"])["position"]


def test_an_edited_event_with_recomputed_digest_fails_signature_and_root(
    tmp_path: Path, log: Log, key: Path
) -> None:
    # Given leaf 4's bytes replaced and its entry's state_sha256 recomputed to match
    lines = log.lines()
    forged = b'{"amount": "1000000.00"}'
    lines[4]["event"] = b64(forged)
    reentry(lines[4], state_sha256=hashlib.sha256(forged).hexdigest())
    # When verified
    code, report = run(tampered(tmp_path, log, lines), "--pubkey", key)
    # Then the writer signature fails at leaf 4, and the root no longer matches the checkpoint
    assert code == 1
    leaf, reason = first_bad(report)
    assert leaf == 4 and "signature" in reason and "does not verify" in reason
    assert any("root" in p["reason"] and p["leaf"] is None for p in report["problems"])


@pytest.mark.parametrize(("a", "b"), [(1, 4), (2, 3)], ids=["same-stream", "across-streams"])
def test_two_swapped_events_are_named(tmp_path: Path, log: Log, key: Path, a: int, b: int) -> None:
    # Given the stored bytes and signatures of two leaves swapped
    lines = log.lines()
    for field in ("event", "signature", "public"):
        lines[a][field], lines[b][field] = lines[b][field], lines[a][field]
    # When verified; Then the earlier of the two is the first bad leaf
    code, report = run(tampered(tmp_path, log, lines), "--pubkey", key)
    assert code == 1
    assert first_bad(report)[0] == a
    assert {p["leaf"] for p in report["problems"]} >= {a, b}


@pytest.mark.parametrize(
    ("edit", "bad_leaf"),
    [
        (lambda ls: ls.pop(5), 5),  # a line removed
        (lambda ls: ls.insert(5, ls.pop(6)), 5),  # two lines reordered
        (lambda ls: ls.insert(6, dict(ls[5])), 6),  # a line duplicated
    ],
    ids=["removed", "reordered", "duplicated"],
)
def test_missing_reordered_or_duplicated_lines_are_named(
    tmp_path: Path, log: Log, key: Path, edit: Any, bad_leaf: int
) -> None:
    # Given an export with its lines edited
    lines = log.lines()
    edit(lines)
    # When verified; Then the leaf where the sequence breaks is named
    code, report = run(tampered(tmp_path, log, lines), "--pubkey", key)
    assert code == 1
    leaf, reason = first_bad(report)
    assert leaf == bad_leaf and "missing, extra, reordered or duplicated" in reason


def test_a_truncated_tail_is_named(tmp_path: Path, log: Log, key: Path) -> None:
    # Given the last three lines cut off
    code, report = run(tampered(tmp_path, log, log.lines()[:-3]), "--pubkey", key)
    # When verified; Then the first missing leaf is named
    assert code == 1
    assert first_bad(report)[0] == N - 3
    assert first_bad(report)[1].startswith(f"truncated: leaf {N - 3} is missing")


def test_an_old_export_against_a_held_checkpoint_is_truncation(
    tmp_path: Path, log: Log, key: Path
) -> None:
    # Given an export of the first 8 leaves with its genuine checkpoint of size 8,
    # and an auditor who already holds the checkpoint of size 12
    old = log.export(tmp_path / "old.jsonl", size=8)
    held = write_text(tmp_path / "held.cp", log.checkpoint())
    # When verified alone it is clean; with the held checkpoint, leaf 8 is missing
    assert run(old, "--pubkey", key)[0] == 0
    code, report = run(old, "--pubkey", key, "--checkpoint", held)
    assert code == 1 and len(report["problems"]) == 1
    assert first_bad(report)[0] == 8
    assert first_bad(report)[1].startswith("truncated: leaf 8 is missing")


def test_an_extra_line_is_named(tmp_path: Path, log: Log, key: Path) -> None:
    # Given a validly signed event appended after the checkpoint's size
    header = log.header()
    log.append(str(log.leaves[0].fields["stream"]))
    path = write_export(tmp_path / "extra.jsonl", header, log.lines())
    # When verified; Then leaf 12 is beyond the checkpoint
    code, report = run(path, "--pubkey", key)
    assert code == 1 and first_bad(report)[0] == N and "extra line" in first_bad(report)[1]


def test_an_unsigned_event_is_named(tmp_path: Path, log: Log, key: Path) -> None:
    # Given leaf 3 without its writer signature (inserted by someone without the key)
    lines = log.lines()
    lines[3]["signature"] = None
    code, report = run(tampered(tmp_path, log, lines), "--pubkey", key)
    # Then leaf 3 is named
    assert code == 1 and first_bad(report) == (3, "the event has no writer signature")


def test_a_signature_by_an_unknown_key_is_named(tmp_path: Path, log: Log, key: Path) -> None:
    # Given leaf 3 re-signed, validly, by a key that is not the log's
    stranger = new_signer()
    lines = log.lines()
    entry = json.loads(lines[3]["entry"])
    fields = [entry[k] for k in ("stream", "version", "topic", "state_sha256")]
    lines[3]["signature"] = {"key_id": stranger.key_id, "value": stranger.sign_event(*fields)}
    code, report = run(tampered(tmp_path, log, lines), "--pubkey", key)
    # Then leaf 3 is named, with the unknown key id
    leaf, reason = first_bad(report)
    assert (code, leaf) == (1, 3) and "unknown key id" in reason and stranger.key_id in reason


def test_a_duplicated_stream_version_is_named_even_when_all_else_verifies(
    tmp_path: Path, key: Path, log: Log
) -> None:
    # Given a log (signed by the real key) where version 2 of a stream is appended twice
    stream = str(log.leaves[0].fields["stream"])
    copy = log.leaves[3]  # version 2 of the stream of leaf 0
    log.heads[stream] = (1, log.leaves[0].hash.hex())
    log.append(stream, version=2, event=copy.event)
    code, report = run(log.export(tmp_path / "dup.jsonl"), "--pubkey", key)
    # Then the second copy, leaf 12, is named
    leaf, reason = first_bad(report)
    assert (code, leaf) == (1, N) and "appears again" in reason


def test_a_forked_checkpoint_held_as_previous_is_named(tmp_path: Path, log: Log, key: Path) -> None:
    # Given a second checkpoint of the same size, signed with the key over another root
    fork = log.signer.sign_note(checkpoint_body(log.origin, N, leaf_hash(b"other history")))
    previous = write_text(tmp_path / "fork.cp", fork)
    code, report = run(log.export(tmp_path / "e.jsonl"), "--pubkey", key,
                       "--previous-checkpoint", previous)  # fmt: skip
    # Then the fork is reported
    assert code == 1 and first_bad(report)[1].startswith("fork:")


def test_a_checkpoint_smaller_than_one_held_is_named(tmp_path: Path, log: Log, key: Path) -> None:
    # Given an export at size 8 while the auditor already holds the checkpoint of size 12
    previous = write_text(tmp_path / "previous.cp", log.checkpoint())
    old = log.export(tmp_path / "old.jsonl", size=8)
    code, report = run(old, "--pubkey", key, "--previous-checkpoint", previous)
    leaf, reason = first_bad(report)
    assert (code, leaf) == (1, 8) and "checkpoint smaller than one already held" in reason


def test_a_previous_checkpoint_of_a_prefix_verifies(tmp_path: Path, log: Log, key: Path) -> None:
    # Given the genuine checkpoint of size 5; Then the export of size 12 extends it
    previous = write_text(tmp_path / "previous.cp", log.checkpoint(5))
    path = log.export(tmp_path / "e.jsonl")
    assert run(path, "--pubkey", key, "--previous-checkpoint", previous)[0] == 0


def test_an_inner_node_presented_as_a_leaf_is_rejected(tmp_path: Path, log: Log, key: Path) -> None:
    # Given leaves 0 and 1 replaced by one "leaf" whose entry is their hashes, left ‖ right
    lines = log.lines()
    left, right = log.leaves[0].hash, log.leaves[1].hash
    inner = {"leaf": 0, "entry": (left + right).decode("latin-1"), "event": None,
             "signature": None, "public": None}  # fmt: skip
    code, report = run(tampered(tmp_path, log, [inner, *lines[2:]]), "--pubkey", key)
    # Then leaf 0 is bad and the root cannot be the checkpoint's (leaf ≠ node: 0x00 vs 0x01)
    assert code == 1 and first_bad(report)[0] == 0
    assert leaf_hash(left + right) != node_hash(left, right)
    assert any("root" in p["reason"] or "truncated" in p["reason"] for p in report["problems"])


@pytest.mark.parametrize(
    ("garbage", "words"),
    [
        (lambda line: dict(line, event="%%%not base64%%%"), "base64"),
        (lambda line: b'{"leaf": 2, "entry": "\xff\xfe"}\n', "UTF-8"),
        (lambda line: b"\x00\x01garbage that is no JSON\n", "JSON"),
        (lambda line: b"[" * 100_000 + b"\n", "JSON"),
        (lambda line: dict(line, leaf=True), "integer leaf"),
        (lambda line: dict(line, entry=line["entry"].replace(":2,", ":2.0,")), "not int"),
        (lambda line: dict(line, signature={"key_id": 7, "value": []}), "unknown key id"),
    ],
    ids=["base64", "utf8", "binary", "deep", "bool-leaf", "float", "sig-types"],
)
def test_garbage_is_tampering_not_a_crash(
    tmp_path: Path, log: Log, key: Path, garbage: Any, words: str
) -> None:
    # Given leaf 2's line replaced by garbage
    lines: list[Any] = log.lines()
    lines[2] = garbage(lines[2])
    code, report = run(tampered(tmp_path, log, lines), "--pubkey", key)
    # Then exit 1 (never 3 or a traceback), naming leaf 2
    leaf, reason = first_bad(report)
    assert (code, leaf) == (1, 2) and words in reason


def test_a_garbage_file_is_tampering(tmp_path: Path, key: Path) -> None:
    path = tmp_path / "noise.bin"
    path.write_bytes(bytes(range(256)) * 40)
    code, report = run(path, "--pubkey", key)
    assert code == 1 and first_bad(report)[0] is None


def test_usage_and_io_errors_exit_3(tmp_path: Path, log: Log, key: Path) -> None:
    export = log.export(tmp_path / "e.jsonl")
    bad_key = write_text(tmp_path / "bad.pub", log.signer.verifier[:-6] + "AAAAA=\n")
    name, _kid, encoded = log.signer.verifier.split("+", 2)
    wrong_id = write_text(tmp_path / "id.pub", f"{name}+00000000+{encoded}")
    assert run(tmp_path / "missing.jsonl", "--pubkey", key)[0] == 3
    assert run(export, "--pubkey", tmp_path / "missing.pub")[0] == 3
    assert run(export, "--pubkey", bad_key)[0] == 3
    assert run(export, "--pubkey", wrong_id)[0] == 3
    assert run(export)[0] == 3  # --pubkey is required
    assert run(export, "--pubkey", key, "--checkpoint", key)[0] == 3  # not a checkpoint
    assert run(export, "--pubkey", key, "--clock-tolerance", "-1")[0] == 3


def test_a_clock_going_back_beyond_the_tolerance_warns(tmp_path: Path, key: Path) -> None:
    # Given a log whose leaf 5 was recorded 60 s before leaf 4, and leaf 6 3 s before leaf 5
    log = Log.populate(5)
    stream = str(log.leaves[0].fields["stream"])
    t4 = datetime.fromisoformat(str(log.leaves[4].fields["recorded_at"]))
    log.append(stream, recorded_at=t4 - timedelta(seconds=60))
    log.append(stream, recorded_at=t4 - timedelta(seconds=57))
    key = write_text(tmp_path / "k.pub", log.signer.verifier)
    code, report = run(log.export(tmp_path / "clock.jsonl"), "--pubkey", key)
    # Then exit 2, warning first at leaf 5 (leaf 6 is still 57 s behind the latest, leaf 4)
    assert code == 2 and report["problems"] == []
    assert [w["leaf"] for w in report["warnings"]] == [5, 6]
    assert "clock went back 60.000 s" in report["warnings"][0]["reason"]
    # And with a tolerance of two minutes it is clean
    assert run(tmp_path / "clock.jsonl", "--pubkey", key, "--clock-tolerance", "120")[0] == 0
