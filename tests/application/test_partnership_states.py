"""DESIGN §2 partnership state table: every row from its allowed and its refused states."""

from __future__ import annotations

import hashlib
from uuid import uuid4

import pytest

from collab.agreements.commands import (
    DraftVersion,
    OpenForSignature,
    ProposeAmendment,
    RejectAmendment,
    SignAgreement,
)
from collab.application import Context, Outcome
from collab.domain.errors import CollabError, ForbiddenError, NotFoundError, RuleViolationError
from collab.governance.commands import AdmitMember, ApplyDecision
from collab.organisations.commands import GrantMandate
from collab.partnerships.commands import (
    AssignBroker,
    CancelPartnership,
    DeclineInvitation,
    InitiatePartnership,
    InviteMember,
    JoinPartnership,
    TransferPractice,
    WithdrawMembership,
)
from tests.application.world import OTHER_TERRITORY, TERRITORY, World, terms

PRE_FORCE = ("scoping", "negotiating", "awaiting_signatures")
DECIDING = ("active", "in_modification", "suspended", "moving_on")  # decisions recordable
STATES = (*PRE_FORCE, *DECIDING, "concluded", "cancelled", "terminated")
GATED = ("suspend", "resume", "start_moving_on", "conclude", "terminate")
ROWS = {  # command -> (states DESIGN §2 lists for it, event recorded, next state or unchanged)
    "invite": (("scoping", "negotiating"), "MemberInvited", "negotiating"),
    # Also from awaiting_signatures: re-drafting reopens negotiation (docs/decisions.md).
    "draft": (("scoping", "negotiating", "awaiting_signatures"), "VersionDrafted", "negotiating"),
    "open": (("negotiating",), "VersionOpenedForSignature", "awaiting_signatures"),
    "sign": (("awaiting_signatures", "in_modification"), "AgreementSigned", None),  # not last
    "admit_member": (("active",), "MemberAdmitted", None),
    "amend": (("active",), "AmendmentProposed", "in_modification"),
    "reject": (("in_modification",), "AmendmentRejected", "active"),
    "suspend": (("active",), "Suspended", "suspended"),
    "resume": (("suspended",), "Resumed", "active"),
    "start_moving_on": (("active",), "MovingOnStarted", "moving_on"),
    "conclude": (("moving_on",), "Concluded", "concluded"),
    "transfer": (("moving_on",), "PracticeTransferred", None),  # concluding is its own decision
    "cancel": (PRE_FORCE, "Cancelled", "cancelled"),
    "terminate": (("active", "suspended", "moving_on"), "Terminated", "terminated"),
}
DOERS = {"sign": ("b",), "reject": ("b",), "amend": ("broker", "a", "c")}  # else broker, lead
BAD_DECISIONS = ("missing", "failed", "other_subject", "other_organisation", "other_partnership")


def others(*allowed: str) -> list[str]:
    return [s for s in STATES if s not in allowed]


def given(world: World, command: str, pid: str) -> str:
    """What the command needs beforehand; returns a decision id where it needs one."""
    world.org("d")
    p = world.partnership_of(pid)
    if command == "open" and p.status == "negotiating":
        world.app.execute(world.as_broker(), DraftVersion(pid, terms=terms()))
    if command not in (*GATED, "admit_member"):
        return ""
    if p.status not in DECIDING:
        return str(uuid4())  # none can be recorded here; the state refuses first
    subject = world.orgs["d"] if command == "admit_member" else None
    return world.decide(pid, command, world.voters(pid), subject)


def latest_hash(world: World, pid: str) -> str:
    versions = world.partnership_of(pid).versions
    if not versions:
        return hashlib.sha256(uuid4().bytes).hexdigest()
    return versions[-1].hash


def initiate(world: World, cmd: Context) -> str:
    out = world.app.execute(
        cmd,
        InitiatePartnership(
            title="Care", need_statement="Elders", territory=TERRITORY, partnership_type="other"
        ),
    )
    pid: str = out.result["partnership_id"]
    return pid


