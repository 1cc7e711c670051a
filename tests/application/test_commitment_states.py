"""DESIGN §2 commitment state table: every row from its allowed and its refused states."""

from __future__ import annotations

from uuid import uuid4

import pytest

from collab.application import Context, Outcome
from collab.commitments.commands import (
    ConfirmCommitment,
    ConfirmDelivery,
    CorrectDelivery,
    DisputeDelivery,
    MarkLapsed,
    Pledge,
    ProposeRevision,
    ReportDelivery,
    WithdrawCommitment,
)
from collab.domain.errors import (
    CollabError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    RuleViolationError,
)
from collab.governance.commands import DecideMember, NotifyBreach
from collab.organisations.commands import GrantMandate
from collab.partnerships.commands import WithdrawMembership
from tests.application.world import World

STATES = ("pledged", "confirmed", "in_delivery", "fulfilled", "withdrawn", "lapsed", "released")
PERIOD = {"start": "2027-01-01", "end": "2027-06-30"}
AFTER_END = "2027-07-01"
NOTICE_RUN = "2027-01-01"  # a withdrawal dated so has served its notice by the test clock
OPEN = ("pledged", "confirmed", "in_delivery")
ROWS = {  # command -> (commitment states DESIGN §2 lists, event recorded, next state, by whom)
    "confirm": (("pledged",), "Confirmed", "confirmed", "b"),
    "report_delivery": (("confirmed", "in_delivery"), "DeliveryReported", "in_delivery", "b"),
    "confirm_delivery": (("in_delivery",), "DeliveryConfirmed", "in_delivery", "a"),  # lead
    "dispute_delivery": (("in_delivery",), "DeliveryDisputed", "in_delivery", "a"),
    "correct_delivery": (("in_delivery",), "DeliveryCorrected", "in_delivery", "b"),
    # invariant 6 after confirmation: the commitment's state does not change (None) until
    # the recipient answers (tests/application/test_commitment_corrections.py)
    "correct_confirmed": (("fulfilled",), "ConfirmedDeliveryCorrected", None, "b"),
    "propose_revision": ((*OPEN, "fulfilled"), "RevisionProposed", None, "b"),
    "withdraw": (OPEN, "Withdrawn", "withdrawn", "b"),
    "mark_lapsed": (("confirmed", "in_delivery"), "Lapsed", "lapsed", "broker"),
}


def others(*allowed: str) -> list[str]:
    return [s for s in STATES if s not in allowed]


def report(world: World, cid: str, quantity: str, key: str = "b") -> str:
    out = world.app.execute(
        world.as_(key), ReportDelivery(cid, quantity=quantity, delivered_on="2027-02-01")
    )
    delivery_id: str = out.result["delivery_id"]
    return delivery_id


def commitment_in(world: World, status: str) -> tuple[str, str]:
    """In an agreement in force (a leads), b's commitment of 10 hours to the pool in `status`."""
    pid = world.in_force()
    cid = world.pledge("b", pid, value="10", confirm=status != "pledged", period=PERIOD)
    if status == "in_delivery":
        report(world, cid, "4")
    if status == "fulfilled":
        world.app.execute(
            world.as_("a"), ConfirmDelivery(cid, delivery_id=report(world, cid, "10"))
        )
    if status == "withdrawn":
        world.app.execute(world.as_("b", reason="Budget cut"), WithdrawCommitment(cid))
    if status == "lapsed":
        world.app.execute(world.as_broker(effective_date=AFTER_END), MarkLapsed(cid))
    if status == "released":
        # notice given long enough ago to have run: the exit itself (invariant 8)
        world.app.execute(world.as_("b", effective_date=NOTICE_RUN), WithdrawMembership(pid))
    assert world.commitment_of(cid).status == status
    return pid, cid


