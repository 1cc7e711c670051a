"""Given-helpers for budgets: a set_budget decision, a budget body, an adopted budget."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from collab.application import Outcome
from collab.budgets.commands import AdoptBudget
from collab.governance.commands import RecordDecision
from tests.application.world import World

PERIOD = {"start": "2027-01-01", "end": "2028-12-31"}


def budget_decision(world: World, pid: str, vote: str = "for") -> str:
    """A decision of every member in standing to set the budget."""
    votes = {world.orgs[k]: vote for k in world.voters(pid)}
    out = world.app.execute(
        world.as_broker(),
        RecordDecision(pid, body="General assembly", subject={"action": "set_budget"}, votes=votes),
    )
    decision_id: str = out.result["decision_id"]
    return decision_id


def line(
    line_id: str, amount: str, category: str = "implementation", currency: str = "EUR"
) -> dict[str, Any]:
    return {
        "line_id": line_id,
        "category": category,
        "description": f"The {line_id} of the care rounds",
        "period": PERIOD,
        "amount": amount,
        "currency": currency,
    }


def source(
    source_id: str,
    kind: str,
    rate: str,
    funds: dict[str, str],
    region: str | None = "less_developed",
    **more: Any,
) -> dict[str, Any]:
    return {
        "source_id": source_id,
        "kind": kind,
        "name": f"{kind} grant",
        "region_category": region,
        "rate": rate,
        "currency": "EUR",
        "funds": [{"line_id": k, "amount": x} for k, x in funds.items()],
        **more,
    }


def plan(match: list[dict[str, Any]] | None = None, **changes: Any) -> dict[str, Any]:
    """Two lines (visits 10000, animation 2000 EUR), an ESF+ grant of 80 % on the visits
    and a municipal grant on both (4000 of the 12000: 33.33 %, within its 40 %)."""
    return {
        "lines": [line("visits", "10000"), line("animation", "2000", "animation")],
        "sources": [
            source("esf", "esf_plus", "80", {"visits": "8000"}),
            source("town", "municipal", "40", {"visits": "2000", "animation": "2000"}, None),
        ],
        "match": match or [],
        **changes,
    }


def matched_plan(match: list[dict[str, Any]], in_kind: str = "1500") -> dict[str, Any]:
    """`plan(match)` with room on the visits line for `in_kind` EUR of match in kind: the
    town puts that much less there (funds and match within the line's 10000; the ESF+'s
    8000 is then 80 % of the line's planned financing)."""
    found = plan(match)
    town = found["sources"][1]["funds"][0]
    town["amount"] = str(Decimal(town["amount"]) - Decimal(in_kind))
    return found


def eafrd_plan(rate: str, kind: str = "eafrd") -> dict[str, Any]:
    """The visits line (10000) funded 6000 by an EU fund, 2000 national, 2000 private."""
    return plan(
        lines=[plan()["lines"][0]],
        sources=[
            source("feader", kind, rate, {"visits": "6000"}),
            source("state", "national", "20", {"visits": "2000"}, None),
            source("bank", "private", "20", {"visits": "2000"}, None),
        ],
    )


def adopt(world: World, pid: str, budget: dict[str, Any] | None = None) -> Outcome:
    decision_id = budget_decision(world, pid)
    return world.app.execute(world.as_broker(), AdoptBudget(pid, decision_id, budget or plan()))


def valued(world: World, key: str, pid: str, amount: str, kind: str = "volunteer_time") -> str:
    """A confirmed commitment in kind of `key`: 100 hours valued at `amount` EUR."""
    from collab.commitments.commands import ConfirmCommitment, Pledge

    out = world.app.execute(
        world.as_(key),
        Pledge(
            pid,
            contribution_type=kind,
            quantity={"value": "100", "unit": "hour"},
            valuation={"amount": amount, "currency": "EUR", "method": "standard_rate"},
        ),
    )
    cid: str = out.result["commitment_id"]
    world.app.execute(world.as_(key), ConfirmCommitment(cid))
    return cid
