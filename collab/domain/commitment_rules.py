"""A commitment's figures and the states of its deliveries, as plain functions of its state
(invariant 6: what counts, what awaits whom, what lies beyond the committed quantity)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import Any

from collab.domain.errors import RuleViolationError

Delivery = dict[str, Any]

# Where deliveries are answered, corrected and settled: a fulfilled commitment's confirmed
# deliveries are still corrected (a fulfilled one goes back to delivery when they fall short).
DELIVERING = ("in_delivery", "fulfilled")
# Where a commitment's quantity or period is revised with its recipient's consent.
REVISABLE = ("pledged", "confirmed", "in_delivery", "fulfilled")


def confirmed_total(deliveries: Iterable[Delivery]) -> Decimal:
    """Confirmed deliveries at their confirmed figures (a pending correction not yet)."""
    return sum(
        (Decimal(d["quantity"]) for d in deliveries if d["status"] == "confirmed"), Decimal(0)
    )


def reported_total(deliveries: Iterable[Delivery]) -> Decimal:
    """Deliveries reported and not refused: awaiting an answer or confirmed."""
    return sum(
        (Decimal(d["quantity"]) for d in deliveries if d["status"] in ("reported", "confirmed")),
        Decimal(0),
    )


def surplus(confirmed: Decimal, committed: Decimal) -> Decimal:
    """Confirmed beyond the committed quantity: recorded as surplus, never as fulfilment."""
    return max(confirmed - committed, Decimal(0))


def counted(confirmed: Decimal, committed: Decimal) -> Decimal:
    """What counts towards fulfilment: at most the committed quantity (100%)."""
    return min(confirmed, committed)


def delivered_value(amount: Decimal, confirmed: Decimal, committed: Decimal) -> Decimal:
    """The valued part delivered: the valuation times confirmed over committed quantity, counting
    what is confirmed up to the quantity (a surplus adds no value: invariant 6); exact to
    six places (the wire's), half-even, without trailing zeros."""
    if not committed:
        return Decimal(0)
    with localcontext() as ctx:
        ctx.prec = 80  # 18 + 6 digits each side: no rounding before the quantize
        share = amount * counted(confirmed, committed) / committed
        return share.quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN).normalize()


def fulfilment(confirmed: Decimal, committed: Decimal) -> Decimal | None:
    """Confirmed ÷ committed, capped at 1 (100%), to four places; None when nothing is
    committed."""
    if not committed:
        return None
    return (counted(confirmed, committed) / committed).quantize(Decimal("0.0001"))


def pending_correction(d: Delivery) -> dict[str, Any] | None:
    """A confirmed delivery's correction awaiting the recipient or a decision, if any."""
    correction: dict[str, Any] | None = d.get("correction")
    return correction


def answerable(d: Delivery) -> str:
    """What the recipient answers on this delivery: its report, or a correction of it."""
    correction = pending_correction(d)
    if d["status"] == "reported":
        return "report"
    if d["status"] == "confirmed" and correction and correction["status"] == "proposed":
        return "correction"
    raise RuleViolationError(
        "only a delivery or a correction awaiting the recipient's answer can be answered"
    )


def settleable(d: Delivery) -> str:
    """What a partnership decision settles on this delivery: a disputed report or a
    disputed correction."""
    correction = pending_correction(d)
    if d["status"] == "disputed":
        return "report"
    if d["status"] == "confirmed" and correction and correction["status"] == "disputed":
        return "correction"
    raise RuleViolationError("only a disputed delivery or correction is settled by decision")


def check_correctable(d: Delivery) -> None:
    if d["status"] == "rejected":
        raise RuleViolationError("a delivery rejected by decision is not corrected")


def check_revision(
    quantity: Decimal | None, period: Mapping[str, str] | None, current: Mapping[str, Any]
) -> None:
    """A revision changes the quantity, the period or both."""
    if quantity is None and period is None:
        raise RuleViolationError("a revision changes the quantity or the period")
    same_quantity = quantity is None or quantity == Decimal(current["quantity"]["value"])
    if same_quantity and (period is None or dict(period) == current["period"]):
        raise RuleViolationError("a revision changes the quantity or the period")