def run(world: World, command: str, cmd: Context, cid: str) -> Outcome:
    """When: one command of the commitment table, as `cmd` (a reason and a date go in `cmd`)."""
    app = world.app
    reported = [
        d for d, v in world.commitment_of(cid).deliveries.items() if v["status"] != "confirmed"
    ]
    delivery_id = reported[0] if reported else str(uuid4())
    if command == "confirm":
        return app.execute(cmd, ConfirmCommitment(cid))
    if command == "report_delivery":
        return app.execute(cmd, ReportDelivery(cid, quantity="2", delivered_on="2027-02-02"))
    if command == "confirm_delivery":
        return app.execute(cmd, ConfirmDelivery(cid, delivery_id=delivery_id))
    if command == "dispute_delivery":
        return app.execute(cmd, DisputeDelivery(cid, delivery_id=delivery_id))
    if command == "correct_confirmed":  # a confirmed delivery (in_delivery here has none)
        done = [
            d for d, v in world.commitment_of(cid).deliveries.items() if v["status"] == "confirmed"
        ]
        return app.execute(
            cmd,
            CorrectDelivery(
                cid,
                delivery_id=(done or [str(uuid4())])[0],
                quantity="0",
                delivered_on="2027-02-01",
            ),
        )
    if command == "propose_revision":
        return app.execute(cmd, ProposeRevision(cid, quantity="12"))
    if command == "correct_delivery":
        return app.execute(
            cmd,
            CorrectDelivery(cid, delivery_id=delivery_id, quantity="3", delivered_on="2027-02-01"),
        )
    if command == "withdraw":
        return app.execute(cmd, WithdrawCommitment(cid))
    return app.execute(cmd, MarkLapsed(cid))


def as_(world: World, who: str) -> Context:
    return world.as_who(who, reason="As agreed at the assembly", effective_date=AFTER_END)


@pytest.mark.parametrize("command, state", [(c, s) for c, r in ROWS.items() for s in r[0]])
def test_each_row_from_its_allowed_states(world: World, command: str, state: str) -> None:
    # Given b's commitment in a state the table lists for the command
    _, cid = commitment_in(world, state)
    before = world.events(cid)
    # When the committing organisation, the lead (for the pool) or the broker gives it
    _, event, after, who = ROWS[command]
    run(world, command, as_(world, who), cid)
    # Then its event is recorded and the commitment is in the next state
    assert world.events(cid) == [*before, event]
    assert world.commitment_of(cid).status == (after or state)


@pytest.mark.parametrize("command, state", [(c, s) for c, r in ROWS.items() for s in others(*r[0])])
def test_each_row_is_refused_from_other_states(world: World, command: str, state: str) -> None:
    _, cid = commitment_in(world, state)
    cmd = as_(world, ROWS[command][3])
    world.refused(RuleViolationError, lambda: run(world, command, cmd, cid))


OUTSIDERS = [
    ("auditor", ForbiddenError),
    ("admin", ForbiddenError),
    ("other_broker", NotFoundError),  # not a partnership broker, no mandate: cannot see it
    ("stranger", NotFoundError),  # a partner of an organisation that is not a member
]
INSIDERS = {  # default: c, another member, and the broker without b's mandate
    "confirm_delivery": ["b", "c", "broker"],  # not the committer: the lead, for the pool
    "dispute_delivery": ["b", "c", "broker"],
    "mark_lapsed": ["b", "c"],  # not a member: a partnership broker or the lead
}
AUTHORITY_CASES = [
    (command, who, error)
    for command in ROWS
    for who, error in [
        *OUTSIDERS,
        *((k, ForbiddenError) for k in INSIDERS.get(command, ["c", "broker"])),
    ]
]


@pytest.mark.parametrize("command, who, error", AUTHORITY_CASES)
def test_each_row_is_refused_without_authority(
    world: World, command: str, who: str, error: type[CollabError]
) -> None:
    _, cid = commitment_in(world, ROWS[command][0][0])
    cmd = as_(world, who)
    world.refused(error, lambda: run(world, command, cmd, cid))


# -- pledge and confirm ------------------------------------------------------------------


@pytest.mark.parametrize("in_force", [False, True])
def test_a_member_pledges_before_or_after_entry_into_force(world: World, in_force: bool) -> None:
    pid = world.in_force() if in_force else world.partnership(a={"roles": ["lead"]}, b={})
    cid = world.pledge("b", pid, confirm=False)
    assert world.events(cid) == ["Pledged"]
    assert world.events(pid)[-1] == "CommitmentNoted"
    assert world.commitment_of(cid).status == "pledged"


