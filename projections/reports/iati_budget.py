"""The budgets of an IATI activity: one `budget` per (period, currency) of the budget
version's lines, as the budget view holds them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from projections.reports.iati_xml import Element, comment, sub, value
from projections.reports.state import ReportState

# Ruleset 7.5.3 (time_limit): a budget period must not be longer than one year.
LONGEST_DAYS = 365
COMMITTED = "2"  # BudgetStatus: adopted by a recorded decision

Period = tuple[str, str, str]  # (start, end, currency)


def too_long(start: str, end: str) -> bool:
    return (date.fromisoformat(end) - date.fromisoformat(start)).days > LONGEST_DAYS


def budget_periods(state: ReportState) -> tuple[dict[Period, Decimal], list[str]]:
    """The lines' amounts summed per (period, currency), and the lines left out: those
    over a year (their amounts are not split: no rule says how)."""
    found: dict[Period, Decimal] = {}
    left_out: list[str] = []
    for line in (state.plan or {}).get("lines", []):
        start, end = line["period"]["start"], line["period"]["end"]
        if too_long(start, end):
            left_out.append(line["line_id"])
            continue
        key = (start, end, line["currency"])
        found[key] = found.get(key, Decimal(0)) + Decimal(line["amount"])
    return found, sorted(left_out)


def budgets(activity: Element, state: ReportState) -> None:
    found, left_out = budget_periods(state)
    kind = "1" if state.budget["number"] == 1 else "2"  # BudgetType: original, revised
    for (start, end, currency), total in sorted(found.items()):
        budget = sub(activity, "budget", ("type", kind), ("status", COMMITTED))
        sub(budget, "period-start", ("iso-date", start))
        sub(budget, "period-end", ("iso-date", end))
        value(budget, total, currency, start)
    if left_out:
        comment(
            activity,
            "budget lines over one year, not reported as IATI budgets (ruleset 7.5.3): "
            + ", ".join(left_out),
        )
