"""Small helpers shared by the read-side tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from hashlib import sha256
from typing import Any

from sqlalchemy import select

from collab.application import Collab
from projections.operations import canonical_row, digest, tables_prefix
from projections.readside import ReadSide

DEADLINE = 30.0  # seconds a polled condition may take before the test fails


def until(done: Callable[[], bool], failure: str, deadline: float = DEADLINE) -> None:
    """Poll `done` (every millisecond) until it holds; fail with `failure` at the deadline."""
    end = time.monotonic() + deadline
    while not done():
        assert time.monotonic() < end, failure
        time.sleep(0.001)  # polled to a deadline


def differences(actual: Any, expected: Any, path: str = "view") -> list[str]:
    """Field by field: every path where the actual value differs from the expected one."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        if sorted(actual) != sorted(expected):
            return [f"{path}: fields {sorted(actual)} != {sorted(expected)}"]
        return [d for k, v in expected.items() for d in differences(actual[k], v, f"{path}.{k}")]
    if isinstance(expected, list) and isinstance(actual, list):
        if len(actual) != len(expected):
            return [f"{path}: {len(actual)} != {len(expected)} items"]
        pairs = enumerate(zip(actual, expected, strict=True))
        return [d for i, (a, e) in pairs for d in differences(a, e, f"{path}[{i}]")]
    return [] if actual == expected else [f"{path}: {actual!r} != {expected!r}"]


def assert_same(actual: Any, expected: Any, path: str = "view") -> None:
    """Field by field, so a failure names every field that differs."""
    found = differences(actual, expected, path)
    assert not found, "\n".join(found)


def head(app: Collab) -> int:
    return app.recorder.max_notification_id() or 0


def digest_of(read: ReadSide) -> str:
    with read.reader() as conn:
        return digest(conn, read.tables)


def views_of(read: ReadSide) -> dict[str, str]:
    """The digest of every view, and of each table apart so a failure names the table."""
    prefix = tables_prefix(read.tables)
    out = {"*": digest_of(read)}
    with read.reader() as conn:
        for t in read.tables.views():
            rows = sorted(canonical_row(dict(r._mapping)) for r in conn.execute(select(t)))
            out[t.name.removeprefix(prefix)] = sha256("\n".join(rows).encode()).hexdigest()
    return out


def history_positions(read: ReadSide) -> list[int]:
    h = read.tables.history
    with read.reader() as conn:
        return list(conn.execute(select(h.c.position).order_by(h.c.position)).scalars())


def all_positions(app: Collab) -> list[int]:
    positions: list[int] = []
    while page := app.recorder.select_notifications(
        positions[-1] if positions else 0, 1000, inclusive_of_start=False
    ):
        positions += [n.id for n in page]
    return positions


def partnership_ids(read: ReadSide) -> list[str]:
    p = read.tables.partnerships
    with read.reader() as conn:
        return sorted(conn.execute(select(p.c.partnership_id)).scalars())
