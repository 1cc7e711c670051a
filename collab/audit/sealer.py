"""Sign a checkpoint (DESIGN §5, second step), never past a bad event, never a fork.

Before signing, the sealer proves that the tree still contains the checkpoint kept in
``keys/checkpoint`` (the last one signed, outside the database), checks every leaf added
since against its stored event and writer signature, and refuses — raising an alarm that
`collab audit status` and `/readyz` report — when anything does not hold. Signing is
serialised across processes by a lock file; the kept checkpoint is replaced atomically.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, NoReturn

from sqlalchemy import Engine, insert, select

from collab.audit import store, tree
from collab.audit import tables as t
from collab.audit.keys import KeyRing, locked, replace_file
from collab.audit.verify import (
    Checkpoint,
    NoteError,
    checkpoint_body,
    leaf_hash,
    open_checkpoint,
    writer_message,
)

log = logging.getLogger("collab.audit")
SEAL_LOCK = ".seal.lock"


@dataclass(frozen=True)
class Alarm:
    """Why the sealer refuses to sign, and where (the first bad leaf, when known)."""

    reason: str
    leaf: int | None = None
    position: int | None = None
    at: str = ""

    def describe(self) -> str:
        where = [f"{k} {v}" for k, v in (("leaf", self.leaf), ("position", self.position))]
        located = [w for w in where if not w.endswith("None")]
        return self.reason + (f" ({', '.join(located)})" if located else "")


class Refused(Exception):
    def __init__(self, alarm: Alarm) -> None:
        super().__init__(alarm.describe())
        self.alarm = alarm


@dataclass(frozen=True)
class Sealed:
    size: int
    root: str  # hex
    note: str  # the checkpoint now held (just signed, or the kept one when nothing was new)
    signed: bool


def stream_keys(leaf: store.Leaf) -> list[tuple[str, int]]:
    """The (stream, version) pairs a leaf's chain check looks up: its own and the previous."""
    return [(leaf.stream, leaf.version), (leaf.stream, leaf.version - 1)]


