"""JSON Lines export of the log up to a signed checkpoint (docs/verifiable-log.md).

A partial export (a partner's, an auditor's, one partnership's) gives every leaf the caller
may not see as its bare leaf hash, so the root still recomputes and nothing leaks. An export
file is its owner's alone (0600), like the database it comes from.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import Connection

from collab.audit import store

log = logging.getLogger("collab.audit")
Sees = Callable[[Any, int], bool]  # (decoded event or None, position) -> visible
Public = Callable[[Any, int], Any]  # (decoded event, position) -> a JSON value


def export_lines(
    conn: Connection,
    recorder: Any,
    decode: Callable[[Any], Any],
    checkpoint: tuple[int, str],
    origin: str,
    *,
    public: Public,
    sees: Sees | None = None,
) -> Iterator[str]:
    """The header, then one line per leaf below the checkpoint's size, page by page."""
    size, note = checkpoint
    header = {
        "format": "collab-audit-export",
        "v": 1,
        "origin": origin,
        "size": size,
        "checkpoint": note,
        "partial": sees is not None,
    }
    yield dumps(header)
    for low in range(0, size, store.PAGE):
        page = list(store.leaves(conn, low, min(low + store.PAGE, size)))
        if not page:
            return
        events = store.stored_events(recorder, page[0].position, page[-1].position)
        for leaf in page:
            yield dumps(line(leaf, events.get(leaf.position), decode, public, sees))


def line(
    leaf: store.Leaf,
    row: store.StoredRow | None,
    decode: Callable[[Any], Any],
    public: Public,
    sees: Sees | None,
) -> dict[str, Any]:
    event = None if row is None else decoded(decode, row)
    if sees is not None and (event is None or not sees(event, leaf.position)):
        return {"leaf": leaf.leaf, "leaf_hash": leaf.leaf_hash}
    signature = None
    if row is not None and row.signature is not None:
        signature = {"key_id": row.key_id, "value": row.signature}
    return {
        "leaf": leaf.leaf,
        "entry": leaf.entry,
        "event": None if row is None else base64.b64encode(row.state).decode(),
        "signature": signature,
        "public": None if event is None else public(event, leaf.position),
    }


def decoded(decode: Callable[[Any], Any], row: store.StoredRow) -> Any:
    """The domain event, or None when the stored bytes no longer decode (never a crash:
    the verifier reports the damage)."""
    try:
        return decode(row.notification)
    except Exception:  # any decoding failure: bytes, JSON, topic or upcasting
        log.warning("event at position %s does not decode", row.id)
        return None


def open_private(path: Path) -> TextIO:
    """``path`` for writing, emptied, 0600 whatever the umask: a new file is made so, and a
    regular file of ours that others could read loses their bits (a device is left alone)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        st = os.fstat(fd)
        if stat.S_ISREG(st.st_mode) and st.st_uid == os.geteuid() and st.st_mode & 0o077:
            os.fchmod(fd, stat.S_IMODE(st.st_mode) & ~0o077)
        return os.fdopen(fd, "w", encoding="utf-8")
    except BaseException:
        os.close(fd)
        raise


def dumps(value: Any) -> str:
    # ASCII: a tampered event may decode to a lone surrogate, which UTF-8 cannot carry.
    return json.dumps(value, separators=(",", ":")) + "\n"
