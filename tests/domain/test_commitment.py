"""The commitment aggregate alone: events out for commands in, no I/O."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from collab.domain.commitment import Commitment
from collab.domain.envelope import Acting, Actor, Envelope
from collab.domain.errors import ForbiddenError, InvalidInputError, RuleViolationError

GIVER, RECIPIENT, LEAD = (str(uuid.uuid4()) for _ in range(3))


def meta(reason: str | None = None, day: str = "2027-06-01") -> Envelope:
    return Envelope(
        actor="a",
        on_behalf_of=None,
        mandate=None,
        reason=reason,
        recorded_at="2027-06-01T10:00:00.000000Z",
        effective_date=day,
        correlation_id="c",
    )


def acting(org: str) -> Acting:
    return Acting(Actor(str(uuid.uuid4()), "partner", org), org)


def given_confirmed(recipient: str = RECIPIENT, value: str = "10") -> Commitment:
    c = Commitment(
        str(uuid.uuid4()),
        GIVER,
        recipient,
        "staff_time",
        {"value": Decimal(value), "unit": "hour"},
        {"amount": None, "currency": None, "method": "not_valued"},
        {"start": "2027-01-01", "end": "2027-12-31"},
        None,
        meta(),
    )
    c.confirm(acting(GIVER), meta())
    c.collect_events()
    return c


def names(c: Commitment) -> list[str]:
    return [type(e).__name__ for e in c.collect_events()]


def test_confirmed_deliveries_reaching_the_quantity_fulfil_it_automatically() -> None:
    c = given_confirmed()
    c.report_delivery("d1", Decimal(4), "2027-02-01", None, acting(GIVER), meta())
    c.report_delivery("d2", Decimal(6), "2027-03-01", None, acting(GIVER), meta())
    c.confirm_delivery("d1", acting(RECIPIENT), LEAD, meta())
    assert c.status == "in_delivery"
    c.confirm_delivery("d2", acting(RECIPIENT), LEAD, meta())
    assert names(c) == [
        "DeliveryReported",
        "DeliveryReported",
        "DeliveryConfirmed",
        "DeliveryConfirmed",
        "Fulfilled",
    ]
    assert c.status == "fulfilled"


def test_a_disputed_delivery_does_not_count_until_corrected_and_confirmed() -> None:
    c = given_confirmed()
    c.report_delivery("d1", Decimal(10), "2027-02-01", None, acting(GIVER), meta())
    c.dispute_delivery("d1", acting(RECIPIENT), LEAD, meta())
    assert c.confirmed_total() == 0
    c.correct_delivery("d1", Decimal(8), "2027-02-01", "8 hours only", acting(GIVER), meta())
    c.confirm_delivery("d1", acting(RECIPIENT), LEAD, meta())
    events = c.collect_events()
    correction = events[2]
    # The correction names the report it corrects (invariant 6): version 3 of this stream.
    assert type(correction).__name__ == "DeliveryCorrected"
    assert correction.corrects == {"stream": str(c.id), "version": 3}  # type: ignore[attr-defined]
    assert c.confirmed_total() == Decimal(8) and c.status == "in_delivery"


def test_pool_deliveries_are_confirmed_by_the_lead_only() -> None:
    c = given_confirmed(recipient="pool")
    c.report_delivery("d1", Decimal(1), "2027-02-01", None, acting(GIVER), meta())
    with pytest.raises(ForbiddenError):
        c.confirm_delivery("d1", acting(RECIPIENT), LEAD, meta())
    c.confirm_delivery("d1", acting(LEAD), LEAD, meta())


def test_only_the_committing_organisation_reports_deliveries() -> None:
    c = given_confirmed()
    with pytest.raises(ForbiddenError):
        c.report_delivery("d1", Decimal(1), "2027-02-01", None, acting(RECIPIENT), meta())
    assert c.collect_events() == []


def test_withdrawing_a_confirmed_commitment_needs_a_reason() -> None:
    c = given_confirmed()
    with pytest.raises(InvalidInputError):
        c.withdraw(acting(GIVER), meta())
    c.withdraw(acting(GIVER), meta(reason="budget cut"))
    assert names(c) == ["Withdrawn"]


def test_lapse_only_after_the_period_has_ended() -> None:
    c = given_confirmed()
    with pytest.raises(RuleViolationError):
        c.lapse(meta(day="2027-12-31"))
    c.lapse(meta(day="2028-01-01"))
    assert c.status == "lapsed"


def test_release_is_a_no_op_for_a_closed_commitment() -> None:
    c = given_confirmed()
    assert c.release("withdrawn", meta()) is True
    assert c.release("withdrawn", meta()) is False
    assert names(c) == ["Released"]
