"""360Giving JSON of a partnership's cash grants (stub: being written)."""

from __future__ import annotations

from projections.reports.state import ReportState


def grants_json(state: ReportState, language: str) -> bytes:
    raise NotImplementedError
