"""Reads through the service follow DESIGN §3: invitations only, former members as they left."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

import pytest

from collab.commitments.commands import ReportDelivery, WithdrawCommitment
from collab.domain.errors import NotFoundError, RuleViolationError
from collab.governance.commands import SetMilestone
from collab.organisations.commands import GrantMandate
from collab.partnerships.commands import DeclineInvitation, InviteMember, WithdrawMembership
from tests.application.world import World


def test_an_invited_organisation_reads_no_content_and_no_commitment(world: World) -> None:
    # Given a partnership being negotiated with a pledge, and organisation d only invited
    pid = world.partnership(a={"roles": ["lead"]}, d={"join": False})
    cid = world.pledge("a", pid, confirm=False)
    invited = world.partners["d"]
    # Then it may act on its invitation (it is visible) but reads none of the content
    with pytest.raises(NotFoundError):
        world.app.partnership_content(invited, pid)
    with pytest.raises(NotFoundError):
        world.app.get_commitment(invited, cid)


def test_a_former_member_reads_the_partnership_as_it_was_when_it_left(world: World) -> None:
    # Given c withdrew, after which the partnership went on changing
    pid = world.in_force()
    world.app.execute(world.as_("c"), WithdrawMembership(pid))
    left_at = world.partnership_of(pid).version
    world.app.execute(
        world.as_broker(), SetMilestone(pid, title="After c left", due_date="2029-01-01")
    )
    # When c reads it
    seen = world.app.partnership_content(world.partners["c"], pid)
    # Then it sees the version of its exit, not what followed
    assert seen.version == left_at
    assert all(m.title != "After c left" for m in seen.milestones.values())


def test_a_former_member_reads_anothers_commitment_as_it_stood_at_the_exit(world: World) -> None:
    # Given b's confirmed commitment, then c withdrew, then b reported a delivery on it
    pid = world.in_force()
    cid = world.pledge("b", pid)
    world.app.execute(world.as_("c"), WithdrawMembership(pid))
    world.app.execute(world.as_("b"), ReportDelivery(cid, quantity="10", delivered_on="2029-01-01"))
    # When c reads the commitment, Then it is as it stood when c left: no delivery
    seen = world.app.get_commitment(world.partners["c"], cid)
    assert (seen.status, seen.deliveries) == ("confirmed", {})
    # And the members still in see the delivery
    assert len(world.app.get_commitment(world.partners["a"], cid).deliveries) == 1


def test_a_former_member_does_not_see_a_commitment_made_after_it_left(world: World) -> None:
    # Given c withdrew, then b pledged
    pid = world.in_force()
    world.app.execute(world.as_("c"), WithdrawMembership(pid))
    cid = world.pledge("b", pid)
    # Then c reads no such commitment, and a command on it is refused as for an unknown id
    with pytest.raises(NotFoundError):
        world.app.get_commitment(world.partners["c"], cid)
    before = world.head()
    with pytest.raises(NotFoundError):
        world.app.execute(world.as_("c"), WithdrawCommitment(cid))
    assert world.head() == before


def test_an_exit_comes_after_the_releases_it_causes(world: World) -> None:
    # Given c's open commitment
    pid = world.in_force()
    cid = world.pledge("c", pid)
    # When c withdraws
    out = world.app.execute(world.as_("c"), WithdrawMembership(pid))
    # Then its commitment's release is recorded before its exit in the same command, so
    # c reads its commitment as released (the state at its exit)
    stored = world.app.recorder.select_notifications(out.positions[0], len(out.positions))
    kinds = [(str(n.originator_id), n.topic.rsplit(".", 1)[-1]) for n in stored]
    assert kinds[0] == (cid, "Released") and kinds[-1] == (pid, "MemberWithdrew")
    assert world.app.get_commitment(world.partners["c"], cid).status == "released"
    member = world.partnership_of(pid).members[world.orgs["c"]]
    assert member.exit_version == world.partnership_of(pid).version


@pytest.mark.parametrize(
    ("status", "allowed"),
    [("invited", True), ("active", True), ("declined", False), ("withdrawn", False)],
)
def test_a_mandate_for_a_partnership_needs_the_organisation_standing_in_it(
    world: World, status: str, allowed: bool
) -> None:
    # Given organisation d in the partnership in the given status
    pid = world.partnership(a={"roles": ["lead"]}, d={"join": status != "invited"})
    if status == "declined":
        world.app.execute(
            world.as_broker(),
            InviteMember(pid, organisation_id=world.org("e"), roles=["funder"], weight=1),
        )
        world.app.execute(world.as_("e"), DeclineInvitation(pid))
    if status == "withdrawn":
        world.app.execute(world.as_("d"), WithdrawMembership(pid))
    key = "e" if status == "declined" else "d"
    broker = world.another_broker()

    def grant(scope: str | None) -> Any:
        return world.app.execute(
            world.as_(key), GrantMandate(world.orgs[key], broker_id=broker.id, partnership_id=scope)
        )

    # When it grants a broker a mandate for that partnership
    if allowed:
        assert grant(pid).result["mandate_id"]
    else:
        # Then a declined or departed organisation cannot open it through a broker
        world.refused(RuleViolationError, lambda: grant(pid))
    # And a mandate for all of its partnerships is always its own to give
    assert grant(None).result["mandate_id"]


def test_a_mandate_for_a_partnership_the_organisation_cannot_see_is_unknown(world: World) -> None:
    # Given a partnership organisation x has nothing to do with
    pid = world.partnership(a={"roles": ["lead"]})
    world.org("x")
    broker = world.another_broker()
    # Then x's mandate for it is refused as for an unknown partnership, recording nothing
    world.refused(
        NotFoundError,
        lambda: world.app.execute(
            world.as_("x"), GrantMandate(world.orgs["x"], broker_id=broker.id, partnership_id=pid)
        ),
    )


def test_a_snapshot_older_than_exit_versions_is_completed_from_the_stream(world: World) -> None:
    # Given c withdrew, and a snapshot of the partnership as older code took it: its
    # membership records without their exit version
    pid = world.in_force()
    world.app.execute(world.as_("c"), WithdrawMembership(pid))
    exit_version = world.partnership_of(pid).members[world.orgs["c"]].exit_version
    world.app.execute(
        world.as_broker(), SetMilestone(pid, title="After c left", due_date="2029-01-01")
    )
    old = world.app.repository.get(uuid.UUID(pid))
    old.members[world.orgs["c"]] = replace(old.members[world.orgs["c"]], exit_version=None)
    assert world.app.snapshots is not None
    world.app.snapshots.put([type(old).Snapshot.take(old)])
    # When the partnership is loaded (from that snapshot), Then the record is complete
    loaded = world.app.repository.get(uuid.UUID(pid))
    assert loaded.members[world.orgs["c"]].exit_version == exit_version
    # And c still reads the partnership as it was when it left
    seen = world.app.partnership_content(world.partners["c"], pid)
    assert seen.version == exit_version
