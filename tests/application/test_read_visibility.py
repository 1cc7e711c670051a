"""Reads through the service follow DESIGN §3: invitations only, former members as they left."""

from __future__ import annotations

import pytest

from collab.domain.errors import NotFoundError
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
    world.app.withdraw_membership(world.as_("c"), pid)
    left_at = world.partnership_of(pid).version
    world.app.set_milestone(world.as_broker(), pid, title="After c left", due_date="2029-01-01")
    # When c reads it
    seen = world.app.partnership_content(world.partners["c"], pid)
    # Then it sees the version of its exit, not what followed
    assert seen.version == left_at
    assert all(m["title"] != "After c left" for m in seen.milestones.values())
