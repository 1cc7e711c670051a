"""The verifiable log of one process: receipts, checkpoints and proofs read from the tree."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, select

from collab.audit import store, tree
from collab.audit import tables as t
from collab.audit.keys import KeyRing
from collab.audit.leaves import AuditProjection
from collab.audit.sealer import Sealer
from collab.domain.errors import InvalidInputError, NotFoundError


class NotSealedYet(Exception):
    """The event has its leaf, but no checkpoint covers it yet (the sealer's next round)."""


@dataclass(frozen=True)
class Receipt:
    """Where one event sits in the tree: enough to ask for its inclusion proof later."""

    position: int
    stream: str
    version: int
    leaf: int
    leaf_hash: str

    @classmethod
    def of(cls, leaf: store.Leaf) -> Receipt:
        return cls(leaf.position, leaf.stream, leaf.version, leaf.leaf, leaf.leaf_hash)

    def as_dict(self) -> dict[str, str | int]:
        return {
            "position": self.position,
            "stream": self.stream,
            "version": self.version,
            "leaf": self.leaf,
            "leaf_hash": self.leaf_hash,
        }


class AuditLog:
    """Reads of the Merkle log for the API and the CLI; the sealer signs checkpoints."""

    def __init__(
        self,
        keys: KeyRing,
        recorder: Any,
        readers: Engine,
        writer: Engine,
        appender: AuditProjection | None = None,
    ) -> None:
        self.keys = keys
        self.readers = readers
        self.appender = appender  # this process's leaf appender: its last batch's leaves
        # The sealer reads for a while (checks every new leaf): never under the writer's
        # BEGIN IMMEDIATE, which would hold the follower's write lock all that time.
        self.sealer = Sealer(keys, recorder, readers, writer=writer)

    def connect(self) -> Connection:
        return self.readers.connect()

    def receipts(self, positions: Sequence[int]) -> list[Receipt]:
        if not positions:
            return []
        recent = {} if self.appender is None else self.appender.recent
        if all(p in recent for p in positions):
            leaves = [store.Leaf(**recent[p]) for p in positions]
        else:
            with self.connect() as conn:
                rows = conn.execute(
                    select(t.leaves).where(t.leaves.c.position.in_(list(positions)))
                ).all()
            leaves = [store.Leaf(*r) for r in rows]
        return sorted((Receipt.of(leaf) for leaf in leaves), key=lambda r: r.leaf)

    def receipt(self, position: int) -> Receipt | None:
        with self.connect() as conn:
            leaf = store.leaf_at(conn, position)
        return None if leaf is None else Receipt.of(leaf)

    def checkpoint(self, conn: Connection, size: int | None = None) -> tuple[int, str]:
        """The latest signed checkpoint (or the one of exactly `size`)."""
        found = store.latest_checkpoint(conn, size)
        if found is None or (size is not None and found[0] != size):
            wanted = "yet" if size is None else f"of size {size}"
            raise NotFoundError(f"no checkpoint signed {wanted}")
        return found

    def inclusion(self, position: int, from_size: int | None) -> dict[str, Any]:
        """The proof bundle of docs/verifiable-log.md for the event at `position`, against
        the latest checkpoint (and consistency from `from_size`, when given)."""
        with self.connect() as conn:
            leaf = store.leaf_at(conn, position)
            if leaf is None:
                raise NotFoundError(f"no leaf for position {position} yet")
            size, note = self.checkpoint(conn)
            if leaf.leaf >= size:
                raise NotSealedYet(f"position {position} is not under a signed checkpoint yet")
            lookup = store.lookup(conn)
            proof = tree.inclusion_proof(leaf.leaf, size, lookup)
            consistency = None
            if from_size is not None:
                consistency = {
                    "from_size": from_size,
                    "proof": [h.hex() for h in self.consistency_in(lookup, from_size, size)],
                }
        return {
            "format": "collab-audit-proof",
            "v": 1,
            "checkpoint": note,
            "leaf": leaf.leaf,
            "entry": leaf.entry,
            "leaf_hash": leaf.leaf_hash,
            "inclusion": [h.hex() for h in proof],
            "consistency": consistency,
        }

    def consistency(self, old: int, new: int | None) -> dict[str, Any]:
        with self.connect() as conn:
            size, note = self.checkpoint(conn, new)
            proof = self.consistency_in(store.lookup(conn), old, size)
        return {
            "from_size": old,
            "to_size": size,
            "checkpoint": note,
            "proof": [h.hex() for h in proof],
        }

    @staticmethod
    def consistency_in(lookup: tree.Lookup, old: int, new: int) -> list[bytes]:
        if not 0 <= old <= new:
            raise InvalidInputError("from_size", f"must be between 0 and {new}")
        return tree.consistency_proof(old, new, lookup)
