"""The partnership's rules as plain functions of values: states, the CLLD balance, tallies."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal

from collab.domain.errors import InvalidInputError

PRE_FORCE = ("scoping", "negotiating", "awaiting_signatures")
IN_FORCE = ("active", "in_modification", "moving_on")
CLOSED = ("concluded", "cancelled", "terminated")
BALANCE_LIMIT = Decimal(49)
STANDING = ("active", "defaulting")  # members in standing: they act, vote and count
DEPARTED = ("withdrawn", "removed")  # former members

# subject -> (states it may be applied in, state after)
TRANSITIONS = {
    "suspend": (("active",), "suspended"),
    "resume": (("suspended",), "active"),
    "start_moving_on": (("active",), "moving_on"),
    "conclude": (("moving_on",), "concluded"),
    "terminate": (("active", "suspended", "moving_on"), "terminated"),
}
# A member decision applies to a member in this status (DESIGN §2 membership table).
MEMBER_DECISIONS = {
    "declare_defaulting": "active",
    "remedied": "defaulting",
    "remove_member": "defaulting",
}


def balance_group(sector: str, interest_group: str) -> str:
    """The interest group a member counts in for the CLLD balance: a public-sector member
    is a public authority whatever group it declared (Reg. (EU) 2021/1060 art. 31(2)(b):
    neither public authorities nor any single interest group control decision making), so
    a parish council declared "environmental" cannot dodge the rule."""
    return "public_authority" if sector == "public" else interest_group


def imbalance(weights: Iterable[tuple[str, int]]) -> str | None:
    """CLLD rule (invariant 4): no interest group may hold more than 49% of the weight."""
    totals: dict[str, int] = {}
    for group, weight in weights:
        totals[group] = totals.get(group, 0) + weight
    total = sum(totals.values())
    if total == 0:
        return None
    for group, weight in sorted(totals.items()):
        if Decimal(weight) * 100 > BALANCE_LIMIT * total:
            share = (Decimal(weight) * 100 / total).quantize(Decimal("0.1"))
            return f"the {group} interest group holds {share}% of the voting weight (at most 49%)"
    return None


def tally(
    rule: Mapping[str, str], weights: Mapping[str, int], votes: Mapping[str, str]
) -> dict[str, int | bool]:
    """Quorum and outcome of a vote under a governance rule, by voting weight."""
    total = sum(weights.values())
    present = sum(weights[o] for o in votes)
    in_favour = sum(weights[o] for o, v in votes.items() if v == "for")
    against = sum(weights[o] for o, v in votes.items() if v == "against")
    quorum_met = total > 0 and Decimal(present) * 100 >= Decimal(rule["quorum"]) * total
    name = rule["rule"]
    if name == "majority":
        carried = in_favour * 2 > present
    elif name == "qualified":
        carried = Decimal(in_favour) * 100 >= Decimal(rule["threshold"]) * present and present > 0
    elif name == "consensus":
        carried = against == 0  # DESIGN §2: consensus is no vote against
    else:  # unanimity: every active voting member present and for
        voters = [o for o, w in weights.items() if w > 0]
        carried = bool(voters) and all(votes.get(o) == "for" for o in voters)
    return {
        "total_weight": total,
        "present_weight": present,
        "for_weight": in_favour,
        "against_weight": against,
        "quorum_met": quorum_met,
        "passed": bool(quorum_met and carried),
    }


def add_days(day: str, days: int) -> str:
    try:
        return (date.fromisoformat(day) + timedelta(days=days)).isoformat()
    except OverflowError:
        raise InvalidInputError(
            "effective_date", "the period it starts runs past 9999-12-31"
        ) from None
