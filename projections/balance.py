"""The CLLD balance of a partnership view: each interest group's share of the votes of the
members in standing, the limit its terms set, and whether the rule holds (invariant 4)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from collab.domain.partnership_rules import STANDING, balance_group, balance_limit

TENTH = Decimal("0.1")


def percentages(weights: Mapping[str, int]) -> dict[str, Decimal]:
    """Each share of the total in percent, to a tenth, summing to exactly 100 (largest
    remainders round up)."""
    total = sum(weights.values())
    if total <= 0:
        return {k: Decimal("0.0") for k in weights}
    exact = {k: Decimal(w) * 1000 / total for k, w in weights.items()}
    tenths = {k: int(x) for k, x in exact.items()}
    left = 1000 - sum(tenths.values())
    for k in sorted(exact, key=lambda k: (tenths[k] - exact[k], k))[:left]:
        tenths[k] += 1
    return {k: (Decimal(t) / 10).quantize(TENTH) for k, t in tenths.items()}


def current_limit(head: Mapping[str, Any], versions: Sequence[Mapping[str, Any]]) -> Decimal:
    """The limit that applies now, as `Partnership.balance_limit` decides it: the strictest
    of the text in force and the text open for signature; before any, the latest draft's;
    49 where the terms do not say."""
    numbers = {head.get("in_force_version"), head.get("pending_version")} - {None}
    texts = [v["terms"] for v in versions if v["number"] in numbers]
    if not texts and versions:
        texts = [max(versions, key=lambda v: v["number"])["terms"]]
    return min((balance_limit(t) for t in texts), default=balance_limit(None))


def balance_of(
    partnership_type: str, members: Sequence[Mapping[str, Any]], limit: Decimal
) -> dict[str, Any]:
    """Shares by the group each member counts in (a public-sector member is a public
    authority whatever it declared), exact in weight; `over` compares exactly, not the
    rounded share. `holds` is null where the rule does not apply (not a CLLD LAG)."""
    weights: dict[str, int] = {}
    for m in members:
        if m["status"] in STANDING:
            group = balance_group(m["sector"], m["interest_group"])
            weights[group] = weights.get(group, 0) + m["weight"]
    total, shares = sum(weights.values()), percentages(weights)
    groups = [
        {
            "group": group,
            "weight": weight,
            "share": format(shares[group], "f"),
            "over": total > 0 and Decimal(weight) * 100 > limit * total,
        }
        for group, weight in sorted(weights.items())
    ]
    applies = partnership_type == "clld_lag"
    return {
        "rule": "clld_interest_groups",
        "applies": applies,
        "limit": format(limit, "f"),
        "holds": (not any(g["over"] for g in groups)) if applies else None,
        "groups": groups,
    }
