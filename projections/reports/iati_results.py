"""The results of an IATI activity: one per indicator, with its baseline and one period
per report of an actual (as corrected), against the indicator's target."""

from __future__ import annotations

from typing import Any

from projections.reports.iati_xml import Element, amount, comment, sub, texted
from projections.reports.state import ReportState

# Indicator kind → ResultType (IATI non-embedded list, not among the shared lists; read in
# the IATI Standard's reference, IATI/IATI-Standard-SSOT codelists/ResultType).
RESULT_TYPE = {"output": "1", "outcome": "2", "impact": "3"}
UNIT = "1"  # IndicatorMeasure 1: Unit (a count in the indicator's own unit)


def baseline_year(state: ReportState, reports: list[dict[str, Any]]) -> str | None:
    """collab records no baseline date: the baseline is the value before the first period
    counted, so its year is the earliest of the planned start and the first report's."""
    found = [r["period_start"] for r in reports]
    start = ((state.terms or {}).get("period") or {}).get("start")
    if start:
        found.append(start)
    return min(found)[:4] if found else None


def results(activity: Element, state: ReportState) -> None:
    for i in state.indicators:
        kind = RESULT_TYPE.get(i["kind"])
        if kind is None:
            comment(
                activity, f"indicator {i['indicator_id']}: kind {i['kind']} has no IATI result type"
            )
            continue
        reports = [r for r in state.indicator_reports if r["indicator_id"] == i["indicator_id"]]
        result = sub(activity, "result", ("type", kind))
        texted(result, "title", i["name"])
        indicator(result, state, i, reports)


def indicator(
    result: Element, state: ReportState, i: dict[str, Any], reports: list[dict[str, Any]]
) -> None:
    found = sub(result, "indicator", ("measure", UNIT))
    texted(found, "title", i["name"])
    texted(found, "description", f"Unit: {i['unit']}")
    year = baseline_year(state, reports)
    if year is not None:
        sub(found, "baseline", ("year", year), ("value", amount(i["baseline"])))
    for r in reports:
        period = sub(found, "period")
        sub(period, "period-start", ("iso-date", r["period_start"]))
        sub(period, "period-end", ("iso-date", r["period_end"]))
        sub(period, "target", ("value", amount(i["target"])))
        sub(period, "actual", ("value", amount(r["actual"])))
