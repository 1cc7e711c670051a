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
# Members in standing: they act, vote and count. A member that gave notice is `leaving`
# and stays in standing until its exit date (invariant 8).
STANDING = ("active", "leaving", "defaulting")
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


def balance_limit(terms: Mapping[str, object] | None) -> Decimal:
    """The share of the voting weight no interest group may exceed, from the agreement's
    terms: a threshold missing from them (every text before it was configurable) is 49."""
    value = (terms or {}).get("balance_limit")
    return BALANCE_LIMIT if value is None else Decimal(str(value))


def imbalance(weights: Iterable[tuple[str, int]], limit: Decimal = BALANCE_LIMIT) -> str | None:
    """CLLD rule (invariant 4): no interest group may hold more than `limit`% of the weight."""
    totals: dict[str, int] = {}
    for group, weight in weights:
        totals[group] = totals.get(group, 0) + weight
    total = sum(totals.values())
    if total == 0:
        return None
    for group, weight in sorted(totals.items()):
        if Decimal(weight) * 100 > limit * total:
            share = (Decimal(weight) * 100 / total).quantize(Decimal("0.1"))
            return (
                f"the {group} interest group holds {share}% of the voting weight "
                f"(at most {format(limit.normalize(), 'f')}%)"
            )
    return None


def tally(
    rule: Mapping[str, str],
    weights: Mapping[str, int],
    votes: Mapping[str, str],
    conflicts: Iterable[str] = (),
) -> dict[str, int | bool]:
    """Quorum and outcome of a vote under a governance rule, by voting weight. A member
    declaring a conflict of interest is absent: it stays in the total (the quorum's base)
    but neither votes nor counts as present, and unanimity does not wait for it."""
    excused = set(conflicts)
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
        voters = [o for o, w in weights.items() if w > 0 and o not in excused]
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
