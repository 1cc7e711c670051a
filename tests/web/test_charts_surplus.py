"""The commitments chart never draws fulfilment above 100%: confirmed deliveries beyond a
commitment's quantity are its surplus, shown beside the bars (invariant 6)."""

from __future__ import annotations

from decimal import Decimal

from web import charts


def test_deliveries_beyond_the_quantity_are_surplus_not_delivered() -> None:
    # Given 10 hours committed, 6 then 19 confirmed (and 3 still awaiting an answer)
    commitment = {
        "commitment_id": "c1",
        "status": "fulfilled",
        "contribution_type": "staff_time",
        "unit": "hour",
        "quantity": "10",
        "period_start": None,
        "deliveries": [
            {"status": "confirmed", "quantity": "19", "delivered_on": "2027-03-01"},
            {"status": "confirmed", "quantity": "6", "delivered_on": "2027-02-01"},
            {"status": "reported", "quantity": "3", "delivered_on": "2027-04-01"},
        ],
    }
    times = {"c1": {"Pledged": "2027-01-05T10:00:00Z", "Confirmed": "2027-01-06T10:00:00Z"}}
    (group,) = charts.groups([commitment], times)
    # Then delivered stops at the 10 committed, in the order made; 15 are surplus
    assert group.totals["delivered"] == Decimal(10)
    assert group.surplus == Decimal(15)
    assert [(r.month, r.amounts["delivered"]) for r in group.rows][-2:] == [
        ("2027-02", Decimal(6)),
        ("2027-03", Decimal(10)),
    ]
    assert max(b.width for b in group.bars if b.measure == "delivered") <= max(
        b.width for b in group.bars if b.measure == "pledged"
    )


def test_a_reversed_delivery_adds_nothing() -> None:
    commitment = {
        "commitment_id": "c1",
        "status": "in_delivery",
        "contribution_type": "staff_time",
        "unit": "hour",
        "quantity": "10",
        "period_start": "2027-01-01",
        "deliveries": [{"status": "confirmed", "quantity": "0", "delivered_on": "2027-02-01"}],
    }
    (group,) = charts.groups([commitment], {})
    assert group.totals["delivered"] == 0 and group.surplus == 0
    assert [r.month for r in group.rows] == ["2027-01"]  # the pledge's month only
