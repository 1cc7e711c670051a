"""Invariant 6 after confirmation, on every store: a confirmed delivery corrected with its
recipient's confirmation, disputes settled by a partnership decision, revisions with
consent, surplus; each new command refused without authority, recording nothing."""

from __future__ import annotations

from decimal import Decimal
from uuid import uuid4

import pytest

from collab.application import Context
from collab.commitments.commands import (
    AgreeRevision,
    ConfirmDelivery,
    CorrectDelivery,
    DeclineRevision,
    DisputeDelivery,
    ProposeRevision,
    SettleDelivery,
)
from collab.domain.errors import (
    CollabError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    RuleViolationError,
)
from collab.governance.commands import RecordDecision
from tests.application.test_commitment_states import report
from tests.application.world import World


def fulfilled(world: World, value: str = "10", delivered: str = "10") -> tuple[str, str, str]:
    """In an agreement in force (a leads), b's commitment of `value` hours to the pool with
    one delivery of `delivered`, confirmed by the lead."""
    pid = world.in_force()
    cid = world.pledge("b", pid, value=value)
    delivery_id = report(world, cid, delivered)
    world.app.execute(world.as_("a"), ConfirmDelivery(cid, delivery_id=delivery_id))
    return pid, cid, delivery_id


def correct(world: World, cid: str, delivery_id: str, quantity: str) -> None:
    world.app.execute(
        world.as_("b"),
        CorrectDelivery(cid, delivery_id=delivery_id, quantity=quantity, delivered_on="2027-02-01"),
    )


def settlement(world: World, pid: str, cid: str, delivery_id: str, action: str) -> str:
    """A passed decision of every member settling the delivery (`action`)."""
    out = world.app.execute(
        world.as_broker(),
        RecordDecision(
            pid,
            body="General assembly",
            subject={"action": action, "commitment_id": cid, "delivery_id": delivery_id},
            votes={world.orgs[k]: vote for k, vote in world.voters(pid).items()},
        ),
    )
    decision_id: str = out.result["decision_id"]
    return decision_id


def test_a_confirmed_delivery_is_reversed_by_a_correction_its_recipient_confirms(
    world: World,
) -> None:
    # Given b's fulfilled commitment of 10 hours to the pool
    _, cid, delivery_id = fulfilled(world)
    # When b reverses the delivery (a correction to 0)
    correct(world, cid, delivery_id, "0")
    # Then it still counts, until the lead confirms the correction
    c = world.commitment_of(cid)
    assert (c.status, c.confirmed_total()) == ("fulfilled", Decimal(10))
    out = world.app.execute(world.as_("a"), ConfirmDelivery(cid, delivery_id=delivery_id))
    # And then it counts for nothing, and the commitment is back in delivery in one commit
    assert world.events(cid)[-3:] == [
        "ConfirmedDeliveryCorrected",
        "DeliveryCorrectionConfirmed",
        "FulfilmentReopened",
    ]
    assert len(out.positions) == 2 and out.result["status"] == "in_delivery"
    assert world.commitment_of(cid).confirmed_total() == 0


@pytest.mark.parametrize("action", ["accept_delivery", "reject_delivery"])
def test_a_disputed_correction_is_settled_by_a_passed_decision(world: World, action: str) -> None:
    # Given a correction from 10 to 4 hours that the lead disputes
    pid, cid, delivery_id = fulfilled(world)
    correct(world, cid, delivery_id, "4")
    world.app.execute(
        world.as_("a", reason="The sessions took place"),
        DisputeDelivery(cid, delivery_id=delivery_id),
    )
    # When the partnership decides, and the broker applies the decision
    decision_id = settlement(world, pid, cid, delivery_id, action)
    settle = SettleDelivery(cid, delivery_id=delivery_id, action=action, decision_id=decision_id)
    out = world.app.execute(world.as_broker(), settle)
    # Then the partnership marks its decision used and the commitment settles, together
    assert world.events(pid)[-1] == "SettlementApplied"
    assert world.events(cid)[-2 if action == "accept_delivery" else -1] == "DeliverySettled"
    assert len(out.positions) == (3 if action == "accept_delivery" else 2)
    expected = Decimal(4) if action == "accept_delivery" else Decimal(10)
    assert world.commitment_of(cid).confirmed_total() == expected
    # And a decision settles once
    world.refused(RuleViolationError, lambda: world.app.execute(world.as_broker(), settle))


def test_a_disputed_delivery_is_settled_by_decision_not_only_by_a_correction(
    world: World,
) -> None:
    pid = world.in_force()
    cid = world.pledge("b", pid, value="10")
    delivery_id = report(world, cid, "10")
    world.app.execute(
        world.as_("a", reason="No record"), DisputeDelivery(cid, delivery_id=delivery_id)
    )
    decision_id = settlement(world, pid, cid, delivery_id, "accept_delivery")
    world.app.execute(
        world.as_("a"),  # the lead, a steward, may apply it too
        SettleDelivery(
            cid, delivery_id=delivery_id, action="accept_delivery", decision_id=decision_id
        ),
    )
    assert world.events(cid)[-2:] == ["DeliverySettled", "Fulfilled"]


