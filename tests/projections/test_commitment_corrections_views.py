"""Corrections after confirmation, settlements, revisions, surplus and proposed lapses in the
views: what the independent fold of the raw events says, and fulfilment capped at 100%."""

from __future__ import annotations

from typing import Any

from collab.application import Collab
from collab.commitments.commands import (
    AgreeRevision,
    ConfirmDelivery,
    CorrectDelivery,
    DeclineRevision,
    DisputeDelivery,
    ProposeRevision,
    ReportDelivery,
    SettleDelivery,
)
from collab.governance.commands import RecordDecision
from projections.ledger import ledger
from projections.queries import inbox
from projections.readside import ReadSide
from projections.views import partnership_view
from projections.visibility import Viewer
from tests.application.timeflow import process_due
from tests.application.world import World
from tests.projections.expected import expected_view
from tests.projections.fold import raw_events
from tests.projections.support import assert_same

PERIOD = {"start": "2027-01-01", "end": "2027-06-30"}


def delivered(world: World, cid: str, quantity: str, *, confirm: bool = True) -> str:
    out = world.app.execute(
        world.as_("b"), ReportDelivery(cid, quantity=quantity, delivered_on="2027-02-01")
    )
    delivery_id: str = out.result["delivery_id"]
    if confirm:
        world.app.execute(world.as_("a"), ConfirmDelivery(cid, delivery_id=delivery_id))
    return delivery_id


def correct(world: World, cid: str, delivery_id: str, quantity: str) -> None:
    world.app.execute(
        world.as_("b"),
        CorrectDelivery(cid, delivery_id=delivery_id, quantity=quantity, delivered_on="2027-02-03"),
    )


def settle(world: World, pid: str, cid: str, delivery_id: str, action: str) -> None:
    subject = {"action": action, "commitment_id": cid, "delivery_id": delivery_id}
    votes = {world.orgs[k]: "for" for k in world.voters(pid)}
    out = world.app.execute(
        world.as_broker(),
        RecordDecision(pid, body="General assembly", subject=subject, votes=votes),
    )
    decision_id = out.result["decision_id"]
    world.app.execute(
        world.as_broker(),
        SettleDelivery(cid, delivery_id=delivery_id, action=action, decision_id=decision_id),
    )


def life(world: World) -> tuple[str, dict[str, str]]:
    """b's commitments to the pool (a leads) through every new event."""
    app, pid = world.app, world.in_force()
    over = world.pledge("b", pid, value="10")
    delivered(world, over, "25")  # a surplus of 15
    reversed_ = world.pledge("b", pid, value="10")
    d = delivered(world, reversed_, "10")
    correct(world, reversed_, d, "0")
    app.execute(world.as_("a"), ConfirmDelivery(reversed_, delivery_id=d))  # back in delivery
    pending = world.pledge("b", pid, value="10", period=PERIOD)
    d = delivered(world, pending, "4")
    correct(world, pending, d, "5")  # awaiting the lead
    app.execute(world.as_("b", reason="More"), ProposeRevision(pending, quantity="12"))
    assert [o.result["recorded"] for o in process_due(app, pending)] == [True]  # its period ended
    settled = world.pledge("b", pid, value="10")
    d = delivered(world, settled, "10")
    correct(world, settled, d, "6")
    app.execute(world.as_("a", reason="All 10"), DisputeDelivery(settled, delivery_id=d))
    settle(world, pid, settled, d, "accept_delivery")
    refused = world.pledge("b", pid, value="10")
    d = delivered(world, refused, "3", confirm=False)
    app.execute(world.as_("a", reason="Not seen"), DisputeDelivery(refused, delivery_id=d))
    settle(world, pid, refused, d, "reject_delivery")
    revised = world.pledge("b", pid, value="10")
    delivered(world, revised, "8")
    out = app.execute(world.as_("b", reason="Less"), ProposeRevision(revised, quantity="8"))
    app.execute(world.as_("a"), AgreeRevision(revised, revision_id=out.result["revision_id"]))
    out = app.execute(world.as_("b", reason="Later"), ProposeRevision(revised, period=PERIOD))
    app.execute(world.as_("a"), DeclineRevision(revised, revision_id=out.result["revision_id"]))
    names = ("over", "reversed", "pending", "settled", "refused", "revised")
    return pid, dict(zip(names, (over, reversed_, pending, settled, refused, revised), strict=True))


def commitment(view: dict[str, Any], cid: str) -> dict[str, Any]:
    found: dict[str, Any] = next(
        c for m in view["members"] for c in m["commitments"] if c["commitment_id"] == cid
    )
    return found


def test_the_view_holds_what_the_events_say_after_confirmation(
    app: Collab, world: World, read: ReadSide
) -> None:
    # Given commitments corrected, settled, revised and delivered beyond their quantity
    pid, ids = life(world)
    read.catch_up()
    raws = raw_events(app)
    with read.reader() as conn:
        view = partnership_view(conn, read.tables, pid)
    # Then the view equals the independent fold of the raw events, field by field
    assert_same(view, expected_view(pid, raws), pid)
    # And fulfilment never passes 100%: beyond it is surplus
    over = commitment(view, ids["over"])
    assert (over["status"], over["fulfilment"], over["surplus"]) == ("fulfilled", "1.0000", "15")
    reversed_ = commitment(view, ids["reversed"])
    assert (reversed_["status"], reversed_["confirmed"]) == ("in_delivery", "0")
    pending = commitment(view, ids["pending"])
    assert pending["deliveries"][0]["correction"]["status"] == "proposed"
    assert pending["revision"]["quantity"] == "12" and pending["confirmed"] == "4"
    assert commitment(view, ids["settled"])["confirmed"] == "6"
    assert commitment(view, ids["refused"])["deliveries"][0]["status"] == "rejected"
    assert commitment(view, ids["revised"])["quantity"] == "8"


def test_the_ledger_caps_fulfilment_and_shows_the_surplus_beside_it(
    world: World, read: ReadSide
) -> None:
    # Given b's 10 hours delivered as 25, and another 10 hours not delivered
    pid = world.in_force()
    delivered(world, world.pledge("b", pid, value="10"), "25")
    world.pledge("b", pid, value="10")
    read.catch_up()
    with read.reader() as conn:
        viewer = Viewer(world.admin, "2030-06-01")
        books = ledger(conn, read.tables, viewer, lambda *_: {}, world.orgs["b"])
    # Then the ratio counts 10 of 20, not 25 of 20; the 15 beyond are surplus
    assert books["totals_by_unit"] == [
        {
            "unit": "hour",
            "committed": "20",
            "delivered": "25",
            "confirmed": "25",
            "fulfilment_ratio": "0.5000",
            "surplus": "15",
        }
    ]


def test_a_correction_awaiting_the_lead_is_in_its_inbox(world: World, read: ReadSide) -> None:
    # Given b's confirmed delivery to the pool, corrected by b
    pid = world.in_force()
    cid = world.pledge("b", pid, value="10")
    did = delivered(world, cid, "10")
    correct(world, cid, did, "7")
    read.catch_up()
    with read.reader() as conn:
        box = inbox(conn, read.tables, Viewer(world.admin, "2030-06-01"), world.orgs["a"])
    # Then the lead (the pool's confirmer) finds the correction to answer, at its figure
    assert [(d["delivery_id"], d["status"]) for d in box["deliveries_to_confirm"]] == [
        (did, "correction")
    ]
