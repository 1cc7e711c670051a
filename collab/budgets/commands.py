"""Commands on a partnership's budget: a version adopted under a passed decision."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from collab.domain import budget
from collab.domain import values as v
from collab.partnerships.commands import OnPartnership


@dataclass(frozen=True)
class AdoptBudget(OnPartnership):
    """Adopt a budget version (lines, funding sources, match) under a passed `set_budget`
    decision of the partnership; it replaces the version before it."""

    NAME = "adopt_budget"
    partnership_id: str
    decision_id: str
    budget: dict[str, Any]

    def __post_init__(self) -> None:
        self.check_partnership()
        self.normalise("decision_id", v.identifier(self.decision_id, "decision_id"))
        self.normalise("budget", budget.checked(self.budget))
