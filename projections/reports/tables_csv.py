"""CSV of commitments, deliveries, budget and funding (stub: being written)."""

from __future__ import annotations

from projections.reports.state import ReportState


def commitments(state: ReportState, language: str) -> bytes:
    raise NotImplementedError


def deliveries(state: ReportState, language: str) -> bytes:
    raise NotImplementedError


def budget(state: ReportState, language: str) -> bytes:
    raise NotImplementedError


def funding(state: ReportState, language: str) -> bytes:
    raise NotImplementedError
