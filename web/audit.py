"""Explorer pages: the verifiable log for admins and auditors (DESIGN §5, §7).

The page shows the latest signed checkpoint as `GET /v1/audit/checkpoint` gives it, and
the download is `GET /v1/audit/export` for the same person: both call the API's own
functions (`api.audit`), so the rule for what an export holds lives in one place.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass

from flask import Response, g
from sqlalchemy import select

from api.audit import export_response, latest_checkpoint
from api.service import service
from collab.audit import tables as log_tables
from collab.audit.verify import VerifierKey, open_checkpoint
from collab.domain.errors import ForbiddenError, NotFoundError
from web.frame import page, pages, views_reached

blp = pages("audit")

AUDITING = ("admin", "auditor")


@dataclass(frozen=True)
class Sealed:
    """The latest signed checkpoint, as the API gives it, with the keys that signed it (as
    verifier key lines, the form `verify.py --pubkey` reads) and when it was signed."""

    origin: str
    size: int
    root: str
    note: str
    keys: dict[str, str]  # key id -> verifier key line
    signed_at: str | None


def verifier_line(key: VerifierKey) -> str:
    """`<origin>+<key id>+<base64(0x01 ‖ public key)>`, as in `keys/<key id>.pub`."""
    encoded = base64.b64encode(b"\x01" + key.public_bytes).decode()
    return f"{key.name}+{key.key_id}+{encoded}"


def latest() -> Sealed:
    """The latest checkpoint (NotFoundError before the first; 503 if it does not verify)."""
    body = latest_checkpoint()
    svc = service()
    known = svc.audit.keys.verifiers
    signers = open_checkpoint(body["note"], list(known.values())).key_ids
    c = log_tables.checkpoints
    with svc.audit.connect() as conn:
        query = select(c.c.signed_at).where(c.c.size == body["size"])
        signed_at = conn.execute(query).scalar()
    keys = {k: verifier_line(known[k]) for k in signers}
    return Sealed(body["origin"], body["size"], body["root"], body["note"], keys, signed_at)


def check_auditing() -> None:
    if g.actor.role not in AUDITING:
        raise ForbiddenError("only admins and auditors open the audit pages")


@blp.route("/audit", methods=["GET"])
def audit() -> str:
    """The latest checkpoint, the export to download and how to verify it offline."""
    check_auditing()
    views_reached()
    sealed = None
    with contextlib.suppress(NotFoundError):  # no checkpoint signed yet
        sealed = latest()
    return page(
        "audit.html",
        sealed=sealed,
        head=service().head(),
        partial=g.actor.role != "admin",
    )


@blp.route("/audit/export", methods=["GET"])
def export() -> Response:
    """The JSON Lines export up to the latest checkpoint, as the API gives it to this
    person, as a file to keep."""
    check_auditing()
    views_reached()
    answer = export_response(None)
    lines: Iterator[str | bytes] = iter(answer.response)
    first = next(lines)  # the header: the file is named after the size it covers
    size = int(json.loads(first)["size"])
    answer.response = itertools.chain([first], lines)  # type: ignore[assignment]
    answer.headers["Content-Disposition"] = f'attachment; filename="collab-log-{size}.jsonl"'
    answer.headers["Cache-Control"] = "no-store"  # one person's view of the log
    return answer
