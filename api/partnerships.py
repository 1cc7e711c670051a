"""Partnerships: initiation, membership, agreement versions, signatures and amendments."""

from __future__ import annotations

from typing import Any

from api import authority
from api.auth import current_actor
from api.authority import before_body
from api.http import Blueprint, Body, Reply, run
from api.schemas import partnerships as s
from api.schemas.common import CommandBody, Outcome
from api.service import service
from collab.agreements.commands import (
    DraftVersion,
    OpenForSignature,
    ProposeAmendment,
    RejectAmendment,
    SignAgreement,
)
from collab.domain.partnership import Partnership
from collab.domain.partnership_values import AgreementVersion
from collab.partnerships.commands import (
    AssignBroker,
    CancelPartnership,
    CorrectPartnership,
    DeclineInvitation,
    InitiatePartnership,
    InviteMember,
    JoinPartnership,
    RelatePartnerships,
    TransferPractice,
    WithdrawMembership,
)

blp = Blueprint("partnerships", __name__, url_prefix="/v1", description=__doc__)
ONE = "/partnerships/<partnership_id>"


@blp.route("/partnerships", methods=["POST"])
@before_body(authority.caller(authority.initiator))
@blp.arguments(s.InitiatePartnership)
@blp.response(201, Outcome)
def initiate(body: Body) -> Reply:
    """Start a partnership (a broker; or a partner, whose organisation leads)."""
    return run(body, lambda a: InitiatePartnership(**a))


@blp.route(f"{ONE}/brokers", methods=["POST"])
@before_body(authority.partnership(authority.steward))
@blp.arguments(s.AssignBroker)
@blp.response(201, Outcome)
def assign_broker(body: Body, partnership_id: str) -> Reply:
    """Assign another partnership broker (a partnership broker or the lead)."""
    return run(body, lambda a: AssignBroker(partnership_id=partnership_id, **a))


@blp.route(f"{ONE}/members", methods=["POST"])
@before_body(authority.partnership(authority.steward))
@blp.arguments(s.InviteMember)
@blp.response(201, Outcome)
def invite(body: Body, partnership_id: str) -> Reply:
    """Invite an organisation before entry into force (a partnership broker or the lead)."""
    return run(body, lambda a: InviteMember(partnership_id=partnership_id, **a))


@blp.route(f"{ONE}/join", methods=["POST"])
@before_body(authority.partnership(authority.invited))
@blp.arguments(CommandBody)
@blp.response(200, Outcome)
def join(body: Body, partnership_id: str) -> Reply:
    """The invited organisation accepts its invitation."""
    return run(body, lambda a: JoinPartnership(partnership_id=partnership_id))


@blp.route(f"{ONE}/decline", methods=["POST"])
@before_body(authority.partnership(authority.invited))
@blp.arguments(CommandBody)
@blp.response(200, Outcome)
def decline(body: Body, partnership_id: str) -> Reply:
    """The invited organisation declines its invitation."""
    return run(body, lambda a: DeclineInvitation(partnership_id=partnership_id))


@blp.route(f"{ONE}/withdraw", methods=["POST"])
@before_body(authority.partnership(authority.member))
@blp.arguments(CommandBody)
@blp.response(200, Outcome)
def withdraw(body: Body, partnership_id: str) -> Reply:
    """The organisation gives notice: leaving until its exit date, then it leaves."""
    return run(body, lambda a: WithdrawMembership(partnership_id=partnership_id))


@blp.route(f"{ONE}/corrections", methods=["POST"])
@before_body(authority.partnership(authority.steward))
@blp.arguments(s.CorrectPartnership)
@blp.response(200, Outcome)
def correct(body: Body, partnership_id: str) -> Reply:
    """Correct title, need, territory or classifications, naming the corrected event."""
    return run(body, lambda a: CorrectPartnership(partnership_id=partnership_id, **a))


@blp.route(f"{ONE}/cancel", methods=["POST"])
@before_body(authority.partnership(authority.steward))
@blp.arguments(CommandBody)
@blp.response(200, Outcome)
def cancel(body: Body, partnership_id: str) -> Reply:
    """Cancel a partnership before its agreement enters into force."""
    return run(body, lambda a: CancelPartnership(partnership_id=partnership_id))


