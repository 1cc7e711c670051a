"""Append leaves: the Merkle log as a consumer of the follower (DESIGN §5, first step).

It runs in the follower's batch transaction, after the compare-and-set of its tracking row,
so every event becomes exactly one leaf, in log order, with a dense leaf index. Appending
leaf i stores it and every perfect subtree it completes, so the tree needs no recomputation.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select, tuple_

from collab.audit import tables as t
from collab.audit.verify import canonical_json, leaf_hash, node_hash
from collab.stores.sql import delete_many, fetch, insert_many, mark, streams_begun


def entry_bytes(
    origin: str, leaf: int, position: int, stored: Any, recorded_at: str, prev: str
) -> bytes:
    """The leaf's entry (docs/verifiable-log.md), from the stored event's own bytes."""
    return canonical_json(
        {
            "v": 1,
            "origin": origin,
            "leaf": leaf,
            "position": position,
            "stream": str(stored.originator_id),
            "version": int(stored.originator_version),
            "topic": stored.topic,
            "state_sha256": hashlib.sha256(stored.state).hexdigest(),
            "stream_prev": prev,
            "recorded_at": recorded_at,
        }
    )


def recorded_at(event: Any) -> str:
    meta = getattr(event, "meta", None) or {}
    given = meta.get("recorded_at") if isinstance(meta, dict) else None
    return str(given) if given else event.timestamp.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class Frontier:
    """The right edge of the tree: its size, the perfect subtrees a next leaf may join, and
    the newest leaf hash of each stream seen (valid while the last leaf is still ours)."""

    size: int = 0
    last: str = ""
    edge: dict[tuple[int, int], bytes] = field(default_factory=dict)
    heads: dict[str, tuple[int, str]] = field(default_factory=dict)


class AuditProjection:
    """The leaves, the tree and the stream heads, written beside the views."""

    name = "audit_leaves"
    code_version = 1  # never bumped: the tree is not a view and is never rebuilt

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.frontier = Frontier()
        # The leaves of the last batch applied, by position: an embedded command's receipts
        # without a query (only read after the batch committed; a miss falls back to one).
        self.recent: dict[int, dict[str, Any]] = {}

    def setup(self, conn: Connection) -> None:
        t.metadata.create_all(conn)

    def apply(self, conn: Connection, changes: Sequence[Any]) -> None:
        f = self.current(conn)
        # The heads of the streams this batch continues and the cache does not hold; a
        # stream the batch begins has none to read.
        new = streams_begun(c.stored for c in changes)
        streams = {str(c.stored.originator_id) for c in changes} - new - f.heads.keys()
        if streams:
            marks = ", ".join([mark(conn)] * len(streams))
            rows = fetch(
                conn,
                f"SELECT stream, version, leaf_hash FROM audit_heads WHERE stream IN ({marks})",
                sorted(streams),
            )
            f.heads.update({s: (v, h) for s, v, h in rows})
        new_leaves, new_nodes, new_heads = [], [], {}
        for change in changes:
            stored = change.stored
            stream, version = str(stored.originator_id), int(stored.originator_version)
            prev = f.heads.get(stream, (0, ""))[1] if version > 1 else ""
            entry = entry_bytes(
                self.origin, f.size, change.position, stored, recorded_at(change.event), prev
            )
            hashed = leaf_hash(entry)
            new_leaves.append(
                {
                    "leaf": f.size,
                    "position": change.position,
                    "stream": stream,
                    "version": version,
                    "entry": entry.decode(),
                    "leaf_hash": hashed.hex(),
                }
            )
            new_nodes += self.complete(f, hashed)
            f.heads[stream] = new_heads[stream] = (version, hashed.hex())
            f.size += 1
            f.last = hashed.hex()
        self.recent = {row["position"]: row for row in new_leaves}
        # Plain executemany: this runs before every embedded command answers.
        insert_many(conn, t.leaves, new_leaves)
        insert_many(conn, t.nodes, new_nodes)
        if held := [s for s in sorted(new_heads) if s not in new]:  # begun here: no head yet
            delete_many(conn, t.heads, "stream", held)
        heads = [{"stream": s, "version": v, "leaf_hash": h} for s, (v, h) in new_heads.items()]
        insert_many(conn, t.heads, heads)
        if len(f.heads) > 50_000:
            f.heads.clear()

    @staticmethod
    def complete(f: Frontier, hashed: bytes) -> list[dict[str, Any]]:
        """Add leaf f.size to the edge; the perfect subtrees it completes, as rows."""
        level, idx, h, made = 0, f.size, hashed, []
        f.edge[(0, idx)] = h
        while idx % 2 == 1:
            h = node_hash(f.edge.pop((level, idx - 1)), f.edge.pop((level, idx)))
            level, idx = level + 1, idx // 2
            f.edge[(level, idx)] = h
            made.append({"level": level, "idx": idx, "hash": h.hex()})
        return made

    def current(self, conn: Connection) -> Frontier:
        """The cached frontier if the tree's last leaf is still the one we appended, else
        the frontier read back from the tables (another process appended, or we rolled back)."""
        found = fetch(conn, "SELECT leaf, leaf_hash FROM audit_leaves ORDER BY leaf DESC LIMIT 1")
        row = found[0] if found else None
        size, last = (0, "") if row is None else (row[0] + 1, row[1])
        if (size, last) == (self.frontier.size, self.frontier.last):
            return self.frontier
        self.frontier = Frontier(size, last, load_edge(conn, size))
        return self.frontier


def edge_keys(size: int) -> list[tuple[int, int]]:
    """The perfect subtrees on the right edge of a tree of `size` leaves."""
    return [(lv, (size >> lv) - 1) for lv in range(size.bit_length()) if size >> lv & 1]


def load_edge(conn: Connection, size: int) -> dict[tuple[int, int], bytes]:
    keys = edge_keys(size)
    found: dict[tuple[int, int], bytes] = {}
    if (0, size - 1) in keys:
        leaf = conn.execute(select(t.leaves.c.leaf_hash).where(t.leaves.c.leaf == size - 1))
        found[(0, size - 1)] = bytes.fromhex(leaf.scalar_one())
    upper = [k for k in keys if k[0] > 0]
    if upper:
        rows = conn.execute(
            select(t.nodes.c.level, t.nodes.c.idx, t.nodes.c.hash).where(
                tuple_(t.nodes.c.level, t.nodes.c.idx).in_(upper)
            )
        )
        found.update({(lv, ix): bytes.fromhex(h) for lv, ix, h in rows})
    return found
