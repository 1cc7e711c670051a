"""IATI 2.03 activity XML of one partnership (stub: being written)."""

from __future__ import annotations

from projections.reports.state import ReportState


def activity_xml(state: ReportState, language: str) -> bytes:
    raise NotImplementedError