def run(world: World, command: str, cmd: Context, pid: str, decision_id: str = "") -> Outcome:
    """When: one command of the table, as `cmd`."""
    app, d = world.app, world.orgs.get("d")
    if command in GATED:
        return app.execute(cmd, ApplyDecision(pid, action=command, decision_id=decision_id))
    if command in ("invite", "admit_member"):
        decided = {"decision_id": decision_id} if decision_id else {}
        kind = AdmitMember if decided else InviteMember
        return world.runs(kind)(
            cmd, pid, organisation_id=d, roles=["implementer"], weight=1, **decided
        )
    if command == "draft":
        return app.execute(cmd, DraftVersion(pid, terms=terms("Redrafted")))
    if command == "open":
        versions = len(world.partnership_of(pid).versions)
        return app.execute(cmd, OpenForSignature(pid, agreement_version=max(versions, 1)))
    if command == "sign":
        return app.execute(cmd, SignAgreement(pid, text_hash=latest_hash(world, pid)))
    if command == "amend":
        return app.execute(cmd, ProposeAmendment(pid, base_version=1, terms=terms("Amended")))
    if command == "reject":
        return app.execute(cmd, RejectAmendment(pid))
    if command == "transfer":
        place = {"title": "Again", "need_statement": "E", "territory": OTHER_TERRITORY}
        return app.execute(cmd, TransferPractice(pid, **place))
    return app.execute(cmd, CancelPartnership(pid))


ALLOWED_CASES = [
    (command, state, who)
    for command, (states, _, _) in ROWS.items()
    for state in states
    for who in DOERS.get(command, ("broker",) if state == "scoping" else ("broker", "a"))
]


@pytest.mark.parametrize("command, state, who", ALLOWED_CASES)
def test_each_row_from_its_allowed_states(world: World, command: str, state: str, who: str) -> None:
    # Given a partnership in a state the table lists for the command
    pid = world.partnership_in(state)
    decision_id = given(world, command, pid)
    before = world.events(pid)
    # When the broker, the lead or a signatory gives the command
    out = run(world, command, world.as_who(who), pid, decision_id)
    # Then its event is recorded and the partnership is in the next state
    _, event, after = ROWS[command]
    assert world.events(pid) == [*before, event]
    assert world.partnership_of(pid).status == (after or state)
    assert out.positions


@pytest.mark.parametrize("command, state", [(c, s) for c, r in ROWS.items() for s in others(*r[0])])
def test_each_row_is_refused_from_other_states(world: World, command: str, state: str) -> None:
    doer = DOERS.get(command, ("broker",))[0]
    # b leads a community-led partnership in scoping; otherwise the world's partnership
    scoping_member = state == "scoping" and doer == "b"
    pid = initiate(world, world.as_who("b")) if scoping_member else world.partnership_in(state)
    decision_id = given(world, command, pid)
    cmd = world.as_who(doer)
    world.refused(RuleViolationError, lambda: run(world, command, cmd, pid, decision_id))


OUTSIDERS = [
    ("auditor", ForbiddenError),
    ("admin", ForbiddenError),
    ("other_broker", NotFoundError),  # not a partnership broker, no mandate: cannot see it
    ("stranger", NotFoundError),  # a partner of an organisation that is not a member
]
INSIDERS = {  # default: b, a member that is not the lead, may not steer
    "sign": [("broker", ForbiddenError)],
    "reject": [("broker", ForbiddenError)],
    "amend": [],  # any signatory may: see the non-signatory test
}
AUTHORITY_CASES = [
    (command, state, who, error)
    for command, (states, _, _) in ROWS.items()
    for state in states[-1:]
    for who, error in [*OUTSIDERS, *INSIDERS.get(command, [("b", ForbiddenError)])]
]


@pytest.mark.parametrize("command, state, who, error", AUTHORITY_CASES)
def test_each_row_is_refused_without_authority(
    world: World, command: str, state: str, who: str, error: type[CollabError]
) -> None:
    pid = world.partnership_in(state)
    decision_id = given(world, command, pid)
    cmd = world.as_who(who)
    world.refused(error, lambda: run(world, command, cmd, pid, decision_id))


# -- initiate ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["broker", "a"])
def test_a_broker_or_a_partner_initiates_in_scoping(world: World, who: str) -> None:
    # When the broker, or a partner of organisation a, initiates a partnership
    pid = initiate(world, world.as_who(who))
    # Then it is scoping: the broker's, or one whose only member is a, its active lead
    p = world.partnership_of(pid)
    assert (world.events(pid), p.status) == (["Initiated"], "scoping")
    if who == "broker":
        assert (p.brokers, p.members) == ([world.broker.id], {})
    else:
        a = world.orgs["a"]
        assert (p.brokers, list(p.members), p.lead_organisation()) == ([], [a], a)
        assert p.members[a].status == "active"
    # And it steers the partnership: inviting moves it to negotiating
    run(world, "invite", world.as_who(who), pid, given(world, "invite", pid))
    assert world.partnership_of(pid).status == "negotiating"


