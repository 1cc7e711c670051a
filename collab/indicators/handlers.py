"""Handlers of indicators' reports: get the partnership, call one method, save."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from collab.commands import Result
from collab.indicators.commands import CorrectReport, ReportIndicator
from collab.partnerships.handlers import result
from collab.tx import Handlers, Tx, registry

HANDLERS: Handlers = {}
handles = registry(HANDLERS)


@handles(ReportIndicator)
def report_indicator(tx: Tx, c: ReportIndicator) -> Result:
    p, acting = tx.partnership(c.partnership_id)
    assert c.as_of is not None  # the command puts the period's end
    number = p.report_result(c.indicator_id, c.actual, c.as_of, acting, tx.meta(), c.period)
    tx.save(p)
    return result(p, report=number)


@handles(CorrectReport)
def correct_report(tx: Tx, c: CorrectReport) -> Result:
    p, acting = tx.partnership(c.partnership_id)
    reported = stored_event(tx, p.id, c.report) if c.report <= p.version else None
    p.correct_result(c.indicator_id, c.report, reported, c.actual, acting, tx.meta())
    tx.save(p)
    return result(p, report=c.report)


def stored_event(tx: Tx, stream: UUID, version: int) -> Any:
    """One event of a stream, by its version, as stored (upcast on read): one indexed read,
    whatever the stream's length; the aggregate need not keep its reports to name one."""
    found = tx.app.recorder.select_events(stream, gt=version - 1, lte=version, limit=1)
    return tx.app.mapper.to_domain_event(found[0]) if found else None
