"""The world helper itself: a partnership comes into force on every store."""

from __future__ import annotations

from tests.application.world import World


def test_a_partnership_enters_into_force_when_all_members_sign(world: World) -> None:
    pid = world.in_force()
    events = world.events(pid)
    assert events[0] == "Initiated"
    assert events[-2:] == ["AgreementSigned", "AgreementEnteredIntoForce"]
    assert world.partnership_of(pid).in_force == 1