class Sealer:
    """Checks and signs; `maybe_seal` runs it at most once per interval, off the request."""

    def __init__(
        self,
        keys: KeyRing,
        recorder: Any,
        engine: Engine,
        *,
        interval: float = 5.0,
        clock: Callable[[], float] = time.time,
        writer: Engine | None = None,
    ) -> None:
        self.keys = keys
        self.recorder = recorder
        self.engine = engine  # reads (the checks take a while: never under a write lock)
        # Records the checkpoint row. On SQLite it must begin IMMEDIATE: a deferred read
        # transaction cannot upgrade to a write once another writer committed meanwhile.
        self.writer = writer or engine
        self.attempted = 0.0
        self.interval = interval
        self.clock = clock
        self.memory: dict[str, Any] = {}  # an ephemeral ring's checkpoint and alarm
        self.thread: threading.Thread | None = None
        self.starting = threading.Lock()
        # memory:// keeps its tables on one shared connection: no second thread there.
        self.background = engine.url.database not in (None, "", ":memory:")

    # -- when ---------------------------------------------------------------------------

    def last_signed(self) -> float:
        directory = self.keys.directory
        if directory is None:
            return float(self.memory.get("signed_at", 0.0))
        try:
            return (directory / "checkpoint").stat().st_mtime
        except FileNotFoundError:
            return 0.0

    def maybe_seal(self) -> None:
        """After a command: seal in a background thread if the interval has passed (the
        response does not wait for the checks and the signature)."""
        now = self.clock()
        if now - max(self.last_signed(), self.attempted) < self.interval:
            return
        self.attempted = now  # a failing seal is retried once per interval, not per command
        if not self.background:
            self.seal_quietly()
            return
        with self.starting:  # request threads of one process: one sealing thread at a time
            if self.thread is not None and self.thread.is_alive():
                return
            self.thread = threading.Thread(target=self.seal_quietly, name="sealer", daemon=True)
            self.thread.start()

    def seal_quietly(self) -> None:
        try:
            self.seal()
        except Refused:
            pass  # the alarm is raised and logged
        except Exception:  # a database outage: the next command tries again
            log.exception("sealing failed")

    def close(self) -> None:
        if self.thread is not None:
            self.thread.join(timeout=30)

    # -- what ---------------------------------------------------------------------------

    def seal(self) -> Sealed:
        """Check, then sign a checkpoint of the whole tree if it grew (Refused if not)."""
        directory = self.keys.directory
        try:
            if directory is None:
                with self.lock:
                    return self.seal_locked()
            with locked(directory, SEAL_LOCK):
                return self.seal_locked()
        except Refused as refused:
            self.raise_alarm(refused.alarm)
            raise

    lock = threading.Lock()  # an ephemeral ring has no lock file

    def seal_locked(self) -> Sealed:
        kept = self.kept()
        with self.engine.connect() as conn:
            size = store.size(conn)
            lookup = store.lookup(conn)
            # Sizes never decrease, one size never has two roots: against the checkpoint kept
            # outside the database, and the latest recorded in it (should the kept one be lost).
            self.check_contains(kept, "kept", size, lookup)
            self.check_contains(self.recorded(conn), "recorded", size, lookup)
            self.check_tail(conn, size)
            start = max(kept.size - 1, 0) if kept is not None else 0
            self.check_leaves(conn, start, size)
            root = tree.root(size, lookup)
        if kept is not None and kept.size == size:
            self.clear_alarm()
            return Sealed(size, root.hex(), kept.note, signed=False)
        note = self.keys.signer.sign_note(checkpoint_body(self.keys.origin, size, root))
        self.record(size, root, note)
        self.clear_alarm()
        return Sealed(size, root.hex(), note, signed=True)

    def kept(self) -> Checkpoint | None:
        text = self.keys.kept_checkpoint() or self.memory.get("checkpoint")
        if text is None:
            return None
        try:
            return open_checkpoint(text, list(self.keys.verifiers.values()))
        except NoteError as e:
            self.refuse(f"the kept checkpoint does not verify: {e}")

    def recorded(self, conn: Any) -> Checkpoint | None:
        latest = store.latest_checkpoint(conn)
        if latest is None:
            return None
        try:
            return open_checkpoint(latest[1], list(self.keys.verifiers.values()))
        except NoteError as e:
            self.refuse(f"the recorded checkpoint of size {latest[0]} does not verify: {e}")

    def check_contains(
        self, checkpoint: Checkpoint | None, what: str, size: int, lookup: tree.Lookup
    ) -> None:
        if checkpoint is None:
            return
        if checkpoint.size > size:
            done = "signed" if what == "kept" else "recorded"
            self.refuse(
                f"the log holds {size} leaves but checkpoint {checkpoint.size} was {done}: "
                "restored from an older backup, or truncated",
                leaf=size,
            )
        if tree.root(checkpoint.size, lookup) != checkpoint.root:
            self.refuse(
                f"the tree no longer contains the {what} checkpoint of size {checkpoint.size}"
            )

    def kept_quietly(self) -> Checkpoint | None:
        try:
            return self.kept()
        except Refused:
            return None

    def check_tail(self, conn: Any, size: int) -> None:
        """The stored events still reach the last leaf (names the first leaf cut off)."""
        last = store.leaf_at_index(conn, size - 1) if size else None
        head = self.recorder.max_notification_id() or 0
        if last is not None and last.position > head:
            cut = store.first_leaf_after(conn, head)
            where = {} if cut is None else {"leaf": cut.leaf, "position": cut.position}
            self.refuse(f"the stored events end at position {head}: the tail was cut off", **where)

    def check_leaves(self, conn: Any, start: int, stop: int) -> None:
        """Every leaf in [start, stop) against its stored event and writer signature; and
        no stored event between them without a leaf (inserted behind the follower)."""
        after: int | None = None
        for low in range(start, stop, store.PAGE):
            page = list(store.leaves(conn, low, min(low + store.PAGE, stop)))
            for expected, leaf in enumerate(page, start=low):
                if leaf.leaf != expected:
                    self.refuse("a leaf is missing from the tree", leaf=expected)
            if len(page) != min(store.PAGE, stop - low):
                self.refuse("a leaf is missing from the tree", leaf=low + len(page))
            first = page[0].position if after is None else after + 1
            events = store.stored_events(self.recorder, first, page[-1].position)
            mine = {leaf.position for leaf in page}
            stray = sorted(set(events) - mine)
            if stray:
                self.refuse("a stored event has no leaf (inserted out of order)", position=stray[0])
            held = store.holders(conn, [k for leaf in page for k in stream_keys(leaf)])
            for leaf in page:
                self.check_leaf(leaf, events.get(leaf.position), held)
            after = page[-1].position

    def check_leaf(
        self, leaf: store.Leaf, event: store.StoredRow | None, held: store.Holders
    ) -> None:
        def bad(reason: str) -> NoReturn:
            self.refuse(reason, leaf=leaf.leaf, position=leaf.position)

        if event is None:
            bad("the stored event is missing")
        entry = json.loads(leaf.entry)
        if leaf_hash(leaf.entry.encode()).hex() != leaf.leaf_hash or entry["leaf"] != leaf.leaf:
            bad("the leaf hash does not match its entry")
        if (entry["position"], entry["stream"], entry["version"]) != (
            leaf.position,
            leaf.stream,
            leaf.version,
        ):
            bad("the leaf's position, stream or version is not its entry's")
        same = (entry["stream"], entry["version"], entry["topic"], entry["state_sha256"])
        digest = hashlib.sha256(event.state).hexdigest()
        if same != (event.originator_id, event.originator_version, event.topic, digest):
            bad("the stored event differs from its leaf")
        key = self.keys.verifiers.get(event.key_id or "")
        if event.signature is None or key is None:
            bad("the event has no writer signature by a known key")
        message = writer_message(event.originator_id, event.originator_version, event.topic, digest)
        if not key.verify(base64.b64decode(event.signature), message):
            bad("the writer signature does not verify")
        self.check_chain(leaf, entry["stream_prev"], held, bad)

    @staticmethod
    def check_chain(
        leaf: store.Leaf, prev: str, held: store.Holders, bad: Callable[[str], NoReturn]
    ) -> None:
        """The stream's chain, as the verifier checks it: one leaf per (stream, version), and
        stream_prev the leaf hash of the previous version (a copied event row passes the
        other checks: its writer signature is the original's)."""
        first = held.get((leaf.stream, leaf.version), [(leaf.leaf, "")])[0][0]
        if first != leaf.leaf:
            bad(f"version {leaf.version} of the stream is at leaf {first} already")
        before = [h for n, h in held.get((leaf.stream, leaf.version - 1), []) if n < leaf.leaf]
        expected = "" if leaf.version == 1 else before[0] if len(before) == 1 else None
        if prev != expected:
            bad("stream_prev is not the leaf hash of the stream's previous version")

    def record(self, size: int, root: bytes, note: str) -> None:
        """The checkpoint in the database (served to clients), then kept outside it."""
        with self.writer.begin() as conn:
            held = conn.execute(
                select(t.checkpoints.c.root).where(t.checkpoints.c.size == size)
            ).scalar()
            if held is not None and held != root.hex():
                self.refuse(f"a different checkpoint of size {size} is already recorded")
            if held is None:
                signed_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
                row = {"size": size, "root": root.hex(), "note": note, "signed_at": signed_at}
                conn.execute(insert(t.checkpoints).values(**row))
        if self.keys.directory is None:
            self.memory.update(checkpoint=note, signed_at=self.clock())
        else:
            replace_file(self.keys.directory / "checkpoint", note)

    # -- alarms -------------------------------------------------------------------------

    @staticmethod
    def refuse(reason: str, *, leaf: int | None = None, position: int | None = None) -> NoReturn:
        at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        raise Refused(Alarm(reason, leaf, position, at))

    def raise_alarm(self, alarm: Alarm) -> None:
        log.error("audit alarm: %s", alarm.describe())
        if self.keys.directory is None:
            self.memory["alarm"] = alarm
        else:
            replace_file(self.keys.directory / "alarm", json.dumps(asdict(alarm)) + "\n")

    def clear_alarm(self) -> None:
        self.memory.pop("alarm", None)
        if self.keys.directory is not None:
            (self.keys.directory / "alarm").unlink(missing_ok=True)

    def alarm(self) -> Alarm | None:
        if self.keys.directory is None:
            found: Alarm | None = self.memory.get("alarm")
            return found
        path = self.keys.directory / "alarm"
        try:
            return Alarm(**json.loads(path.read_text()))
        except FileNotFoundError:
            return None
        except (ValueError, TypeError):
            return Alarm("the alarm file is unreadable")
