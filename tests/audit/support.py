"""Builds synthetic audit logs, exports and proof bundles with ``signing.py`` for the tests.

A ``Log`` is valid by construction; tests tamper with the line dicts it returns and write them
with ``write_export``. Nothing here imports the store: the verifier must stand alone.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
from collections.abc import Iterable, Sequence
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

from collab.audit import tree
from collab.audit.signing import Signer, generate
from collab.audit.verify import canonical_json, checkpoint_body, leaf_hash, main

ORIGIN = "collab.test/5e1f0c2a"
START = datetime(2026, 1, 1, tzinfo=UTC)
NOW = "2026-02-01T00:00:00Z"  # after every recorded time the builder makes

N = 12  # the synthetic log of the verifier tests: leaf i is version i // 3 + 1 of stream i % 3


def new_signer(origin: str = ORIGIN) -> Signer:
    return Signer.from_private(generate(origin)[0])


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@dataclass
class Leaf:
    fields: dict[str, str | int]
    event: bytes
    key_id: str
    signature: str

    @property
    def entry(self) -> str:
        return canonical_json(self.fields).decode()

    @property
    def hash(self) -> bytes:
        return leaf_hash(self.entry.encode())

    def line(self) -> dict[str, Any]:
        signature = {"key_id": self.key_id, "value": self.signature}
        public = json.loads(self.event)
        return {"leaf": self.fields["leaf"], "entry": self.entry, "event": b64(self.event),
                "signature": signature, "public": public}  # fmt: skip


class Log:
    """An append-only log held in memory, signing as a real writer and sealer would."""

    def __init__(self, signer: Signer | None = None, origin: str = ORIGIN) -> None:
        self.origin = origin
        self.signer = signer or new_signer(origin)
        self.leaves: list[Leaf] = []
        self.heads: dict[str, tuple[int, str]] = {}  # stream -> (version, leaf hash hex)
        self.position = 0

    @classmethod
    def populate(cls, n: int, streams: int = 3, signer: Signer | None = None) -> Log:
        log = cls(signer)
        ids = [str(uuid4()) for _ in range(streams)]
        for i in range(n):
            log.append(ids[i % streams])
        return log

    def append(
        self,
        stream: str,
        *,
        topic: str = "Partnership.MilestoneReached",
        signer: Signer | None = None,
        recorded_at: datetime | None = None,
        version: int | None = None,
        event: bytes | None = None,
    ) -> Leaf:
        signer = signer or self.signer
        n = len(self.leaves)
        last_version, prev = self.heads.get(stream, (0, ""))
        version = version or last_version + 1
        self.position += 2  # positions may skip values; only leaves are dense
        event = event or json.dumps({"stream": stream, "version": version, "n": n}).encode()
        sha = hashlib.sha256(event).hexdigest()
        when = recorded_at or START + timedelta(seconds=n)
        fields: dict[str, str | int] = {
            "v": 1, "origin": self.origin, "leaf": n, "position": self.position,
            "stream": stream, "version": version, "topic": topic, "state_sha256": sha,
            "stream_prev": prev if version > 1 else "",
            "recorded_at": when.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        }  # fmt: skip
        signature = signer.sign_event(stream, version, topic, sha)
        leaf = Leaf(fields, event, signer.key_id, signature)
        self.leaves.append(leaf)
        self.heads[stream] = (version, leaf.hash.hex())
        return leaf

    def hashes(self, size: int | None = None) -> list[bytes]:
        return [leaf.hash for leaf in self.leaves[:size]]

    def root(self, size: int | None = None) -> bytes:
        hashes = self.hashes(size)
        return tree.root(len(hashes), tree.lookup_in(hashes))

    def checkpoint(self, size: int | None = None, signer: Signer | None = None) -> str:
        size = len(self.leaves) if size is None else size
        body = checkpoint_body(self.origin, size, self.root(size))
        return (signer or self.signer).sign_note(body)

    def lines(self, size: int | None = None, hidden: Iterable[str] = ()) -> list[dict[str, Any]]:
        """Leaf lines; leaves of ``hidden`` streams as bare leaf hashes (a partial export)."""
        hide = set(hidden)
        return [
            {"leaf": i, "leaf_hash": leaf.hash.hex()} if leaf.fields["stream"] in hide
            else leaf.line()
            for i, leaf in enumerate(self.leaves[:size])
        ]  # fmt: skip

    def header(self, size: int | None = None, partial: bool = False) -> dict[str, Any]:
        size = len(self.leaves) if size is None else size
        return {"format": "collab-audit-export", "v": 1, "origin": self.origin, "size": size,
                "checkpoint": self.checkpoint(size), "partial": partial}  # fmt: skip

    def export(self, path: Path, size: int | None = None, hidden: Sequence[str] = ()) -> Path:
        header = self.header(size, partial=bool(hidden))
        return write_export(path, header, self.lines(size, hidden))

    def bundle(
        self, leaf: int, size: int | None = None, from_size: int | None = None
    ) -> dict[str, Any]:
        """The inclusion proof bundle of ``GET /v1/audit/proofs/inclusion``."""
        size = len(self.leaves) if size is None else size
        lookup = tree.lookup_in(self.hashes(size))
        consistency = None
        if from_size is not None:
            proof = tree.consistency_proof(from_size, size, lookup)
            consistency = {"from_size": from_size, "proof": [h.hex() for h in proof]}
        inclusion = tree.inclusion_proof(leaf, size, lookup)
        return {"format": "collab-audit-proof", "v": 1, "checkpoint": self.checkpoint(size),
                "leaf": leaf, "entry": self.leaves[leaf].entry,
                "leaf_hash": self.leaves[leaf].hash.hex(),
                "inclusion": [h.hex() for h in inclusion], "consistency": consistency}  # fmt: skip


def write_export(path: Path, header: dict[str, Any] | None, lines: Iterable[Any]) -> Path:
    """One JSON line per item; ``bytes`` items are written verbatim (garbage lines)."""
    with path.open("wb") as f:
        for item in ([header] if header is not None else []) + list(lines):
            f.write(item if isinstance(item, bytes) else json.dumps(item).encode() + b"\n")
    return path


def write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def run(*args: str | Path) -> tuple[int, dict[str, Any]]:
    """``main([... --json --now NOW])``: the exit code and the JSON report ({} if none)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main([str(a) for a in args] + ["--json", "--now", NOW])
    text = out.getvalue().strip()
    return code, json.loads(text) if text else {"stderr": err.getvalue()}


def first_bad(report: dict[str, Any]) -> tuple[int | None, str]:
    bad = report["first_bad"]
    assert bad is not None, report
    return bad["leaf"], bad["reason"]
