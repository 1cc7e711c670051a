"""Indicators' reports: a figure per reporting period, never overwritten; a correction
names the report it corrects (DESIGN §2 indicators, invariant 6).

A report is named by its number, the partnership's version at the report (the `report`
of the result and of each entry of the indicator's `series` in the partnership view).
"""

from __future__ import annotations

from api import authority
from api.authority import before_body
from api.http import Blueprint, Body, Reply, run
from api.schemas import indicators as s
from api.schemas.common import Outcome
from collab.indicators.commands import CorrectReport, ReportIndicator

blp = Blueprint("indicators", __name__, url_prefix="/v1", description=__doc__)

INDICATOR = "/partnerships/<partnership_id>/indicators/<indicator_id>"


@blp.route(f"{INDICATOR}/reports", methods=["POST"])
@before_body(authority.partnership(authority.reporter))
@blp.arguments(s.ReportIndicator)
@blp.response(201, Outcome)
def report_indicator(body: Body, partnership_id: str, indicator_id: str) -> Reply:
    """Report an indicator's figure for a period (members, broker, lead); the result names
    the report (`report`). Periods are reported in order, none overlapping another."""
    return run(body, lambda a: ReportIndicator(partnership_id, indicator_id, **a))


@blp.route(f"{INDICATOR}/reports/<int:report>/corrections", methods=["POST"])
@before_body(authority.partnership(authority.reporter))
@blp.arguments(s.CorrectReport)
@blp.response(200, Outcome)
def correct_report(body: Body, partnership_id: str, indicator_id: str, report: int) -> Reply:
    """Correct a report's figure, stating why (whoever may report); the report keeps its
    period and both events stay in history."""
    return run(body, lambda a: CorrectReport(partnership_id, indicator_id, report, **a))
