"""Indicator report requests: a figure for a period, a correction naming a report."""

from __future__ import annotations

from marshmallow import fields

from api.schemas.common import CommandBody, Date, Decimal, Strict, Text
from collab.domain import values as v


class ReportingPeriod(Strict):
    start = Date(required=True)
    end = Date(required=True, metadata={"description": "not before the start"})


class ReportIndicator(CommandBody):
    period = fields.Nested(
        ReportingPeriod,
        required=True,
        metadata={
            "description": "the period the figure is for; it starts after the last period "
            "reported for this indicator (an overlapping one is 409: correct that report)"
        },
    )
    actual = Decimal(required=True, metadata={"description": "the figure for the period"})
    as_of = Date(
        load_default=None,
        metadata={"description": "the date the figure was measured; default the period's end"},
    )


class CorrectReport(CommandBody):
    actual = Decimal(required=True, metadata={"description": "the corrected figure"})
    reason = Text(v.LONG, required=True, metadata={"description": "why; recorded"})
