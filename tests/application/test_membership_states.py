"""DESIGN §2 membership state table: every row from its allowed and its refused states."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from collab.agreements.commands import SignAgreement
from collab.application import Context, Outcome
from collab.domain.errors import CollabError, ForbiddenError, NotFoundError, RuleViolationError
from collab.governance.commands import AdmitMember, DecideMember, NotifyBreach
from collab.organisations.commands import GrantMandate
from collab.partnerships.commands import DeclineInvitation, JoinPartnership, WithdrawMembership
from tests.application.world import World

# leaving: notice given, in standing until the exit date (invariant 8); no row starts there
STATES = ("invited", "active", "leaving", "declined", "withdrawn", "defaulting", "removed")
NOTIFIED, REMEDY_UNTIL, AFTER_REMEDY = "2027-03-01", "2027-03-11", "2027-03-12"
DECIDED = ("declare_defaulting", "remedied", "remove_member")
ROWS = {  # command -> (membership states DESIGN §2 lists, event recorded, next state)
    "join": (("invited",), "MemberJoined", "active"),
    "decline": (("invited",), "MemberDeclined", "declined"),
    "withdraw": (("active",), "MemberWithdrew", "withdrawn"),
    "notify_breach": (("active",), "BreachNotified", "active"),
    "declare_defaulting": (("active",), "MemberDeclaredDefaulting", "defaulting"),
    "remedied": (("defaulting",), "DefaultRemedied", "active"),
    "remove_member": (("defaulting",), "MemberRemoved", "removed"),
}
SELF = ("join", "decline", "withdraw")  # by the organisation itself; the rest by a steward


def others(*allowed: str) -> list[str]:
    return [s for s in STATES if s not in allowed]


def decide(world: World, pid: str, action: str, key: str, **options: Any) -> Outcome:
    """Record a unanimous decision about member `key` and apply it as the broker."""
    org = world.orgs[key]
    decision_id = world.decide(pid, action, world.voters(pid), org)
    return world.app.execute(
        world.as_broker(**options),
        DecideMember(pid, action=action, organisation_id=org, decision_id=decision_id),
    )


def breach(world: World, pid: str, key: str = "d", cmd: Context | None = None) -> Outcome:
    return world.app.execute(
        cmd or world.as_broker(effective_date=NOTIFIED),
        NotifyBreach(pid, organisation_id=world.orgs[key], remedy_days=10),
    )


def member_in(world: World, status: str) -> tuple[str, str]:
    """An in-force partnership (a leads; b, c active) and the key of a member in `status`."""
    if status in ("invited", "declined"):
        pid = world.in_force()
        world.org("e")
        admission = world.decide(pid, "admit_member", world.voters(pid), world.orgs["e"])
        world.app.execute(
            world.as_broker(),
            AdmitMember(
                pid,
                decision_id=admission,
                organisation_id=world.orgs["e"],
                roles=["implementer"],
                weight=1,
            ),
        )
        if status == "declined":
            world.app.execute(world.as_("e"), DeclineInvitation(pid))
        return pid, "e"
    pid = world.in_force(keys=("a", "b", "c", "d"), notice=30 if status == "leaving" else 0)
    if status in ("withdrawn", "leaving"):  # no notice: the exit at once; else notice runs
        world.app.execute(world.as_("d"), WithdrawMembership(pid))
    if status in ("defaulting", "removed"):
        breach(world, pid)
        decide(world, pid, "declare_defaulting", "d", effective_date=AFTER_REMEDY)
    if status == "removed":
        decide(world, pid, "remove_member", "d")
    assert world.partnership_of(pid).members[world.orgs["d"]].status == status
    return pid, "d"


def run(world: World, command: str, cmd: Context, pid: str, key: str, did: str = "") -> Outcome:
    """When: one command of the membership table about member `key`, as `cmd`."""
    org = world.orgs[key]
    if command == "join":
        return world.app.execute(cmd, JoinPartnership(pid))
    if command == "decline":
        return world.app.execute(cmd, DeclineInvitation(pid))
    if command == "withdraw":
        return world.app.execute(cmd, WithdrawMembership(pid))
    if command == "notify_breach":
        return world.app.execute(cmd, NotifyBreach(pid, organisation_id=org, remedy_days=10))
    return world.app.execute(
        cmd, DecideMember(pid, action=command, organisation_id=org, decision_id=did)
    )


def given(world: World, command: str, pid: str, key: str) -> str:
    """A notified breach and a passed decision where the command needs them."""
    if command not in DECIDED:
        return ""
    member = world.partnership_of(pid).members[world.orgs[key]]
    if command == "declare_defaulting" and member.status == "active":
        breach(world, pid, key)
    return world.decide(pid, command, world.voters(pid), world.orgs[key])


def doer(command: str, key: str) -> str:
    return key if command in SELF else "broker"


@pytest.mark.parametrize("command, state", [(c, s) for c, r in ROWS.items() for s in r[0]])
def test_each_row_from_its_allowed_state(world: World, command: str, state: str) -> None:
    # Given a member in a state the table lists for the command (the remedy period passed)
    pid, key = member_in(world, state)
    decision_id = given(world, command, pid, key)
    before = world.events(pid)
    # When the organisation itself, or the broker under a decision, gives the command
    cmd = world.as_who(doer(command, key), effective_date=AFTER_REMEDY)
    run(world, command, cmd, pid, key, decision_id)
    # Then its event is recorded and the membership is in the next state
    _, event, after = ROWS[command]
    assert world.events(pid) == [*before, event]
    assert world.partnership_of(pid).members[world.orgs[key]].status == after


@pytest.mark.parametrize("command, state", [(c, s) for c, r in ROWS.items() for s in others(*r[0])])
def test_each_row_is_refused_from_other_states(world: World, command: str, state: str) -> None:
    pid, key = member_in(world, state)
    decision_id = given(world, command, pid, key)
    cmd = world.as_who(doer(command, key), effective_date=AFTER_REMEDY)
    world.refused(RuleViolationError, lambda: run(world, command, cmd, pid, key, decision_id))


OUTSIDERS = [
    ("auditor", ForbiddenError),
    ("admin", ForbiddenError),
    ("other_broker", NotFoundError),  # not a partnership broker, no mandate: cannot see it
    ("stranger", NotFoundError),  # a partner of an organisation that is not a member
]
AUTHORITY_CASES = [
    (command, who, error)
    for command in ROWS
    for who, error in [
        *OUTSIDERS,
        # a partnership broker answers or leaves only under the organisation's mandate;
        # b, a member that is not the lead, does not steer
        ("broker", ForbiddenError) if command in SELF else ("b", ForbiddenError),
    ]
]


@pytest.mark.parametrize("command, who, error", AUTHORITY_CASES)
def test_each_row_is_refused_without_authority(
    world: World, command: str, who: str, error: type[CollabError]
) -> None:
    state = ROWS[command][0][0]
    pid, key = member_in(world, state)
    decision_id = given(world, command, pid, key)
    cmd = world.as_who(who, effective_date=AFTER_REMEDY)
    world.refused(error, lambda: run(world, command, cmd, pid, key, decision_id))


@pytest.mark.parametrize("command", SELF)
def test_a_partner_acts_only_for_its_own_organisation(world: World, command: str) -> None:
    # Given member e (invited) or d (active), and b, another member
    pid, key = member_in(world, ROWS[command][0][0])
    as_b_for_them = world.as_("b", on_behalf_of=world.orgs[key])
    world.refused(ForbiddenError, lambda: run(world, command, as_b_for_them, pid, key))


def test_a_broker_under_mandate_answers_for_the_organisation(world: World) -> None:
    # Given e invited, and broker m holding e's mandate for this partnership
    pid, key = member_in(world, "invited")
    m = world.another_broker()
    world.app.execute(
        world.as_(key), GrantMandate(world.orgs[key], broker_id=m.id, partnership_id=pid)
    )
    # When m joins for e; Then e is an active member
    world.app.execute(Context(m, on_behalf_of=world.orgs[key]), JoinPartnership(pid))
    assert world.events(pid)[-1] == "MemberJoined"
    assert world.partnership_of(pid).members[world.orgs[key]].status == "active"


# -- invite, withdraw with notice --------------------------------------------------------


@pytest.mark.parametrize("sector, group", [("public", "public_authority"), ("private", "economic")])
def test_an_invitation_defaults_the_interest_group_from_the_sector(
    world: World, sector: str, group: str
) -> None:
    pid = world.partnership(a={"roles": ["lead"]}, e={"sector": sector, "join": False})
    member = world.partnership_of(pid).members[world.orgs["e"]]
    assert world.events(pid)[-1] == "MemberInvited"
    assert (member.status, member.interest_group) == ("invited", group)


@pytest.mark.parametrize("state", STATES)
def test_an_organisation_is_invited_again_only_once_it_left(world: World, state: str) -> None:
    # Given a member in `state` of an active partnership, and a passed decision to admit it
    pid, key = member_in(world, state)
    org = world.orgs[key]
    decision_id = world.decide(pid, "admit_member", world.voters(pid), org)

    def invite() -> Outcome:
        return world.app.execute(
            world.as_broker(),
            AdmitMember(
                pid, decision_id=decision_id, organisation_id=org, roles=["observer"], weight=1
            ),
        )

    # Then an organisation still in the partnership is refused; one that left is invited anew
    if state in ("invited", "active", "leaving", "defaulting"):
        world.refused(RuleViolationError, invite)
        return
    invite()
    assert world.events(pid)[-1] == "MemberAdmitted"
    assert world.partnership_of(pid).members[org].status == "invited"


@pytest.mark.parametrize("in_force, exit_date", [(True, "2027-04-15"), (False, "2027-03-01")])
def test_a_withdrawal_whose_notice_has_run_out_is_the_exit_at_once(
    world: World, in_force: bool, exit_date: str
) -> None:
    # Given a text with 45 days' notice in force, or no text in force yet (no notice)
    pid = world.in_force(notice=45) if in_force else world.partnership(a={}, b={})
    cid = world.pledge("b", pid, confirm=False)
    # When b's withdrawal of 1 March 2027 is recorded today (2030: the notice has run out)
    out = world.app.execute(world.as_("b", effective_date=NOTIFIED), WithdrawMembership(pid))
    # Then it is withdrawn at once, on the date its notice ended, its commitments released
    member = world.partnership_of(pid).members[world.orgs["b"]]
    assert world.events(pid)[-1] == "MemberWithdrew"
    assert out.result["exit_date"] == member.exit_date == exit_date
    assert (member.status, out.result["status"]) == ("withdrawn", "withdrawn")
    assert out.result["released_commitments"] == [cid]


def test_a_withdrawal_with_notice_to_run_leaves_the_member_leaving_and_in_standing(
    world: World,
) -> None:
    # Given a text with 60 days' notice in force, and b's confirmed commitment
    pid = world.in_force(notice=60)
    cid = world.pledge("b", pid)
    # When b withdraws today (the test clock: 2030-06-01)
    out = world.app.execute(world.as_("b"), WithdrawMembership(pid))
    # Then it gave notice: leaving until 31 July, nothing released
    assert world.events(pid)[-1] == "MemberGaveNotice"
    assert (out.result["status"], out.result["exit_date"]) == ("leaving", "2030-07-31")
    assert out.result["released_commitments"] == []
    member = world.partnership_of(pid).members[world.orgs["b"]]
    assert (member.status, member.exit_date, member.exit_version) == (
        "leaving",
        "2030-07-31",
        None,
    )
    assert world.commitment_of(cid).status == "confirmed"
    # And it still acts: it pledges, and it votes in a decision
    world.pledge("b", pid, confirm=True)
    world.decide(pid, "other", {"a": "for", "b": "for", "c": "for"})
    # But it does not withdraw twice
    world.refused(
        RuleViolationError, lambda: world.app.execute(world.as_("b"), WithdrawMembership(pid))
    )


def test_a_withdrawal_can_complete_the_signatures(world: World) -> None:
    # Given a text signed by a and b but not c; When c withdraws; Then it enters into force
    pid = world.partnership(a={"roles": ["lead"]}, b={}, c={})
    text_hash = world.draft_and_open(pid)
    for key in ("a", "b"):
        world.app.execute(world.as_(key), SignAgreement(pid, text_hash=text_hash))
    world.app.execute(world.as_("c"), WithdrawMembership(pid))
    assert world.events(pid)[-2:] == ["MemberWithdrew", "AgreementEnteredIntoForce"]


# -- breach, remedy period, defaulting ---------------------------------------------------


def test_defaulting_is_declared_only_once_the_remedy_period_passed(world: World) -> None:
    # Given d active in force, with no breach notified: declaring it defaulting is refused
    pid, key = member_in(world, "active")
    decision_id = world.decide(pid, "declare_defaulting", world.voters(pid), world.orgs[key])
    declare = world.as_broker(effective_date=AFTER_REMEDY)
    world.refused(
        RuleViolationError, lambda: run(world, "declare_defaulting", declare, pid, key, decision_id)
    )
    # When a breach is notified with 10 days to remedy
    breach(world, pid, key, world.as_("a", effective_date=NOTIFIED))  # a is the lead
    member = world.partnership_of(pid).members[world.orgs[key]]
    assert member.remedy_until == REMEDY_UNTIL
    # Then it is refused on the last day of the remedy period, and accepted the day after
    last_day = world.as_broker(effective_date=REMEDY_UNTIL)
    world.refused(
        RuleViolationError,
        lambda: run(world, "declare_defaulting", last_day, pid, key, decision_id),
    )
    run(world, "declare_defaulting", declare, pid, key, decision_id)
    assert world.events(pid)[-2:] == ["BreachNotified", "MemberDeclaredDefaulting"]


def test_a_remedied_member_is_active_without_a_breach(world: World) -> None:
    pid, key = member_in(world, "defaulting")
    decide(world, pid, "remedied", key)
    member = world.partnership_of(pid).members[world.orgs[key]]
    assert (member.status, member.remedy_until) == ("active", None)


def bad_decision(world: World, pid: str, kind: str, action: str, key: str) -> str:
    voters, org = world.voters(pid), world.orgs[key]
    if kind == "failed":
        return world.decide(pid, action, dict.fromkeys(voters, "against"), org)
    if kind == "other_subject":  # remedied <-> remove_member, both for this member
        other = "remove_member" if action != "remove_member" else "remedied"
        return world.decide(pid, other, voters, org)
    if kind == "other_organisation":
        return world.decide(pid, action, voters, world.orgs["c"])
    return str(uuid4())


@pytest.mark.parametrize("kind", ["missing", "failed", "other_subject", "other_organisation"])
@pytest.mark.parametrize("command", DECIDED)
def test_member_decisions_need_a_passed_decision_about_them(
    world: World, command: str, kind: str
) -> None:
    pid, key = member_in(world, ROWS[command][0][0])
    given(world, command, pid, key)  # notifies the breach, where declaring needs one
    decision_id = bad_decision(world, pid, kind, command, key)
    cmd = world.as_broker(effective_date=AFTER_REMEDY)
    world.refused(RuleViolationError, lambda: run(world, command, cmd, pid, key, decision_id))


def test_a_member_decision_is_used_once(world: World) -> None:
    # Given d declared defaulting under decision x, then remedied under decision y
    pid, key = member_in(world, "active")
    cmd = world.as_broker(effective_date=AFTER_REMEDY)
    x = given(world, "declare_defaulting", pid, key)
    run(world, "declare_defaulting", cmd, pid, key, x)
    y = given(world, "remedied", pid, key)
    run(world, "remedied", cmd, pid, key, y)
    # When d breaches again: x does not declare it defaulting a second time
    breach(world, pid, key)
    world.refused(RuleViolationError, lambda: run(world, "declare_defaulting", cmd, pid, key, x))
    # When d defaults again: y does not remedy it a second time
    run(world, "declare_defaulting", cmd, pid, key, given(world, "declare_defaulting", pid, key))
    world.refused(RuleViolationError, lambda: run(world, "remedied", cmd, pid, key, y))
