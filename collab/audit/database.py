"""`collab audit verify --database`: a live database checked through the package.

Everything the offline verifier checks on an export (made here, of the whole log), plus
what only the database shows: every stored event has its leaf, every leaf still matches
its stored event and writer signature (also past the last checkpoint), the stored tree
nodes agree with the leaves, and the tree contains the checkpoint kept outside it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine

from collab.audit import store, tree
from collab.audit.export import Public, export_lines
from collab.audit.keys import KeyRing
from collab.audit.sealer import Refused, Sealer
from collab.audit.verify import (
    NoteError,
    Progress,
    Report,
    open_checkpoint,
    root_of,
    verify_export,
)


def check_database(
    engine: Engine,
    recorder: Any,
    decode: Callable[[Any], Any],
    keys: KeyRing,
    public: Public,
    progress: Progress | None = None,
) -> Report:
    """`progress` follows the export's verification (the leaves up to the checkpoint)."""
    verifiers = list(keys.verifiers.values())
    with engine.connect() as conn:
        size = store.size(conn)
        report = export_report(conn, recorder, decode, keys, public, progress)
        try:
            Sealer(keys, recorder, engine).check_leaves(conn, 0, size)
        except Refused as refused:
            alarm = refused.alarm
            report.problem(alarm.leaf, alarm.position, alarm.reason)
        check_nodes(conn, size, report)
        head = recorder.max_notification_id() or 0
        last = store.leaf_at_index(conn, size - 1) if size else None
        if last is not None and head > last.position:
            report.warn(None, head, f"events after position {last.position} have no leaf yet")
    kept = keys.kept_checkpoint()
    if kept is not None:
        try:
            open_checkpoint(kept, verifiers)
        except NoteError as e:
            report.problem(None, None, f"the kept checkpoint does not verify: {e}")
    return report


def export_report(
    conn: Connection,
    recorder: Any,
    decode: Callable[[Any], Any],
    keys: KeyRing,
    public: Public,
    progress: Progress | None = None,
) -> Report:
    """The whole log exported up to the latest checkpoint recorded, verified as an auditor
    would, and held against the checkpoint kept outside the database."""
    verifiers = list(keys.verifiers.values())
    latest = store.latest_checkpoint(conn)
    if latest is None:
        report = Report()
        report.warn(None, None, "no checkpoint has been signed yet")
        return report
    kept_note = keys.kept_checkpoint()
    kept = None
    if kept_note is not None:
        try:
            kept = open_checkpoint(kept_note, verifiers)
        except NoteError:
            kept = None  # reported by the caller
    lines = export_lines(conn, recorder, decode, latest, keys.origin, public=public)
    encoded = (line.encode() for line in lines)
    return verify_export(encoded, verifiers, checkpoint=kept, progress=progress)


def check_nodes(conn: Connection, size: int, report: Report) -> None:
    """The stored perfect subtrees give the same root as the leaves themselves."""
    hashes = [bytes.fromhex(leaf.leaf_hash) for leaf in store.leaves(conn, 0, size)]
    try:
        stored = tree.root(size, store.lookup(conn))
    except LookupError as e:
        report.problem(None, None, f"the stored tree is incomplete: {e}")
        return
    if stored != root_of(hashes):
        report.problem(None, None, "the stored tree nodes do not match the leaves")
