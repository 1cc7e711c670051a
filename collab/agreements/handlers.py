"""Handlers of agreement texts: draft, open, sign, amend, reject."""

from __future__ import annotations

from typing import Any

from collab.agreements.commands import (
    DraftVersion,
    OpenForSignature,
    ProposeAmendment,
    RejectAmendment,
    SignAgreement,
    numbered,
)
from collab.commands import Result
from collab.documents.reads import ATTACHED
from collab.domain import terms as t
from collab.domain.errors import RuleViolationError
from collab.domain.partnership import Partnership
from collab.domain.partnership_values import Terms
from collab.partnerships.handlers import result
from collab.stores.streams import stream_notifications
from collab.tx import Handlers, Tx, registry

HANDLERS: Handlers = {}
handles = registry(HANDLERS)


@handles(DraftVersion)
def draft_version(tx: Tx, c: DraftVersion) -> Result:
    p, acting = tx.partnership(c.partnership_id)
    number = p.next_version_number()
    terms = numbered(c.terms, str(p.id), number)
    check_documents(tx, p, terms)
    text_hash = t.terms_hash(terms)
    p.draft_version(terms, text_hash, acting, tx.meta())
    tx.save(p)
    return result(p, agreement_version=number, text_hash=text_hash)


@handles(OpenForSignature)
def open_for_signature(tx: Tx, c: OpenForSignature) -> Result:
    p, acting = tx.partnership(c.partnership_id)
    p.open_for_signature(c.agreement_version, acting, tx.meta())
    tx.save(p)
    return result(p)


@handles(SignAgreement)
def sign_agreement(tx: Tx, c: SignAgreement) -> Result:
    p, acting = tx.partnership(c.partnership_id)
    entered = p.sign(c.text_hash, acting, tx.meta())
    tx.save(p)
    return result(p, text_hash=c.text_hash, entered_into_force=entered, status=p.status)


@handles(ProposeAmendment)
def propose_amendment(tx: Tx, c: ProposeAmendment) -> Result:
    p, acting = tx.partnership(c.partnership_id)
    number = p.next_version_number()
    terms = numbered(c.terms, str(p.id), number)
    check_documents(tx, p, terms)
    text_hash = t.terms_hash(terms)
    p.propose_amendment(c.base_version, terms, text_hash, acting, tx.meta())
    tx.save(p)
    return result(p, agreement_version=number, text_hash=text_hash)


@handles(RejectAmendment)
def reject_amendment(tx: Tx, c: RejectAmendment) -> Result:
    p, acting = tx.partnership(c.partnership_id)
    p.reject_amendment(acting, tx.meta())
    tx.save(p)
    return result(p)


def check_documents(tx: Tx, p: Partnership, terms: Terms) -> None:
    """Every document the terms list is this partnership's — attached to it, or listed in
    one of its earlier versions — and in the store (409 otherwise): what is signed is bound
    by hash, so the file must exist to be read before signing, and listing a file of
    another partnership would open it here (or tell whether it is stored)."""
    listed = [d["sha256"] for d in terms.get("documents", ())]
    if not listed:
        return
    own = {d["sha256"] for v in p.versions for d in v.terms.get("documents", ())}
    if not own.issuperset(listed):
        own |= attached_to(tx, p)
    store = tx.app.documents
    for sha256 in listed:
        if sha256 not in own or store is None or not store.has(sha256):
            raise RuleViolationError(f"document {sha256} is not in the store")


def attached_to(tx: Tx, p: Partnership) -> set[str]:
    """The hashes of the files attached to the partnership (its DocumentAttached events)."""
    app = tx.app
    last = app.recorder.max_notification_id() or 0
    found: set[str] = set()
    for n in stream_notifications(app.recorder, p.id, last):
        if n.topic.endswith(ATTACHED):
            event: Any = app.mapper.to_domain_event(n)
            found.add(event.document["sha256"])
    return found