@pytest.mark.parametrize("who", ["auditor", "admin"])
def test_auditors_and_admins_do_not_initiate(world: World, who: str) -> None:
    world.refused(ForbiddenError, lambda: initiate(world, world.as_who(who)))


# -- signatures --------------------------------------------------------------------------


def test_the_last_signature_brings_the_agreement_into_force(world: World) -> None:
    # Given a text open for signature by a, b and c, signed by a and b
    pid = world.partnership_in("awaiting_signatures")
    text_hash = latest_hash(world, pid)
    for key in ("a", "b"):
        world.app.execute(world.as_(key), SignAgreement(pid, text_hash=text_hash))
    # When c signs another hash, it never counts (invariant 1)
    other = hashlib.sha256(b"another text").hexdigest()
    sign_other = world.runs(SignAgreement)
    world.refused(RuleViolationError, lambda: sign_other(world.as_("c"), pid, text_hash=other))
    assert world.partnership_of(pid).status == "awaiting_signatures"
    # When c signs the open hash; Then signature and entry into force share one transaction
    out = world.app.execute(world.as_("c"), SignAgreement(pid, text_hash=text_hash))
    assert len(out.positions) == 2
    assert world.events(pid)[-2:] == ["AgreementSigned", "AgreementEnteredIntoForce"]
    p = world.partnership_of(pid)
    assert (p.status, p.in_force, out.result["entered_into_force"]) == ("active", 1, True)


@pytest.mark.parametrize(
    "who, error",
    [
        ("d", ForbiddenError),  # an active member that is no signatory
        ("e", RuleViolationError),  # invited, never joined
        ("f", RuleViolationError),  # withdrawn (invariant 3)
    ],
)
def test_only_active_signatories_sign(world: World, who: str, error: type[CollabError]) -> None:
    # Given d (no signatory) active, e invited only, f withdrawn, and a text open for signature
    pid = world.partnership(
        a={"roles": ["lead"]}, b={}, d={"signatory": False}, e={"join": False}, f={}
    )
    world.app.execute(world.as_("f"), WithdrawMembership(pid))
    world.draft_and_open(pid)
    # Then none of them signs
    world.refused(error, lambda: run(world, "sign", world.as_(who), pid))


def test_an_admitted_member_joins_then_accedes_to_the_text_in_force(world: World) -> None:
    # Given d admitted to an active partnership under a passed decision, and joined
    pid = world.partnership_in("active")
    run(world, "admit_member", world.as_broker(), pid, given(world, "admit_member", pid))
    world.app.execute(world.as_("d"), JoinPartnership(pid))
    p, d = world.partnership_of(pid), world.orgs["d"]
    assert (p.members[d].needs_accession, d in p.required_signatories()) == (True, False)
    # When d signs another hash, it is refused; When it signs the hash in force, it counts
    sign = world.runs(SignAgreement)
    world.refused(RuleViolationError, lambda: sign(world.as_("d"), pid, text_hash="0" * 64))
    sign(world.as_("d"), pid, text_hash=p.in_force_version().hash)
    assert world.events(pid)[-3:] == ["MemberAdmitted", "MemberJoined", "AgreementSigned"]
    assert d in world.partnership_of(pid).required_signatories()


def test_accession_is_refused_once_the_partnership_is_terminated(world: World) -> None:
    # Given d admitted and joined, then the partnership terminated before d acceded
    pid = world.partnership_in("active")
    run(world, "admit_member", world.as_broker(), pid, given(world, "admit_member", pid))
    world.app.execute(world.as_("d"), JoinPartnership(pid))
    world.transition(pid, "terminate")
    # Then signing the text of a closed partnership is refused
    world.refused(RuleViolationError, lambda: run(world, "sign", world.as_("d"), pid))


# -- decisions ---------------------------------------------------------------------------


def bad_decision(world: World, pid: str, kind: str, action: str, org: str | None) -> str:
    """A decision id that must not open `action` (on `org`)."""
    voters = world.voters(pid)
    if kind == "failed":
        return world.decide(pid, action, dict.fromkeys(voters, "against"), org)
    if kind == "other_subject":
        return world.decide(pid, "other", voters)
    if kind == "other_organisation":
        return world.decide(pid, "admit_member", voters, world.org("x"))
    if kind == "other_partnership":
        elsewhere = world.partnership_in("active")
        return world.decide(elsewhere, action, world.voters(elsewhere), org)
    return str(uuid4())


