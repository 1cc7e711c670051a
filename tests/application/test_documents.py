"""Documents on every store: recorded by an event naming what they document, seen as that
event is, and bound by the terms hash when an agreement version lists them (DESIGN §9)."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from collab.agreements.commands import (
    DraftVersion,
    OpenForSignature,
    ProposeAmendment,
    SignAgreement,
)
from collab.application import Collab, Context
from collab.commitments.commands import ReportDelivery
from collab.documents.commands import AttachDocument
from collab.documents.reads import visible_document, visible_documents
from collab.documents.store import DocumentStore
from collab.domain.errors import (
    InvalidInputError,
    NotFoundError,
    RuleViolationError,
)
from collab.partnerships.commands import WithdrawMembership
from tests.application.world import World, terms


@pytest.fixture
def store(app: Collab, tmp_path: Path) -> Iterator[DocumentStore]:
    app.documents = DocumentStore(tmp_path / "documents")
    yield app.documents


def put(store: DocumentStore, data: bytes) -> str:
    """A file in the store (as an upload commits it), by its hash."""
    received = store.receive(io.BytesIO(data))
    store.commit(received)
    return received.sha256


def attach(
    pid: str, sha256: str, documents: str = "need_assessment", **refs: object
) -> AttachDocument:
    return AttachDocument(
        pid,
        sha256,
        "evidence.pdf",
        "application/pdf",
        10,
        documents,
        **refs,  # type: ignore[arg-type]
    )


def test_a_member_attaches_the_need_assessment_and_fellow_members_see_it(
    world: World, store: DocumentStore
) -> None:
    # Given a partnership in force and a file in the store
    pid = world.in_force()
    sha = put(store, b"%PDF-1.4 needs")
    # When member b attaches it to the need assessment
    world.app.execute(world.as_("b"), attach(pid, sha))
    # Then one DocumentAttached event names it, and members and the broker see it
    assert world.events(pid)[-1] == "DocumentAttached"
    for actor in (world.partners["a"], world.broker, world.auditor):
        seen = visible_documents(world.app, actor, pid)
        assert [d["sha256"] for d in seen.attached] == [sha]
        assert seen.attached[0]["about"] == {"documents": "need_assessment"}
    # And an organisation outside the partnership gets 404, as for an unknown id
    world.org("outsider")
    with pytest.raises(NotFoundError):
        visible_document(world.app, world.partners["outsider"], pid, sha)


def test_what_a_document_names_must_be_this_partnerships(
    world: World, store: DocumentStore
) -> None:
    pid, other = world.in_force(), world.in_force(keys=("x", "y"))
    sha = put(store, b"minutes")
    foreign = world.decide(other, "suspend", world.voters(other))
    commitment = world.pledge("x", other)
    refuse = world.runs(AttachDocument)
    cases = [
        ("decision", {"decision_id": foreign}),
        ("decision", {"decision_id": str(uuid.uuid4())}),
        ("agreement_version", {"agreement_version": 9}),
        ("indicator_report", {"report": 2}),
        ("delivery", {"commitment_id": commitment, "delivery_id": str(uuid.uuid4())}),
    ]
    for kind, refs in cases:
        world.refused(
            RuleViolationError,
            lambda k=kind, r=refs: refuse(
                world.as_("a"), pid, sha, "a.pdf", "application/pdf", 7, k, **r
            ),
        )


def test_a_delivery_is_documented_by_its_commitment_of_this_partnership(
    world: World, store: DocumentStore
) -> None:
    pid = world.in_force()
    cid = world.pledge("b", pid)
    out = world.app.execute(
        world.as_("b"), ReportDelivery(cid, quantity="5", delivered_on="2030-01-02")
    )
    delivery = out.result["delivery_id"]
    sha = put(store, b"\x89PNG\r\n\x1a\n photo")
    world.app.execute(
        world.as_("b"), attach(pid, sha, "delivery", commitment_id=cid, delivery_id=delivery)
    )
    entry = visible_document(world.app, world.partners["c"], pid, sha)
    assert entry["about"] == {
        "documents": "delivery",
        "commitment_id": cid,
        "delivery_id": delivery,
    }


def test_only_the_broker_the_lead_or_an_active_member_attaches(
    world: World, store: DocumentStore
) -> None:
    pid = world.in_force()
    sha = put(store, b"x")
    world.org("outsider")
    outsider = world.as_("outsider")
    world.refused(NotFoundError, lambda: world.app.execute(outsider, attach(pid, sha)))
    stranger = world.another_broker()  # a broker with no mandate and no assignment here
    world.refused(NotFoundError, lambda: world.app.execute(Context(stranger), attach(pid, sha)))
    world.app.execute(world.as_broker(), attach(pid, sha))  # the partnership broker may
    assert world.events(pid)[-1] == "DocumentAttached"


@pytest.mark.parametrize(
    ("field", "sha", "name", "kind"),
    [
        ("sha256", "AB" * 32, "a.pdf", "need_assessment"),
        ("name", "ab" * 32, "a\x00b", "need_assessment"),
        ("name", "ab" * 32, "../etc/passwd", "need_assessment"),
        ("name", "ab" * 32, "x" * 256, "need_assessment"),
        ("documents", "ab" * 32, "a.pdf", "everything"),
        ("decision_id", "ab" * 32, "a.pdf", "decision"),
    ],
)
def test_a_document_command_checks_its_fields(field: str, sha: str, name: str, kind: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        AttachDocument(str(uuid.uuid4()), sha, name, "application/pdf", 1, kind)
    assert caught.value.field == field


def test_a_former_member_does_not_see_a_document_attached_after_its_exit(
    world: World, store: DocumentStore
) -> None:
    pid = world.in_force()
    before, after = put(store, b"before"), put(store, b"after")
    world.app.execute(world.as_("a"), attach(pid, before))
    world.app.execute(world.as_("c"), WithdrawMembership(pid))  # no notice: out at once
    world.app.execute(world.as_("a"), attach(pid, after))
    former = world.partners["c"]
    assert [d["sha256"] for d in visible_documents(world.app, former, pid).attached] == [before]
    with pytest.raises(NotFoundError):
        visible_document(world.app, former, pid, after)


def test_terms_listing_a_document_bind_it_to_the_signatures(
    world: World, store: DocumentStore
) -> None:
    # Given a partnership and two files attached to it: an annex, and another one that
    # could replace it; and a file attached to another partnership
    pid = world.partnership(a={"roles": ["lead"]}, b={})
    annex, swapped = put(store, b"annex v1"), put(store, b"annex v2")
    for sha in (annex, swapped):
        world.app.execute(world.as_broker(), attach(pid, sha))
    other = world.partnership(c={"roles": ["lead"]}, d={})
    theirs = put(store, b"minutes of another partnership")
    world.app.execute(world.as_broker(), attach(other, theirs))

    def listing(sha256: str) -> dict[str, object]:
        return {**terms(), "documents": [{"sha256": sha256, "name": "annex.pdf"}]}

    # A listed file not in the store, or another partnership's, is refused, recording
    # nothing (listing it would open it here)
    for foreign in ("0" * 64, theirs):
        world.refused(
            RuleViolationError,
            lambda foreign=foreign: world.app.execute(  # type: ignore[misc]
                world.as_broker(), DraftVersion(pid, terms=listing(foreign))
            ),
        )
    # Terms without documents keep their hash; listing one changes it
    plain = world.app.execute(world.as_broker(), DraftVersion(pid, terms=terms()))
    draft = world.app.execute(world.as_broker(), DraftVersion(pid, terms=listing(annex)))
    assert draft.result["text_hash"] != plain.result["text_hash"]
    # When every member signs the version listing the annex
    world.app.execute(world.as_broker(), OpenForSignature(pid, agreement_version=2))
    signed = draft.result["text_hash"]
    for key in ("a", "b"):
        world.app.execute(world.as_(key), SignAgreement(pid, text_hash=signed))
    p = world.partnership_of(pid)
    assert p.status == "active"
    assert p.in_force_version().terms["documents"] == [{"sha256": annex, "name": "annex.pdf"}]
    # Then the annex cannot be swapped under those signatures: other terms are another
    # version, with another hash, which the old signatures do not reach
    out = world.app.execute(
        world.as_broker(), ProposeAmendment(pid, base_version=2, terms=listing(swapped))
    )
    assert out.result["text_hash"] != signed
    world.refused(
        RuleViolationError,
        lambda: world.app.execute(world.as_("a"), SignAgreement(pid, text_hash=signed)),
    )
    p = world.partnership_of(pid)
    assert p.in_force_version().terms["documents"][0]["sha256"] == annex
    assert p.signatures.get(out.result["text_hash"], {}) == {}
    # And both files are listed to members, each with its version
    seen = visible_documents(world.app, world.partners["b"], pid)
    assert [(d["sha256"], d["agreement_version"]) for d in seen.listed] == [
        (annex, 2),
        (swapped, 3),
    ]
