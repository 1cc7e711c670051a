"""Which documents a caller may see (DESIGN §3, §9): a file follows the visibility of the
events that name it — a `DocumentAttached` inside the caller's window on the partnership,
or an agreement version (in that window) whose terms list it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from collab.domain import values as v
from collab.domain.envelope import Actor
from collab.domain.errors import NotFoundError
from collab.domain.partnership import Partnership
from collab.stores.streams import fold, stream_notifications

if TYPE_CHECKING:
    from collab.application import Collab

ATTACHED = ".DocumentAttached"


@dataclass(frozen=True)
class Visible:
    """The documents of one partnership a caller sees: attached ones (each with the log
    position of its event) and those its visible agreement versions list."""

    partnership_id: str
    attached: list[dict[str, Any]] = field(default_factory=list)
    listed: list[dict[str, Any]] = field(default_factory=list)

    def names(self, sha256: str) -> dict[str, Any] | None:
        """The latest attachment of the file, else its latest listing; None: unseen."""
        for entry in (*reversed(self.attached), *reversed(self.listed)):
            if entry["sha256"] == sha256:
                return dict(entry)
        return None


def visible_documents(app: Collab, actor: Actor, partnership_id: object) -> Visible:
    """The partnership's documents as `actor` may see them (404 as for its content)."""
    p, win = app.visible_partnership(actor, partnership_id)
    if not win.content:
        raise NotFoundError(f"no partnership {p.id}")
    last = win.until if win.until is not None else app.recorder.max_notification_id() or 0
    attached = []
    for n in stream_notifications(app.recorder, p.id, last):
        if n.topic.endswith(ATTACHED):
            event: Any = app.mapper.to_domain_event(n)
            meta = event.meta
            attached.append(
                {
                    **event.document,
                    "position": n.id,
                    "version": n.originator_version,
                    "recorded_at": meta["recorded_at"],
                    "actor": meta["actor"],
                    "on_behalf_of": meta["on_behalf_of"],
                }
            )
    content = p
    if win.until is not None:
        past, _ = fold(app, p.id, win.until)
        assert isinstance(past, Partnership)
        content = past
    listed = [
        {**doc, "agreement_version": text.number, "text_status": text.status}
        for text in content.versions
        for doc in text.terms.get("documents", ())
    ]
    return Visible(str(p.id), attached, listed)


def visible_document(
    app: Collab, actor: Actor, partnership_id: object, sha256: object
) -> dict[str, Any]:
    """One file the caller may download, by hash (404 when no visible event names it)."""
    digest = v.text_hash(sha256, "sha256")
    found = visible_documents(app, actor, partnership_id).names(digest)
    if found is None:
        raise NotFoundError(f"no document {digest}")
    return found
