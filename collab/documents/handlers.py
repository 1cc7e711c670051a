"""Handlers of documents: get the partnership, check what the document names, save."""

from __future__ import annotations

from typing import Any

from collab.commands import Result
from collab.documents.commands import AttachDocument
from collab.domain.commitment import Commitment
from collab.domain.errors import NotFoundError, RuleViolationError
from collab.indicators.handlers import stored_event
from collab.partnerships.handlers import result
from collab.tx import Handlers, Tx, registry

HANDLERS: Handlers = {}
handles = registry(HANDLERS)


@handles(AttachDocument)
def attach_document(tx: Tx, c: AttachDocument) -> Result:
    p, acting = tx.partnership(c.partnership_id)
    about = c.about()
    reported: Any = None
    if c.documents == "delivery":
        check_delivery(tx, str(p.id), str(about["commitment_id"]), str(about["delivery_id"]))
    elif c.documents == "indicator_report" and c.report is not None and c.report <= p.version:
        reported = stored_event(tx, p.id, c.report)
    document = {
        "sha256": c.sha256,
        "name": c.name,
        "media_type": c.media_type,
        "size": c.size,
        "about": about,
    }
    p.attach_document(document, acting, tx.meta(), reported)
    tx.save(p)
    return result(p, sha256=c.sha256)


def check_delivery(tx: Tx, partnership_id: str, commitment_id: str, delivery_id: str) -> None:
    """A delivery of a commitment made to this partnership (409 otherwise)."""
    try:
        commitment = tx.get(Commitment, commitment_id)
    except NotFoundError:
        raise RuleViolationError("no such commitment in this partnership") from None
    if commitment.partnership_id != partnership_id:
        raise RuleViolationError("no such commitment in this partnership")
    commitment.delivery(delivery_id)
