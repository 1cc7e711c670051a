"""Reports in the formats funders and open-data portals read (DESIGN §9): IATI 2.03 activity
XML, 360Giving JSON and CSV, each a pure function of one `ReportState` (the same state gives
the same bytes)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from projections.reports import giving, iati, tables_csv
from projections.reports.state import ReportState, report_state_for

__all__ = ["REPORTS", "Report", "ReportState", "report_state_for"]


@dataclass(frozen=True)
class Report:
    name: str
    media_type: str
    extension: str
    summary: str
    render: Callable[[ReportState, str], bytes]  # (state, language of its texts)

    def filename(self, partnership_id: str) -> str:
        return f"collab-{partnership_id}-{self.name}.{self.extension}"


REPORTS = {
    r.name: r
    for r in (
        Report("iati", "application/xml", "xml", "IATI 2.03 activity XML", iati.activity_xml),
        Report("360giving", "application/json", "json", "360Giving 1.4 grants", giving.grants_json),
        Report("commitments", "text/csv", "csv", "Commitments (CSV)", tables_csv.commitments),
        Report("deliveries", "text/csv", "csv", "Deliveries (CSV)", tables_csv.deliveries),
        Report("budget", "text/csv", "csv", "Budget lines (CSV)", tables_csv.budget),
        Report("funding", "text/csv", "csv", "Funding sources (CSV)", tables_csv.funding),
    )
}