def test_a_settlement_needs_the_decision_about_that_delivery(world: World) -> None:
    pid, cid, delivery_id = fulfilled(world)
    correct(world, cid, delivery_id, "4")
    world.app.execute(world.as_("a", reason="No"), DisputeDelivery(cid, delivery_id=delivery_id))
    about_other = settlement(world, pid, cid, str(uuid4()), "accept_delivery")
    rejecting = settlement(world, pid, cid, delivery_id, "reject_delivery")
    settle = world.runs(SettleDelivery)
    broker = world.as_broker()
    # the decision names another delivery; the action is not the decision's
    world.refused(
        RuleViolationError,
        lambda: settle(
            broker, cid, delivery_id=delivery_id, action="accept_delivery", decision_id=about_other
        ),
    )
    world.refused(
        RuleViolationError,
        lambda: settle(
            broker, cid, delivery_id=delivery_id, action="accept_delivery", decision_id=rejecting
        ),
    )
    # a member that is not a steward does not apply decisions
    world.refused(
        ForbiddenError,
        lambda: settle(
            world.as_("c"), cid, delivery_id=delivery_id, action="reject_delivery",
            decision_id=rejecting,
        ),
    )  # fmt: skip


def test_a_revision_agreed_by_the_recipient_reopens_a_fulfilled_commitment(world: World) -> None:
    # Given b's fulfilled commitment of 10 hours to c
    pid = world.in_force()
    cid = world.pledge("b", pid, value="10", recipient=world.orgs["c"])
    world.app.execute(world.as_("c"), ConfirmDelivery(cid, delivery_id=report(world, cid, "10")))
    # When b proposes 15 hours (a reason is required) and c agrees
    propose = world.runs(ProposeRevision)
    world.refused(InvalidInputError, lambda: propose(world.as_("b"), cid, quantity="15"))
    out = propose(world.as_("b", reason="A second workshop"), cid, quantity="15")
    revision_id = out.result["revision_id"]
    assert world.commitment_of(cid).quantity["value"] == Decimal(10)
    world.refused(
        ForbiddenError,
        lambda: world.app.execute(world.as_("a"), AgreeRevision(cid, revision_id=revision_id)),
    )
    world.app.execute(world.as_("c"), AgreeRevision(cid, revision_id=revision_id))
    # Then the quantity is 15 and the commitment is back in delivery, by events
    assert world.events(cid)[-3:] == ["RevisionProposed", "RevisionAgreed", "FulfilmentReopened"]
    c = world.commitment_of(cid)
    assert (c.quantity["value"], c.status) == (Decimal(15), "in_delivery")


def test_a_declined_revision_of_the_period_changes_nothing(world: World) -> None:
    pid = world.in_force()
    period = {"start": "2027-01-01", "end": "2027-06-30"}
    cid = world.pledge("b", pid, value="10", period=period)
    later = {"start": "2027-01-01", "end": "2027-12-31"}
    out = world.app.execute(world.as_("b", reason="Late start"), ProposeRevision(cid, period=later))
    world.app.execute(world.as_("a"), DeclineRevision(cid, revision_id=out.result["revision_id"]))
    assert world.events(cid)[-2:] == ["RevisionProposed", "RevisionDeclined"]
    assert world.commitment_of(cid).period == period


def test_an_over_delivery_is_fulfilment_with_a_surplus(world: World) -> None:
    _, cid, _ = fulfilled(world, value="10", delivered="25")
    c = world.commitment_of(cid)
    assert (c.status, c.confirmed_total(), c.surplus()) == ("fulfilled", Decimal(25), Decimal(15))


def commands(cid: str, delivery_id: str) -> dict[str, object]:
    return {
        "correct_confirmed": CorrectDelivery(
            cid, delivery_id=delivery_id, quantity="3", delivered_on="2027-02-01"
        ),
        "propose_revision": ProposeRevision(cid, quantity="12"),
        "settle_delivery": SettleDelivery(
            cid, delivery_id=delivery_id, action="accept_delivery", decision_id=cid
        ),
    }


@pytest.mark.parametrize(
    "command, who, error",
    [
        *(
            (c, who, error)
            for c in ("correct_confirmed", "propose_revision", "settle_delivery")
            for who, error in [
                ("auditor", ForbiddenError),
                ("admin", ForbiddenError),
                ("stranger", NotFoundError),
                ("other_broker", NotFoundError),
            ]
        ),
        ("correct_confirmed", "a", ForbiddenError),  # the lead is not the committer
        ("propose_revision", "c", ForbiddenError),
        ("settle_delivery", "c", ForbiddenError),  # not a steward
    ],
)
def test_the_new_commands_are_refused_without_authority(
    world: World, command: str, who: str, error: type[CollabError]
) -> None:
    _, cid, delivery_id = fulfilled(world)
    cmd: Context = world.as_who(who, reason="As agreed")
    todo = commands(cid, delivery_id)[command]
    world.refused(error, lambda: world.app.execute(cmd, todo))  # type: ignore[arg-type]


def test_answers_on_a_revision_are_refused_without_authority(world: World) -> None:
    _, cid, _ = fulfilled(world)
    out = world.app.execute(world.as_("b", reason="r"), ProposeRevision(cid, quantity="12"))
    rid = out.result["revision_id"]
    for who, error in [("b", ForbiddenError), ("c", ForbiddenError), ("auditor", ForbiddenError)]:
        cmd = world.as_who(who)
        for answer in (AgreeRevision(cid, revision_id=rid), DeclineRevision(cid, revision_id=rid)):
            world.refused(error, lambda: world.app.execute(cmd, answer))  # noqa: B023
