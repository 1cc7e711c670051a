"""Reading the Merkle log and the stored events it covers, in plain SQL on either backend."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select, tuple_

from collab.audit import tables as t
from collab.audit import tree

PAGE = 1000


@dataclass(frozen=True)
class Leaf:
    leaf: int
    position: int
    stream: str
    version: int
    entry: str
    leaf_hash: str


@dataclass(frozen=True)
class StoredRow:
    """An event row as stored (shaped like the library's notification), and its signature."""

    id: int
    originator_id: str
    originator_version: int
    topic: str
    state: bytes
    key_id: str | None
    signature: str | None
    notification: Any  # as the library returns it (for decoding)


# (stream, version) -> [(leaf, leaf hash)] of the leaves holding it, in leaf order.
Holders = dict[tuple[str, int], list[tuple[int, str]]]


def size(conn: Connection) -> int:
    found = conn.execute(select(func.max(t.leaves.c.leaf))).scalar()
    return 0 if found is None else int(found) + 1


def lookup(conn: Connection) -> tree.Lookup:
    """Perfect subtrees from the tables: leaves for level 0, stored nodes above."""

    def fetch(keys: Iterable[tree.NodeKey]) -> dict[tree.NodeKey, bytes]:
        wanted = list(keys)
        found: dict[tree.NodeKey, bytes] = {}
        level0 = [ix for lv, ix in wanted if lv == 0]
        upper = [k for k in wanted if k[0] > 0]
        for start in range(0, len(level0), PAGE):
            rows = conn.execute(
                select(t.leaves.c.leaf, t.leaves.c.leaf_hash).where(
                    t.leaves.c.leaf.in_(level0[start : start + PAGE])
                )
            )
            found.update({(0, ix): bytes.fromhex(h) for ix, h in rows})
        for start in range(0, len(upper), PAGE):
            rows = conn.execute(
                select(t.nodes.c.level, t.nodes.c.idx, t.nodes.c.hash).where(
                    tuple_(t.nodes.c.level, t.nodes.c.idx).in_(upper[start : start + PAGE])
                )
            )
            found.update({(lv, ix): bytes.fromhex(h) for lv, ix, h in rows})
        return found

    return fetch


def leaves(conn: Connection, start: int, stop: int) -> Iterator[Leaf]:
    """Leaves start ≤ leaf < stop, in order, page by page."""
    for low in range(start, stop, PAGE):
        rows = conn.execute(
            select(t.leaves)
            .where(t.leaves.c.leaf >= low, t.leaves.c.leaf < min(low + PAGE, stop))
            .order_by(t.leaves.c.leaf)
        )
        for row in rows:
            yield Leaf(*row)


def first_leaf(conn: Connection, where: Any) -> Leaf | None:
    """The leaf of lowest position matching `where`, if any."""
    query = select(t.leaves).where(where).order_by(t.leaves.c.position).limit(1)
    row = conn.execute(query).first()
    return None if row is None else Leaf(*row)


def leaf_at(conn: Connection, position: int) -> Leaf | None:
    return first_leaf(conn, t.leaves.c.position == position)


def stored_events(recorder: Any, low: int, high: int) -> dict[int, StoredRow]:
    """Events with low ≤ position ≤ high as stored, with their writer signatures (if any).

    Through the application's recorder, so every store (memory included) is read alike."""
    found: dict[int, StoredRow] = {}
    start = low
    while start <= high:
        page = recorder.select_notifications(start, PAGE, stop=high)
        if not page:
            break
        keys = [(str(n.originator_id), int(n.originator_version)) for n in page]
        signed = recorder.get_signatures(keys)
        for n, k in zip(page, keys, strict=True):
            key_id, signature = signed.get(k, (None, None))
            found[n.id] = StoredRow(n.id, k[0], k[1], n.topic, bytes(n.state), key_id, signature, n)
        start = page[-1].id + 1
    return found


def latest_checkpoint(conn: Connection, at_most: int | None = None) -> tuple[int, str] | None:
    """(size, note) of the largest checkpoint signed (no larger than `at_most`)."""
    query = select(t.checkpoints.c.size, t.checkpoints.c.note)
    if at_most is not None:
        query = query.where(t.checkpoints.c.size <= at_most)
    row = conn.execute(query.order_by(t.checkpoints.c.size.desc()).limit(1)).first()
    return None if row is None else (int(row[0]), str(row[1]))


def leaf_at_index(conn: Connection, leaf: int) -> Leaf | None:
    return first_leaf(conn, t.leaves.c.leaf == leaf)


def first_leaf_after(conn: Connection, position: int) -> Leaf | None:
    return first_leaf(conn, t.leaves.c.position > position)


def holders(conn: Connection, keys: Iterable[tuple[str, int]]) -> Holders:
    """Which leaves hold each (stream, version) asked for (by its index: DESIGN §5's chain)."""
    wanted = sorted(set(keys))
    found: Holders = {}
    c = t.leaves.c
    for start in range(0, len(wanted), PAGE):
        rows = conn.execute(
            select(c.stream, c.version, c.leaf, c.leaf_hash)
            .where(tuple_(c.stream, c.version).in_(wanted[start : start + PAGE]))
            .order_by(c.leaf)
        )
        for stream, version, leaf, hashed in rows:
            found.setdefault((stream, int(version)), []).append((int(leaf), hashed))
    return found
