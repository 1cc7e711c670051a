"""Milestones, indicators (output / outcome / impact) and reported results."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from eventsourcing.domain import event

from collab.domain.envelope import Acting, Envelope
from collab.domain.errors import RuleViolationError
from collab.domain.partnership.core import CLOSED
from collab.domain.partnership.governance import PartnershipGovernance


class PartnershipPlans(PartnershipGovernance):
    """What the partnership plans to reach and what it reports."""

    def check_planner(self, acting: Acting) -> None:
        self.check_steward(acting)
        if self.status in CLOSED:
            raise RuleViolationError(f"the partnership is {self.status}")

    def set_milestone(self, milestone: dict[str, Any], acting: Acting, meta: Envelope) -> None:
        self.check_planner(acting)
        self._milestone_set(milestone, meta)

    @event("MilestoneSet")
    def _milestone_set(self, milestone: dict[str, Any], meta: Envelope) -> None:
        self.milestones[milestone["milestone_id"]] = milestone

    def set_indicator(self, indicator: dict[str, Any], acting: Acting, meta: Envelope) -> None:
        self.check_planner(acting)
        current = self.indicators.get(indicator["indicator_id"])
        if current is not None and current["unit"] != indicator["unit"]:
            raise RuleViolationError("an indicator keeps its unit; define a new indicator instead")
        self._indicator_set(indicator, meta)

    @event("IndicatorSet")
    def _indicator_set(self, indicator: dict[str, Any], meta: Envelope) -> None:
        # Re-setting an indicator keeps the last reported result and its date.
        current = self.indicators.get(indicator["indicator_id"], {})
        self.indicators[indicator["indicator_id"]] = {
            **indicator,
            "actual": current.get("actual"),
            "actual_as_of": current.get("actual_as_of"),
        }

    def check_reporter(self, acting: Acting) -> None:
        """Results are reported by a partnership broker, the lead or any active member."""
        if not (self.is_partnership_broker(acting) or self.is_lead(acting)):
            self.check_active_member(acting)

    def report_result(
        self, indicator_id: str, actual: Decimal, as_of: str, acting: Acting, meta: Envelope
    ) -> None:
        self.check_reporter(acting)
        if self.status in CLOSED:
            raise RuleViolationError(f"the partnership is {self.status}")
        if indicator_id not in self.indicators:
            raise RuleViolationError("no such indicator in this partnership")
        self._result_reported(indicator_id, actual, as_of, meta)

    @event("ResultReported")
    def _result_reported(
        self, indicator_id: str, actual: Decimal, as_of: str, meta: Envelope
    ) -> None:
        self.indicators[indicator_id]["actual"] = actual
        self.indicators[indicator_id]["actual_as_of"] = as_of
