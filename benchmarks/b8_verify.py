"""B8: the offline verifier over an export ÷ the unavoidable per-line work on the same file.

Measured: ``verify_export`` over an export file of N leaves (N = 20 000; 2 000 for a smoke
run), streamed line by line, every check on (density, canonical entries, digests, writer
signatures, stream links, clock rules, the root against the signed checkpoint). Ceiling: the
same file read line by line, each line ``json.loads``-ed, its event base64-decoded and hashed
with SHA-256, and one Ed25519 signature verified (over the writer message, prepared before the
clock starts): the cryptography and parsing no verifier can skip. Target: ratio ≥ 0.5, i.e.
all the checks cost at most as much again as that floor.

The export is synthetic: 50 streams, events of about 1 KB of JSON, signed with
``collab.audit.signing`` as the writer would sign them, in a temporary directory.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

from benchmarks.harness import Result, Timed, compare
from collab.audit.signing import Signer, generate
from collab.audit.verify import (
    VerifierKey,
    canonical_json,
    checkpoint_body,
    leaf_hash,
    root_of,
    verify_export,
    writer_message,
)

TARGET = 0.5
STREAMS = 50
ORIGIN = "collab.bench/b8"
START = datetime(2026, 1, 1, tzinfo=UTC)
TOPIC = "Partnership.CommitmentConfirmed"


def event_bytes(n: int, stream: str, version: int) -> bytes:
    """About 1 KB of JSON, shaped like a stored domain event."""
    return json.dumps({
        "originator_id": stream, "originator_version": version, "actor_id": str(UUID(int=n)),
        "reason": "confirmed at the steering committee of the local action group " * 3,
        "quantity": {"value": f"{n * 37 % 100000}.50", "unit": "EUR"},
        "conditions": ["delivered to the shared pool", "reported quarterly"] * 4,
        "timestamp": (START + timedelta(seconds=n)).isoformat(), "n": n,
        "notes": "x" * 400,
    }).encode()  # fmt: skip


def build(path: Path, n: int, signer: Signer) -> list[bytes]:
    """Writes a valid export of ``n`` leaves; returns the writer messages (for the ceiling)."""
    streams = [str(UUID(int=s + 1)) for s in range(STREAMS)]
    heads: dict[str, tuple[int, str]] = {}
    hashes, lines, messages = [], [], []
    for i in range(n):
        stream = streams[i % STREAMS]
        version, prev = heads.get(stream, (0, ""))
        event = event_bytes(i, stream, version + 1)
        sha = hashlib.sha256(event).hexdigest()
        entry = canonical_json({
            "v": 1, "origin": ORIGIN, "leaf": i, "position": i + 1, "stream": stream,
            "version": version + 1, "topic": TOPIC, "state_sha256": sha, "stream_prev": prev,
            "recorded_at": (START + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        })  # fmt: skip
        h = leaf_hash(entry)
        heads[stream] = (version + 1, h.hex())
        hashes.append(h)
        messages.append(writer_message(stream, version + 1, TOPIC, sha))
        value = signer.sign_event(stream, version + 1, TOPIC, sha)
        signature = {"key_id": signer.key_id, "value": value}
        lines.append({"leaf": i, "entry": entry.decode(), "event": base64.b64encode(event).decode(),
                      "signature": signature, "public": json.loads(event)})  # fmt: skip
    note = signer.sign_note(checkpoint_body(ORIGIN, n, root_of(hashes)))
    header = {"format": "collab-audit-export", "v": 1, "origin": ORIGIN, "size": n,
              "checkpoint": note, "partial": False}  # fmt: skip
    with path.open("w") as f:
        for obj in [header, *lines]:
            f.write(json.dumps(obj) + "\n")
    return messages


def verifier(path: Path, key: VerifierKey, n: int) -> Timed:
    def run() -> float:
        start = time.perf_counter()
        with path.open("rb") as f:
            report = verify_export(f, [key], now=START + timedelta(days=365))
        elapsed = time.perf_counter() - start
        if report.exit_code != 0 or report.checked != n:
            raise RuntimeError(f"B8 export did not verify: {report.problems[:3]}")
        return elapsed

    return run


def floor(path: Path, key: VerifierKey, messages: list[bytes]) -> Timed:
    public_key = key.public_key

    def run() -> float:
        start = time.perf_counter()
        with path.open("rb") as f:
            next(f)  # the header
            for message, raw in zip(messages, f, strict=True):
                line = json.loads(raw)
                hashlib.sha256(base64.b64decode(line["event"])).digest()
                public_key.verify(base64.b64decode(line["signature"]["value"]), message)
        return time.perf_counter() - start

    return run


def run(smoke: bool = False) -> list[Result]:
    n, rounds = (2_000, 5) if smoke else (20_000, 7)
    workdir = Path(tempfile.mkdtemp(prefix="collab-b8-"))
    try:
        private, public = generate(ORIGIN)
        path = workdir / "export.jsonl"
        started = time.perf_counter()
        messages = build(path, n, Signer.from_private(private))
        built = time.perf_counter() - started
        key = VerifierKey.parse(public)
        result = compare(
            "B8.verify",
            verifier(path, key, n),
            floor(path, key, messages),
            target=TARGET,
            rounds=rounds,
            settings={
                "leaves": n,
                "streams": STREAMS,
                "export_bytes": path.stat().st_size,
                "build": f"signed with collab.audit.signing ({built:.1f} s)",
                "ceiling": "json.loads + b64decode + sha256 + one Ed25519 verify per line",
            },
        )
        return [result]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
