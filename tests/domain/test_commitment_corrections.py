"""Invariant 6 after confirmation: corrections the recipient confirms, disputes settled by
decision, revisions with consent, surplus; and lapses proposed (invariant 8). Events in,
events out, no I/O."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from collab.domain.commitment import Commitment
from collab.domain.errors import ForbiddenError, InvalidInputError, RuleViolationError
from tests.domain.test_commitment import GIVER, LEAD, RECIPIENT, acting, given_confirmed, meta

PERIOD = {"start": "2027-01-01", "end": "2027-12-31"}

DECIDED = "2027-06-02T10:00:00.000000Z"  # a settling decision, after the disputes


def names(c: Commitment) -> list[str]:
    return [type(e).__name__ for e in c.collect_events()]


def given_delivered(
    value: str = "10", delivered: str = "10", recipient: str = RECIPIENT
) -> Commitment:
    """A commitment of `value` hours with one delivery `d1` of `delivered`, confirmed."""
    c = given_confirmed(recipient=recipient, value=value)
    c.report_delivery("d1", Decimal(delivered), "2027-02-01", None, acting(GIVER), meta())
    c.confirm_delivery("d1", acting(RECIPIENT if recipient != "pool" else LEAD), LEAD, meta())
    c.collect_events()
    return c


def correct(c: Commitment, quantity: str, who: str = GIVER) -> None:
    c.correct_delivery("d1", Decimal(quantity), "2027-02-01", "fixed", acting(who), meta())


# -- corrections of a confirmed delivery ---------------------------------------------------


def test_a_confirmed_delivery_counts_as_confirmed_until_its_correction_is_confirmed() -> None:
    # Given a fulfilled commitment: 10 hours delivered and confirmed (reported in version 3)
    c = given_delivered()
    assert c.status == "fulfilled"
    # When the committing organisation corrects it to 6 hours
    correct(c, "6")
    events = c.collect_events()
    # Then the correction names the report it corrects, and 10 still count
    assert [type(e).__name__ for e in events] == ["ConfirmedDeliveryCorrected"]
    assert events[0].corrects == {"stream": str(c.id), "version": 3}  # type: ignore[attr-defined]
    assert (c.confirmed_total(), c.status) == (Decimal(10), "fulfilled")
    # When the recipient confirms the correction
    c.confirm_delivery("d1", acting(RECIPIENT), LEAD, meta())
    # Then 6 count and the commitment goes back to delivery, by an event
    assert names(c) == ["DeliveryCorrectionConfirmed", "FulfilmentReopened"]
    assert (c.confirmed_total(), c.status) == (Decimal(6), "in_delivery")
    assert c.deliveries["d1"]["reported_in"] == 6  # a later correction names this one (v6)


def test_a_correction_to_zero_reverses_a_confirmed_delivery() -> None:
    c = given_delivered()
    correct(c, "0")
    c.confirm_delivery("d1", acting(RECIPIENT), LEAD, meta())
    assert names(c) == [
        "ConfirmedDeliveryCorrected",
        "DeliveryCorrectionConfirmed",
        "FulfilmentReopened",
    ]
    assert c.confirmed_total() == 0 and c.deliveries["d1"]["status"] == "confirmed"


def test_a_correction_upwards_can_fulfil_a_commitment_in_delivery() -> None:
    c = given_delivered(delivered="8")
    correct(c, "10")
    c.confirm_delivery("d1", acting(RECIPIENT), LEAD, meta())
    assert names(c) == ["ConfirmedDeliveryCorrected", "DeliveryCorrectionConfirmed", "Fulfilled"]


def test_only_the_committer_corrects_and_only_the_recipient_answers_a_correction() -> None:
    c = given_delivered(recipient="pool")
    with pytest.raises(ForbiddenError):
        correct(c, "5", who=LEAD)
    correct(c, "5")
    with pytest.raises(ForbiddenError):
        c.confirm_delivery("d1", acting(GIVER), LEAD, meta())
    with pytest.raises(ForbiddenError):
        c.dispute_delivery("d1", acting(RECIPIENT), LEAD, meta())  # for the pool, the lead
    assert names(c) == ["ConfirmedDeliveryCorrected"]


def test_a_confirmed_delivery_without_a_correction_is_not_answered_again() -> None:
    c = given_delivered()
    with pytest.raises(RuleViolationError):
        c.confirm_delivery("d1", acting(RECIPIENT), LEAD, meta())
    with pytest.raises(RuleViolationError):
        c.dispute_delivery("d1", acting(RECIPIENT), LEAD, meta())
    assert c.collect_events() == []


def test_a_disputed_correction_leaves_the_confirmed_figure_counting() -> None:
    c = given_delivered()
    correct(c, "4")
    c.dispute_delivery("d1", acting(RECIPIENT), LEAD, meta())
    assert names(c) == ["ConfirmedDeliveryCorrected", "DeliveryCorrectionDisputed"]
    assert (c.confirmed_total(), c.status) == (Decimal(10), "fulfilled")
    assert c.deliveries["d1"]["correction"]["status"] == "disputed"


# -- settlement by decision ----------------------------------------------------------------


@pytest.mark.parametrize(
    "action, counted, status",
    [("accept_delivery", Decimal(4), "in_delivery"), ("reject_delivery", Decimal(10), "fulfilled")],
)
def test_a_decision_settles_a_disputed_correction(
    action: str, counted: Decimal, status: str
) -> None:
    # Given a correction from 10 to 4 hours, disputed by the recipient
    c = given_delivered()
    correct(c, "4")
    c.dispute_delivery("d1", acting(RECIPIENT), LEAD, meta())
    c.collect_events()
    # When a decision accepts or rejects it
    c.settle_delivery(action, "d1", "decision-1", meta(), DECIDED)
    # Then the correction applies (and fulfilment is re-evaluated) or is dropped
    events = c.collect_events()
    assert events[0].decision_id == "decision-1"  # type: ignore[attr-defined]
    expected = ["DeliverySettled"] + (["FulfilmentReopened"] if status == "in_delivery" else [])
    assert [type(e).__name__ for e in events] == expected
    assert (c.confirmed_total(), c.status) == (counted, status)
    assert c.deliveries["d1"]["correction"] is None


@pytest.mark.parametrize(
    "action, after", [("accept_delivery", "confirmed"), ("reject_delivery", "rejected")]
)
def test_a_decision_settles_a_disputed_delivery(action: str, after: str) -> None:
    c = given_confirmed()
    c.report_delivery("d1", Decimal(10), "2027-02-01", None, acting(GIVER), meta())
    c.dispute_delivery("d1", acting(RECIPIENT), LEAD, meta())
    c.collect_events()
    c.settle_delivery(action, "d1", "decision-1", meta(), DECIDED)
    assert c.deliveries["d1"]["status"] == after
    fulfilled = action == "accept_delivery"
    assert names(c) == ["DeliverySettled", *(["Fulfilled"] if fulfilled else [])]
    if not fulfilled:  # a rejection by decision is final for that delivery
        with pytest.raises(RuleViolationError):
            correct(c, "5")


def test_a_decision_taken_before_the_latest_dispute_does_not_settle_it() -> None:
    # Given a correction to 4 disputed, a decision accepting it, then the committer's new
    # correction (to 9) disputed again after the decision
    c = given_delivered()
    correct(c, "4")
    c.dispute_delivery("d1", acting(RECIPIENT), LEAD, meta())
    correct(c, "9")
    later = {**meta(), "recorded_at": "2027-06-03T10:00:00.000000Z"}
    c.dispute_delivery("d1", acting(RECIPIENT), LEAD, later)  # type: ignore[arg-type]
    c.collect_events()
    # When the decision of 2027-06-02 is applied, Then it settles nothing: it was about 4
    with pytest.raises(RuleViolationError, match="disputed again after the decision"):
        c.settle_delivery("accept_delivery", "d1", "decision-1", meta(), DECIDED)
    assert c.collect_events() == [] and c.confirmed_total() == Decimal(10)


def test_only_a_disputed_delivery_or_correction_is_settled() -> None:
    c = given_delivered()
    for action in ("accept_delivery", "reject_delivery"):
        with pytest.raises(RuleViolationError):
            c.settle_delivery(action, "d1", "decision-1", meta(), DECIDED)
    correct(c, "3")  # proposed, not yet disputed: the recipient's turn, not a decision's
    c.collect_events()
    with pytest.raises(RuleViolationError):
        c.settle_delivery("accept_delivery", "d1", "decision-1", meta(), DECIDED)
    with pytest.raises(RuleViolationError):
        c.settle_delivery("suspend", "d1", "decision-1", meta(), DECIDED)
    assert c.collect_events() == []


# -- surplus -------------------------------------------------------------------------------


def test_deliveries_beyond_the_quantity_are_a_surplus_not_fulfilment_above_100() -> None:
    c = given_delivered(value="10", delivered="25")
    assert c.status == "fulfilled"
    assert (c.confirmed_total(), c.surplus()) == (Decimal(25), Decimal(15))


def test_a_delivery_still_awaiting_an_answer_is_answered_once_fulfilled() -> None:
    c = given_confirmed()
    c.report_delivery("d1", Decimal(10), "2027-02-01", None, acting(GIVER), meta())
    c.report_delivery("d2", Decimal(3), "2027-02-02", None, acting(GIVER), meta())
    c.confirm_delivery("d1", acting(RECIPIENT), LEAD, meta())
    c.confirm_delivery("d2", acting(RECIPIENT), LEAD, meta())
    assert c.surplus() == Decimal(3) and c.status == "fulfilled"


# -- revisions with consent ----------------------------------------------------------------


def test_a_revision_changes_the_commitment_only_when_the_recipient_agrees() -> None:
    # Given a fulfilled commitment of 10 hours
    c = given_delivered()
    # When the committing organisation proposes 12 hours, stating why
    c.propose_revision("r1", Decimal(12), None, acting(GIVER), meta(reason="two more sessions"))
    events = c.collect_events()
    assert events[0].corrects == {"stream": str(c.id), "version": 1}  # type: ignore[attr-defined]
    # Then nothing changes yet
    assert (c.committed(), c.status) == (Decimal(10), "fulfilled")
    # When the recipient agrees
    c.answer_revision("r1", True, acting(RECIPIENT), LEAD, meta())
    # Then the quantity is 12 and the commitment is back in delivery, by events
    assert names(c) == ["RevisionAgreed", "FulfilmentReopened"]
    assert (c.committed(), c.status, c.revision) == (Decimal(12), "in_delivery", None)


def test_a_revision_down_to_what_was_confirmed_fulfils() -> None:
    c = given_delivered(delivered="8")
    c.propose_revision("r1", Decimal(8), None, acting(GIVER), meta(reason="fewer sessions"))
    c.answer_revision("r1", True, acting(RECIPIENT), LEAD, meta())
    assert names(c) == ["RevisionProposed", "RevisionAgreed", "Fulfilled"]


def test_a_declined_revision_changes_nothing() -> None:
    c = given_confirmed()
    new = {"start": "2027-01-01", "end": "2028-06-30"}
    c.propose_revision("r1", None, new, acting(GIVER), meta(reason="later start"))
    c.answer_revision("r1", False, acting(RECIPIENT), LEAD, meta())
    assert names(c) == ["RevisionProposed", "RevisionDeclined"]
    assert c.period == PERIOD and c.revision is None


@pytest.mark.parametrize(
    "quantity, period, why, error",
    [
        (Decimal(12), None, None, InvalidInputError),  # no reason
        (Decimal(10), None, "same", RuleViolationError),  # changes nothing
        (None, PERIOD, "same", RuleViolationError),
        (None, None, "nothing", RuleViolationError),
    ],
)
def test_a_revision_states_its_reason_and_changes_something(
    quantity: Decimal | None, period: dict[str, str] | None, why: str | None, error: type
) -> None:
    c = given_confirmed()
    with pytest.raises(error):
        c.propose_revision("r1", quantity, period, acting(GIVER), meta(reason=why))
    assert c.collect_events() == []


def test_one_revision_awaits_an_answer_at_a_time_from_the_recipient_only() -> None:
    c = given_confirmed(recipient="pool")
    with pytest.raises(ForbiddenError):
        c.propose_revision("r1", Decimal(5), None, acting(LEAD), meta(reason="r"))
    c.propose_revision("r1", Decimal(5), None, acting(GIVER), meta(reason="r"))
    with pytest.raises(RuleViolationError):
        c.propose_revision("r2", Decimal(6), None, acting(GIVER), meta(reason="r"))
    with pytest.raises(ForbiddenError):
        c.answer_revision("r1", True, acting(GIVER), LEAD, meta())
    with pytest.raises(RuleViolationError):
        c.answer_revision("r2", True, acting(LEAD), LEAD, meta())
    c.answer_revision("r1", True, acting(LEAD), LEAD, meta())
    assert names(c) == ["RevisionProposed", "RevisionAgreed"]
    assert c.committed() == Decimal(5)


def test_a_cash_revision_keeps_the_valuation_at_the_cash_amount() -> None:
    c = Commitment(
        str(uuid.uuid4()),
        GIVER,
        RECIPIENT,
        "cash",
        {"value": Decimal(500), "unit": "EUR"},
        {"amount": Decimal(500), "currency": "EUR", "method": "actual_cost"},
        None,
        None,
        meta(),
    )
    c.propose_revision("r1", Decimal(400), None, acting(GIVER), meta(reason="budget"))
    c.answer_revision("r1", True, acting(RECIPIENT), LEAD, meta())
    assert c.quantity["value"] == c.valuation["amount"] == Decimal(400)


# -- lapse proposed (for the due-date processor) -------------------------------------------


def test_a_lapse_is_proposed_once_after_the_period_ends() -> None:
    c = given_confirmed()
    assert c.propose_lapse("2027-12-31", meta()) is False  # the period's last day
    assert c.propose_lapse("2028-01-01", meta()) is True
    assert c.propose_lapse("2028-01-02", meta()) is False  # already proposed
    events = c.collect_events()
    assert [type(e).__name__ for e in events] == ["LapseProposed"]
    assert events[0].period_end == "2027-12-31"  # type: ignore[attr-defined]
    assert c.status == "confirmed" and c.lapse_proposed == "2027-12-31"
    c.lapse(meta(day="2028-01-05"))  # a steward accepts it
    assert names(c) == ["Lapsed"]


def test_nothing_to_propose_without_a_period_or_once_fulfilled_or_closed() -> None:
    fulfilled = given_delivered()
    pledged = Commitment(
        str(uuid.uuid4()), GIVER, RECIPIENT, "staff_time", {"value": Decimal(1), "unit": "hour"},
        {"amount": None, "currency": None, "method": "not_valued"}, PERIOD, None, meta(),
    )  # fmt: skip
    no_period = given_confirmed()
    no_period.period = None
    for c in (fulfilled, pledged, no_period):
        c.collect_events()
        assert c.propose_lapse("2030-01-01", meta()) is False
        assert c.collect_events() == []


def test_an_agreed_new_period_lets_a_lapse_be_proposed_again_after_it() -> None:
    c = given_confirmed()
    c.propose_lapse("2028-01-01", meta())
    later = {"start": "2027-01-01", "end": "2028-06-30"}
    c.propose_revision("r1", None, later, acting(GIVER), meta(reason="extended"))
    c.answer_revision("r1", True, acting(RECIPIENT), LEAD, meta())
    assert c.lapse_proposed is None
    assert c.propose_lapse("2028-06-30", meta()) is False
    assert c.propose_lapse("2028-07-01", meta()) is True


def test_a_snapshot_of_version_1_reads_back_without_pending_changes() -> None:
    state = {"deliveries": {"d1": {"quantity": "1", "status": "confirmed"}}}
    Commitment.upcast_v1_v2(state)
    assert state["revision"] is None and state["lapse_proposed"] is None
    assert state["terms_version"] == 1 and state["deliveries"]["d1"]["correction"] is None
