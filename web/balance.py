"""Voting shares of a partnership's members, by sector (the balance is the view's own)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from collab.domain.partnership_rules import STANDING
from projections.balance import percentages

SECTORS = ("public", "civil_society", "private")


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
