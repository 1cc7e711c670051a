"""The verifiable log over HTTP: checkpoint, receipts, inclusion and consistency proofs,
and the JSON Lines export, each filtered by what the caller may see (DESIGN §3, §5)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from flask import Response, stream_with_context

from api.auth import current_actor
from api.errors import Unavailable
from api.events import decoded, gate, within
from api.http import Blueprint, Body
from api.schemas import audit as s
from api.service import Service, service
from collab.audit.export import Sees
from collab.audit.log import NotSealedYet
from collab.audit.verify import NoteError, open_checkpoint
from collab.domain import values as v
from collab.domain.errors import NotFoundError

blp = Blueprint("audit", __name__, url_prefix="/v1/audit", description=__doc__)


@blp.route("/checkpoint", methods=["GET"])
@blp.response(200, s.Checkpoint)
def checkpoint() -> dict[str, object]:
    """The latest signed checkpoint (C2SP tlog-checkpoint, Ed25519 signed note)."""
    return latest_checkpoint()


def latest_checkpoint() -> dict[str, Any]:
    """The latest checkpoint, verified against the known keys (404 before the first; 503
    if it does not verify). The API's and the explorer's audit pages read it here."""
    svc = service()
    with svc.audit.connect() as conn:
        _size, note = svc.audit.checkpoint(conn)
    try:
        opened = open_checkpoint(note, list(svc.audit.keys.verifiers.values()))
    except NoteError:
        # Tampered with in the database, or signed by a key this worker does not know yet
        # (rotated while it ran): never serve it as ours.
        raise Unavailable("the latest recorded checkpoint does not verify", 60) from None
    return {"origin": opened.origin, "size": opened.size, "root": opened.root.hex(), "note": note}


@blp.route("/receipts/<int:position>", methods=["GET"])
@blp.response(200, s.Receipt)
def receipt(position: int) -> dict[str, object]:
    """The receipt of the event at a log position (waits a little for its leaf)."""
    svc = service()
    check_sees(svc, position)
    deadline = time.monotonic() + svc.settings.read_wait_seconds
    delay = 0.005
    while True:
        found = svc.audit.receipt(position)
        if found is not None:
            return dict(found.as_dict())
        if time.monotonic() >= deadline:
            raise Unavailable(f"the event at position {position} has no leaf yet")
        if svc.settings.mode == "embedded":
            svc.read.catch_up(position)
        time.sleep(delay)
        delay = min(delay * 2, 0.1)


@blp.route("/proofs/inclusion", methods=["GET"])
@blp.arguments(s.InclusionQuery, location="query")
@blp.response(200, s.InclusionBundle)
def inclusion(query: Body) -> dict[str, object]:
    """A proof bundle: the event's leaf in the latest checkpoint (and consistency from an
    older checkpoint size), checked offline by `python verify.py BUNDLE --pubkey KEY`."""
    svc = service()
    check_sees(svc, query["position"])
    try:
        return svc.audit.inclusion(query["position"], query["from_size"])
    except NotSealedYet as e:
        wait = max(1, int(min(svc.settings.seal_interval, 60)))  # the next checkpoint
        raise Unavailable(str(e), retry_after=wait) from None


@blp.route("/proofs/consistency", methods=["GET"])
@blp.arguments(s.ConsistencyQuery, location="query")
@blp.response(200, s.ConsistencyProof)
def consistency(query: Body) -> dict[str, object]:
    """A consistency proof between two tree sizes (hashes only: no event is revealed)."""
    return service().audit.consistency(query["from_size"], query["to_size"])


@blp.route("/export", methods=["GET"])
@blp.arguments(s.ExportQuery, location="query")
@blp.response(200, content_type="application/jsonl")
def export(query: Body) -> Response:
    """The log up to the latest checkpoint as JSON Lines; leaves the caller may not see
    (or outside `partnership`) are given as bare leaf hashes."""
    return export_response(query["partnership"])


def export_response(partnership: object | None) -> Response:
    """The export for the caller, streamed (the API's and the explorer's download)."""
    query = {"partnership": partnership}
    svc, actor = service(), current_actor()
    if query["partnership"] is not None:  # 404 unless the caller may see it
        svc.app.get_partnership(actor, str(query["partnership"]))
    with svc.audit.connect() as conn:
        checkpoint = svc.audit.checkpoint(conn)  # 404 before the first checkpoint

    def lines() -> Iterator[str]:
        with svc.read.reader() as conn:
            seer = gate(conn)
            sees: Sees | None = None if actor.role == "admin" else seer.sees
            pid = query["partnership"]
            if pid is not None:
                sees = within(seer, str(pid))
            yield from svc.export_lines(conn, checkpoint, sees)

    return Response(stream_with_context(lines()), mimetype="application/jsonl")


def check_sees(svc: Service, position: int) -> None:
    """404 unless the event at `position` exists and the caller may see it."""
    if not 1 <= position <= v.MAX_SAFE_INTEGER:  # SQLite integers stop at 2^63 - 1
        raise NotFoundError(f"no event at position {position}")
    found = svc.app.recorder.select_notifications(position, 1, stop=position)
    event = decoded(found[0]) if found else None
    if event is None:
        raise NotFoundError(f"no event at position {position}")
    with svc.read.reader() as conn:
        if not gate(conn).sees(event, position):
            raise NotFoundError(f"no event at position {position}")
