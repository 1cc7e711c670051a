"""Handlers that start partnerships and manage who is in them."""

from __future__ import annotations

from typing import Any

from collab import access
from collab.commands import Json, Result
from collab.domain import codes
from collab.domain.commitment import Commitment
from collab.domain.envelope import Acting
from collab.domain.errors import ForbiddenError
from collab.domain.partnership import Partnership
from collab.domain.partnership_values import MembershipData
from collab.partnerships.commands import (
    AssignBroker,
    CancelPartnership,
    CorrectPartnership,
    DeclineInvitation,
    InitiatePartnership,
    InviteMember,
    JoinPartnership,
    Joins,
    LeadTerms,
    RelatePartnerships,
    TransferPractice,
    WithdrawMembership,
)
from collab.tx import Handlers, Tx, correction, registry

HANDLERS: Handlers = {}
handles = registry(HANDLERS)


def check_initiator(acting: Acting) -> None:
    """A broker in its own right, or an organisation (community-led partnerships)."""
    if not (acting.as_broker or acting.organisation_id is not None):
        raise ForbiddenError("partnerships are initiated by brokers or partner organisations")


def membership(
    tx: Tx, c: Joins | LeadTerms, organisation_id: str, roles: list[str]
) -> MembershipData:
    """The membership an invitation records: the organisation's sector and, unless
    declared, the interest group its sector defaults to."""
    org = tx.organisation(organisation_id)
    group = c.interest_group or codes.DEFAULT_INTEREST_GROUP[org.sector]
    return MembershipData(
        organisation=str(org.id),
        roles=roles,
        weight=c.weight,
        interest_group=group,
        signatory=c.signatory,
        sector=org.sector,
    )


def start(tx: Tx, described: dict[str, Any], lead: LeadTerms | None, lineage: Any) -> Partnership:
    """A new partnership: the broker's own, or led by the organisation that starts it."""
    acting = tx.acting
    assert acting is not None
    broker, first = None, None
    if acting.as_broker:
        broker = acting.actor_id
    elif acting.organisation_id is not None:
        terms = lead or LeadTerms()
        first = {
            **membership(tx, terms, acting.organisation_id, ["lead"]),
            "status": "active",
            "admitted_by": None,
            "needs_accession": False,
            "breach": None,
        }
    else:
        check_initiator(acting)
    return Partnership(
        described["title"],
        described["need_statement"],
        described["territory"],
        described.get("classifications") or [],
        described["partnership_type"],
        broker,
        first,
        lineage,
        tx.meta(),
    )


def result(p: Partnership, **extra: Json) -> Result:
    return {"partnership_id": str(p.id), "version": p.version, **extra}


def release(tx: Tx, p: Partnership, org_id: str, why: str) -> list[Json]:
    """Open commitments of a member who leaves, released in the same transaction (staged
    before the partnership, so the releases precede the exit in the log)."""
    released: list[Json] = []
    for cid in p.commitments_of(org_id):
        commitment = tx.get(Commitment, cid)
        if commitment.release(why, tx.meta()):
            tx.save(commitment)
            released.append(cid)
    return released


@handles(InitiatePartnership)
def initiate_partnership(tx: Tx, c: InitiatePartnership) -> Result:
    tx.act_as(None)
    fields = {**vars(c), "territory": dict(c.territory)}
    p = start(tx, fields, c.lead, None)
    tx.save(p)
    return result(p)


@handles(AssignBroker)
def assign_broker(tx: Tx, c: AssignBroker) -> Result:
    p, acting = tx.partnership(c.partnership_id)
    p.assign_broker(access.check_broker(tx, c.broker_id, "broker_id"), acting, tx.meta())
    tx.save(p)
    return result(p)


@handles(InviteMember)
def invite_member(tx: Tx, c: InviteMember) -> Result:
    p, acting = tx.partnership(c.partnership_id)
    p.invite(membership(tx, c, c.organisation_id, c.roles), acting, tx.meta())
    tx.save(p)
    return result(p)


@handles(JoinPartnership)
def join_partnership(tx: Tx, c: JoinPartnership) -> Result:
    p, acting = tx.partnership(c.partnership_id)
    p.join(acting, tx.meta())
    tx.save(p)
    return result(p)


@handles(DeclineInvitation)
def decline_invitation(tx: Tx, c: DeclineInvitation) -> Result:
    p, acting = tx.partnership(c.partnership_id)
    p.decline(acting, tx.meta())
    tx.save(p)
    return result(p)


@handles(WithdrawMembership)
def withdraw_membership(tx: Tx, c: WithdrawMembership) -> Result:
    p, acting = tx.partnership(c.partnership_id)
    org_id = str(acting.organisation_id)
    exit_date = p.withdraw(acting, tx.meta())
    released: list[Json] = []
    status = p.members[org_id].status
    if status == "withdrawn":  # no notice left to run: the exit itself
        released = release(tx, p, org_id, "withdrawn")
        p.complete_if_signed(tx.meta())  # the remaining signatories may now be complete
    # Leaving: commitments intact until the due-date processor records the exit.
    tx.save(p)
    return result(p, exit_date=exit_date, status=status, released_commitments=released)


@handles(CorrectPartnership)
def correct_partnership(tx: Tx, c: CorrectPartnership) -> Result:
    p, acting = tx.partnership(c.partnership_id)
    p.correct_details(c.changes, correction(p, c.corrects_version), acting, tx.meta())
    tx.save(p)
    return result(p)


@handles(CancelPartnership)
def cancel_partnership(tx: Tx, c: CancelPartnership) -> Result:
    p, acting = tx.partnership(c.partnership_id)
    p.cancel(acting, tx.meta())
    tx.save(p)
    return result(p)


@handles(RelatePartnerships)
def relate_partnerships(tx: Tx, c: RelatePartnerships) -> Result:
    p, acting = tx.partnership(c.partnership_id)
    # The other must be one the caller sees: a foreign id is refused as an unknown one is.
    access.check_visible(tx, tx.get(Partnership, c.other_id))
    p.relate(c.other_id, c.relation, acting, tx.meta())
    tx.save(p)
    return result(p)


@handles(TransferPractice)
def transfer_practice(tx: Tx, c: TransferPractice) -> Result:
    p, acting = tx.partnership(c.partnership_id)
    p.check_transferable(acting, c.territory)
    described: dict[str, Any] = {
        "title": c.title,
        "need_statement": c.need_statement,
        "territory": dict(c.territory),
        "partnership_type": c.partnership_type or p.partnership_type,
        "classifications": p.classifications if c.classifications is None else c.classifications,
    }
    lineage = {"partnership": str(p.id), "relation": "replicates", "territory": p.territory}
    new = start(tx, described, None, lineage)
    p.record_transfer(str(new.id), described["territory"], acting, tx.meta())
    tx.save(new, p)
    return result(p, new_partnership_id=str(new.id))