@pytest.mark.parametrize("kind", BAD_DECISIONS)
@pytest.mark.parametrize("command", ["admit_member", "suspend", "start_moving_on", "terminate"])
def test_a_gated_row_needs_a_passed_decision_about_it(
    world: World, kind: str, command: str
) -> None:
    pid = world.partnership_in("active")
    org = world.org("d") if command == "admit_member" else None
    decision_id = bad_decision(world, pid, kind, command, org)
    world.refused(
        RuleViolationError, lambda: run(world, command, world.as_broker(), pid, decision_id)
    )


@pytest.mark.parametrize("command", ["admit_member", "suspend"])
def test_a_decision_is_used_once(world: World, command: str) -> None:
    # Given a decision already applied (d admitted then declined; suspended then resumed)
    pid = world.partnership_in("active")
    decision_id = given(world, command, pid)
    run(world, command, world.as_broker(), pid, decision_id)
    if command == "admit_member":
        world.app.execute(world.as_("d"), DeclineInvitation(pid))
    else:
        world.transition(pid, "resume")
    # Then it does not open the same row again
    world.refused(
        RuleViolationError, lambda: run(world, command, world.as_broker(), pid, decision_id)
    )


# -- amendments, transfer, partnership brokers -------------------------------------------


def test_an_amendment_in_force_supersedes_and_a_stale_base_is_refused(world: World) -> None:
    # Given an amendment signed by every active signatory
    pid = world.partnership_in("in_modification")
    for key in ("a", "b", "c"):
        out = run(world, "sign", world.as_(key), pid)
    # Then version 2 is in force, version 1 superseded, in the last signature's transaction
    p = world.partnership_of(pid)
    assert world.events(pid)[-2:] == ["AgreementSigned", "AgreementEnteredIntoForce"]
    assert (p.status, p.in_force, len(out.positions)) == ("active", 2, 2)
    assert [p.text(n).status for n in (1, 2)] == ["superseded", "in_force"]
    # And an amendment on the superseded base is refused (invariant 2)
    world.refused(RuleViolationError, lambda: run(world, "amend", world.as_broker(), pid))


def test_a_member_that_is_no_signatory_does_not_amend(world: World) -> None:
    pid = world.partnership(a={"roles": ["lead"]}, b={}, d={"signatory": False})
    text_hash = world.draft_and_open(pid)
    for key in ("a", "b"):
        world.app.execute(world.as_(key), SignAgreement(pid, text_hash=text_hash))
    world.refused(ForbiddenError, lambda: run(world, "amend", world.as_("d"), pid))


def test_a_transferred_practice_starts_a_partnership_with_lineage(world: World) -> None:
    pid = world.partnership_in("moving_on")
    new = run(world, "transfer", world.as_broker(), pid).result["new_partnership_id"]
    assert world.events(new) == ["Initiated"]
    related = world.partnership_of(new).related
    assert [(r.partnership, r.relation) for r in related] == [(pid, "replicates")]
    transfer = world.runs(TransferPractice)
    same_place = {"title": "Again", "need_statement": "E", "territory": TERRITORY}
    world.refused(RuleViolationError, lambda: transfer(world.as_broker(), pid, **same_place))


def test_an_assigned_broker_steers_like_the_initiating_one(world: World) -> None:
    # Given a broker that is no partnership broker: it cannot even see the partnership
    pid = world.partnership_in("negotiating")
    other = world.another_broker()
    world.org("d")  # registered before: `refused` checks that nothing at all is recorded
    world.refused(NotFoundError, lambda: run(world, "invite", Context(other), pid))
    # When the lead assigns it; Then it invites
    world.app.execute(world.as_("a"), AssignBroker(pid, broker_id=other.id))
    run(world, "invite", Context(other), pid)
    assert world.events(pid)[-2:] == ["BrokerAssigned", "MemberInvited"]


def test_a_broker_under_mandate_acts_only_for_that_organisation(world: World) -> None:
    # Given broker m holding b's mandate for this partnership (b is not the lead)
    pid = world.partnership_in("awaiting_signatures")
    m = world.another_broker()
    world.app.execute(
        world.as_("b"), GrantMandate(world.orgs["b"], broker_id=m.id, partnership_id=pid)
    )
    # Then it signs for b, but neither steers as b nor acts for c
    for_b, for_c = (Context(m, on_behalf_of=world.orgs[key]) for key in "bc")
    world.refused(ForbiddenError, lambda: run(world, "cancel", for_b, pid))
    world.refused(ForbiddenError, lambda: run(world, "sign", for_c, pid))
    run(world, "sign", for_b, pid)
    signature = world.partnership_of(pid).signatures[latest_hash(world, pid)][world.orgs["b"]]
    assert signature.mandate is not None