@pytest.mark.parametrize(
    "who, error",
    [
        ("e", RuleViolationError),  # invited, not joined
        ("f", RuleViolationError),  # withdrawn (invariant 3)
        ("broker", ForbiddenError),  # no mandate: it commits nothing of its own
        ("auditor", ForbiddenError),
        ("stranger", NotFoundError),
    ],
)
def test_only_active_members_pledge(world: World, who: str, error: type[CollabError]) -> None:
    pid = world.partnership(a={"roles": ["lead"]}, b={}, e={"join": False}, f={})
    world.app.execute(world.as_("f"), WithdrawMembership(pid))
    cmd = world.as_who(who)
    pledge = world.runs(Pledge)
    quantity, valuation = {"value": "1", "unit": "day"}, {"method": "not_valued"}
    world.refused(
        error,
        lambda: pledge(
            cmd, pid, contribution_type="expertise", quantity=quantity, valuation=valuation
        ),
    )


@pytest.mark.parametrize("state", ["negotiating", "awaiting_signatures", "terminated"])
def test_a_commitment_is_confirmed_only_under_an_agreement_in_force(
    world: World, state: str
) -> None:
    # Given b's pledge while no agreement is in force (yet, or any more)
    pid = world.partnership_in("active" if state == "terminated" else state)
    cid = world.pledge("b", pid, confirm=False)
    if state == "terminated":
        world.transition(pid, "terminate")
    # Then b's confirmation is refused and the commitment stays pledged (invariant 5)
    world.refused(
        RuleViolationError, lambda: world.app.execute(world.as_("b"), ConfirmCommitment(cid))
    )
    assert world.commitment_of(cid).status == "pledged"


def test_confirming_records_a_marker_on_the_partnership(world: World) -> None:
    pid, cid = commitment_in(world, "pledged")
    out = world.app.execute(world.as_("b"), ConfirmCommitment(cid))
    assert world.events(pid)[-1] == "CommitmentConfirmationNoted"
    assert len(out.positions) == 2  # the commitment and its marker, in one transaction


def test_a_broker_under_mandate_pledges_and_confirms_for_the_organisation(world: World) -> None:
    pid = world.in_force()
    m = world.another_broker()
    world.app.execute(
        world.as_("b"), GrantMandate(world.orgs["b"], broker_id=m.id, partnership_id=pid)
    )
    for_b = Context(m, on_behalf_of=world.orgs["b"])
    out = world.app.execute(
        for_b,
        Pledge(
            pid,
            contribution_type="cash",
            quantity={"value": "500", "unit": "EUR"},
            valuation={"amount": "500", "currency": "EUR", "method": "actual_cost"},
        ),
    )
    cid = out.result["commitment_id"]
    world.app.execute(for_b, ConfirmCommitment(cid))
    commitment = world.commitment_of(cid)
    assert (commitment.organisation_id, commitment.status) == (world.orgs["b"], "confirmed")
    for_c = Context(m, on_behalf_of=world.orgs["c"])
    world.refused(ForbiddenError, lambda: world.app.execute(for_c, WithdrawCommitment(cid)))


# -- deliveries --------------------------------------------------------------------------


def test_confirmed_deliveries_reaching_the_quantity_fulfil_it(world: World) -> None:
    # Given b's commitment of 10 hours to c (not to the pool)
    pid = world.in_force()
    cid = world.pledge("b", pid, value="10", recipient=world.orgs["c"])
    # When c confirms 6 hours, it is still in delivery; the lead may not confirm for c
    first = report(world, cid, "6")
    world.refused(
        ForbiddenError,
        lambda: world.app.execute(world.as_("a"), ConfirmDelivery(cid, delivery_id=first)),
    )
    world.app.execute(world.as_("c"), ConfirmDelivery(cid, delivery_id=first))
    assert world.commitment_of(cid).status == "in_delivery"
    # When c confirms 4 more; Then the commitment is fulfilled in the same transaction
    out = world.app.execute(
        world.as_("c"), ConfirmDelivery(cid, delivery_id=report(world, cid, "4"))
    )
    assert world.events(cid)[-2:] == ["DeliveryConfirmed", "Fulfilled"]
    assert len(out.positions) == 2
    assert world.commitment_of(cid).status == "fulfilled"


