"""Commands on an indicator's reports: a figure for a period, a correction naming a report."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from collab.domain import terms
from collab.domain import values as v
from collab.domain.terms import Period
from collab.partnerships.commands import OnPartnership

MAX_REPORT = 2**53 - 1


@dataclass(frozen=True)
class ReportIndicator(OnPartnership):
    """Report an indicator's figure for a period, measured as of a date (default: the
    period's last day). Periods are reported in order; none overlaps one reported."""

    NAME = "report_indicator"
    partnership_id: str
    indicator_id: str
    period: Period
    actual: Decimal
    as_of: str | None = None

    def __post_init__(self) -> None:
        self.check_partnership()
        self.normalise("indicator_id", v.identifier(self.indicator_id, "indicator_id"))
        self.normalise("period", terms.period(self.period))
        self.normalise("actual", v.decimal(self.actual, "actual"))
        as_of = self.period["end"] if self.as_of is None else self.as_of
        self.normalise("as_of", v.iso_date(as_of, "as_of"))


@dataclass(frozen=True)
class CorrectReport(OnPartnership):
    """Correct the figure of a report, named by its number; the envelope's reason says why."""

    NAME = "correct_report"
    partnership_id: str
    indicator_id: str
    report: int
    actual: Decimal

    def __post_init__(self) -> None:
        self.check_partnership()
        self.normalise("indicator_id", v.identifier(self.indicator_id, "indicator_id"))
        v.integer(self.report, "report", minimum=1, maximum=MAX_REPORT)
        self.normalise("actual", v.decimal(self.actual, "actual"))
