"""The state reports read: the views' rows and totals, the register's entries, and no
partnership for a caller who does not see it."""

from __future__ import annotations

import pytest

from collab.domain.envelope import Actor
from collab.domain.errors import NotFoundError
from collab.visibility import Viewer
from tests.reports.conftest import DemoWorld

ADMIN = Viewer(Actor("admin-of-the-test", "admin"), "2030-06-01")


def test_the_state_holds_the_views_rows_and_the_register_entries(demo_world: DemoWorld) -> None:
    # Given the demo, when an admin's report state is read
    state = demo_world.state(ADMIN)
    # Then it holds the partnership's seven commitments, its budget view and its members'
    # register entries, and dates the agreement's entry into force
    assert state.partnership["partnership_id"] == demo_world.partnership_id
    assert len(state.commitments) == 7 and state.budget["number"] == 1
    assert {m["organisation_id"] for m in state.members} <= set(state.organisations)
    assert all(o.ref and o.ref.startswith("PT-NIPPC-") for o in state.organisations.values())
    assert "AgreementEnteredIntoForce" in state.dates
    assert state.updated.endswith("Z") and state.position > 0


def test_a_caller_who_does_not_see_the_partnership_gets_no_state(demo_world: DemoWorld) -> None:
    stranger = Viewer(Actor("a-partner-of-no-member", "partner", "no-such-org"), "2030-06-01")
    with pytest.raises(NotFoundError):
        demo_world.state(stranger)
