"""Voting shares of a partnership's members and the CLLD balance of interest groups."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from collab.domain.partnership_rules import BALANCE_LIMIT, STANDING, balance_group

SECTORS = ("public", "civil_society", "private")
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


def members_by_sector(view: Mapping[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Members grouped by sector, each with its voting share among members in standing."""
    members = view.get("members") or []
    standing = {m["organisation_id"]: m["weight"] for m in members if m["status"] in STANDING}
    shares = percentages(standing)
    groups: dict[str, list[dict[str, Any]]] = {}
    for m in members:
        row = {**m, "share": shares.get(m["organisation_id"])}
        groups.setdefault(m["sector"], []).append(row)
    order = [*SECTORS, *sorted(set(groups) - set(SECTORS))]
    return [(sector, groups[sector]) for sector in order if sector in groups]


def balance(view: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The share of votes of each interest group among members in standing, public-sector
    members counted as public authorities whatever they declared; `over`: more than the 49%
    a single group may hold (Reg. (EU) 2021/1060 art. 31(2)(b), invariant 4)."""
    weights: dict[str, int] = {}
    for m in view.get("members") or []:
        if m["status"] in STANDING:  # public bodies count as public authorities (the rule's)
            group = balance_group(m["sector"], m["interest_group"])
            weights[group] = weights.get(group, 0) + m["weight"]
    total, shares = sum(weights.values()), percentages(weights)
    return [
        {
            "group": group,
            "weight": weight,
            "share": shares[group],
            "over": total > 0 and Decimal(weight) * 100 > BALANCE_LIMIT * total,
        }
        for group, weight in sorted(weights.items())
    ]