@blp.route(f"{ONE}/relations", methods=["POST"])
@before_body(authority.partnership(authority.steward))
@blp.arguments(s.RelatePartnerships)
@blp.response(201, Outcome)
def relate(body: Body, partnership_id: str) -> Reply:
    """Record that this partnership replicates, scales or succeeds another."""
    return run(body, lambda a: RelatePartnerships(partnership_id=partnership_id, **a))


@blp.route(f"{ONE}/transfers", methods=["POST"])
@before_body(authority.partnership(authority.steward))
@blp.arguments(s.TransferPractice)
@blp.response(201, Outcome)
def transfer(body: Body, partnership_id: str) -> Reply:
    """While moving on, start a partnership replicating this one in another territory."""
    return run(body, lambda a: TransferPractice(partnership_id=partnership_id, **a))


@blp.route(f"{ONE}/versions", methods=["POST"])
@before_body(authority.partnership(authority.steward))
@blp.arguments(s.DraftVersion)
@blp.response(201, Outcome)
def draft(body: Body, partnership_id: str) -> Reply:
    """Draft the next agreement version; the result carries its text hash."""
    return run(body, lambda a: DraftVersion(partnership_id=partnership_id, **a))


@blp.route(f"{ONE}/open-for-signature", methods=["POST"])
@before_body(authority.partnership(authority.steward))
@blp.arguments(s.OpenForSignature)
@blp.response(200, Outcome)
def open_for_signature(body: Body, partnership_id: str) -> Reply:
    """Fix the latest draft for signature (CLLD balance checked here)."""
    return run(body, lambda a: OpenForSignature(partnership_id=partnership_id, **a))


@blp.route(f"{ONE}/signatures", methods=["POST"])
@before_body(authority.partnership(authority.signatory))
@blp.arguments(s.SignAgreement)
@blp.response(201, Outcome)
def sign(body: Body, partnership_id: str) -> Reply:
    """A signatory member signs the exact text hash; the last signature brings it into force."""
    return run(body, lambda a: SignAgreement(partnership_id=partnership_id, **a))


@blp.route(f"{ONE}/amendments", methods=["POST"])
@before_body(authority.partnership(authority.proposer))
@blp.arguments(s.ProposeAmendment)
@blp.response(201, Outcome)
def propose_amendment(body: Body, partnership_id: str) -> Reply:
    """Propose new terms on the version in force; every active signatory must sign them."""
    return run(body, lambda a: ProposeAmendment(partnership_id=partnership_id, **a))


@blp.route(f"{ONE}/reject-amendment", methods=["POST"])
@before_body(authority.partnership(authority.signatory))
@blp.arguments(CommandBody)
@blp.response(200, Outcome)
def reject_amendment(body: Body, partnership_id: str) -> Reply:
    """An active signatory rejects the pending amendment; the version in force stays."""
    return run(body, lambda a: RejectAmendment(partnership_id=partnership_id))


@blp.route(f"{ONE}/versions", methods=["GET"])
@blp.response(200, s.TermsVersionList)
def versions(partnership_id: str) -> Any:
    """Every agreement version's exact terms and text hash, from the recorded partnership."""
    p = content_for_caller(partnership_id)
    body = {
        "partnership_id": str(p.id),
        "partnership_status": p.status,
        "version": p.version,
        "agreement_in_force": p.in_force,
        "pending_version": p.pending,
        "items": [as_version(text, p) for text in p.versions],
    }
    return body, {"ETag": f'"{p.version}"'}


def as_version(text: AgreementVersion, p: Partnership) -> dict[str, object]:
    return {
        "agreement_version": text.number,
        "status": text.status,
        "base_version": text.base,
        "text_hash": text.hash,
        "terms": text.terms,
        "signed_by": sorted(p.signatures.get(text.hash, {})),
    }


def content_for_caller(partnership_id: str) -> Partnership:
    """DESIGN §3 for reads: invitation-only callers get 404, former members the past."""
    return service().app.partnership_content(current_actor(), partnership_id)