def test_a_disputed_delivery_counts_only_once_corrected_and_confirmed(world: World) -> None:
    # Given a delivery of 10 hours reported to the pool
    _, cid = commitment_in(world, "confirmed")
    delivery_id = report(world, cid, "10")
    # When the lead disputes it: a dispute states its reason
    dispute = world.runs(DisputeDelivery)
    world.refused(InvalidInputError, lambda: dispute(world.as_("a"), cid, delivery_id=delivery_id))
    dispute(world.as_("a", reason="Only 8 hours took place"), cid, delivery_id=delivery_id)
    # Then it does not count; When b corrects it and the lead confirms, it counts
    assert world.commitment_of(cid).status == "in_delivery"
    world.app.execute(
        world.as_("b"),
        CorrectDelivery(cid, delivery_id=delivery_id, quantity="10", delivered_on="2027-02-01"),
    )
    world.app.execute(world.as_("a"), ConfirmDelivery(cid, delivery_id=delivery_id))
    assert world.events(cid)[-4:] == [
        "DeliveryDisputed",
        "DeliveryCorrected",
        "DeliveryConfirmed",
        "Fulfilled",
    ]


# -- withdraw, lapse, release ------------------------------------------------------------


def test_withdrawing_needs_a_reason_once_confirmed(world: World) -> None:
    pid, cid = commitment_in(world, "confirmed")
    world.refused(
        InvalidInputError, lambda: world.app.execute(world.as_("b"), WithdrawCommitment(cid))
    )
    pledged = world.pledge("b", pid, confirm=False)
    world.app.execute(world.as_("b"), WithdrawCommitment(pledged))  # no reason needed before
    assert world.events(pledged)[-1] == "Withdrawn"


def test_a_commitment_lapses_only_after_its_period(world: World) -> None:
    pid, cid = commitment_in(world, "confirmed")
    lapse = world.runs(MarkLapsed)
    world.refused(
        RuleViolationError, lambda: lapse(world.as_broker(effective_date=PERIOD["end"]), cid)
    )
    no_period = world.pledge("b", pid)
    world.refused(
        RuleViolationError, lambda: lapse(world.as_broker(effective_date=AFTER_END), no_period)
    )
    lapse(world.as_("a", effective_date=AFTER_END), cid)  # the lead may, too
    assert world.commitment_of(cid).status == "lapsed"


@pytest.mark.parametrize("leaving", ["withdraw", "remove"])
def test_open_commitments_are_released_when_the_member_leaves(world: World, leaving: str) -> None:
    # Given b's commitments: pledged, confirmed, in delivery, and fulfilled
    pid, fulfilled = commitment_in(world, "fulfilled")
    open_ = [world.pledge("b", pid, confirm=False), world.pledge("b", pid), world.pledge("b", pid)]
    report(world, open_[2], "1")
    # When b withdraws, or is removed after defaulting
    if leaving == "withdraw":
        out = world.app.execute(world.as_("b", effective_date=NOTICE_RUN), WithdrawMembership(pid))
    else:
        world.app.execute(
            world.as_broker(effective_date="2027-03-01"),
            NotifyBreach(pid, organisation_id=world.orgs["b"], remedy_days=0),
        )
        for action in ("declare_defaulting", "remove_member"):
            decision_id = world.decide(pid, action, world.voters(pid), world.orgs["b"])
            out = world.app.execute(
                world.as_broker(effective_date="2027-03-02"),
                DecideMember(
                    pid, action=action, organisation_id=world.orgs["b"], decision_id=decision_id
                ),
            )
    # Then its open commitments are released with it, in the same transaction
    assert sorted(out.result["released_commitments"]) == sorted(open_)
    assert [world.events(c)[-1] for c in open_] == ["Released"] * 3
    assert {world.commitment_of(c).status for c in open_} == {"released"}
    assert world.commitment_of(fulfilled).status == "fulfilled"
    assert len(out.positions) == 4
