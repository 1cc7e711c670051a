"""Indicators' series (issue 15 part 5): one row per report, its figure as corrected.

The partnership aggregate keeps only each indicator's latest period (a constant size, so
folding n reports costs n); the series is built here from the events themselves, by one
function for the live view (rows written per batch, beside the state projection's) and
for the as-of view (rows computed from the same fold of raw events).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from operator import itemgetter
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from sqlalchemy import Connection, bindparam, func, select, update

from collab.stores.sql import insert_many
from collab.stores.streams import stream_notifications
from projections.tables import Tables

if TYPE_CHECKING:
    from projections.follower import Change

REPORTED = ("ResultReported", "ResultReportedForPeriod")  # the first: a single day, as_of
CORRECTED = "ResultCorrected"
Row = dict[str, Any]


class Series:
    """The reports of some events, in log order: a report adds one, a correction changes
    its report's figure (here, or in the tables when the report came in an earlier batch).
    Kept as plain lists (indicator, start, end, figure, as of, corrected) until `rows`
    makes the rows asked for: an as-of view makes only those it shows."""

    def __init__(self) -> None:
        self.reports: dict[tuple[UUID, int], list[Any]] = {}
        self.corrections: dict[tuple[UUID, int], Decimal] = {}

    def add(self, event: Any) -> None:
        name = type(event).__name__
        if name in REPORTED:
            # A report recorded before periods is one of the day `as_of`.
            period = getattr(event, "period", None)
            start, end = (period["start"], period["end"]) if period else (event.as_of,) * 2
            where = (event.originator_id, event.originator_version)
            self.reports[where] = [event.indicator_id, start, end, event.actual, event.as_of, 0]
        elif name == CORRECTED:
            where = (event.originator_id, int(event.report))
            found = self.reports.get(where)
            if found is None:
                self.corrections[where] = event.actual
            else:
                found[3], found[5] = event.actual, 1

    def extend(self, events: Iterable[Any]) -> Series:
        for event in events:
            self.add(event)
        return self

    def rows(self, latest: int | None = None) -> list[Row]:
        """Every report's row; or, with `latest`, each indicator's latest reports with
        `reports`, how many it has, as `series_rows` gives them."""
        if latest is None:
            return [row(stream, n, r) for (stream, n), r in self.reports.items()]
        by_indicator: dict[str, list[tuple[Any, ...]]] = {}
        for (stream, n), r in self.reports.items():
            by_indicator.setdefault(r[0], []).append((n, stream, r))
        found = []
        for kept in by_indicator.values():  # in log order: by report number
            found += [{**row(s, n, r), "reports": len(kept)} for n, s, r in kept[-latest:]]
        return found


def row(stream: UUID, report: int, r: list[Any]) -> Row:
    return {
        "partnership_id": str(stream),
        "report": report,
        "indicator_id": r[0],
        "period_start": r[1],
        "period_end": r[2],
        "actual": format(Decimal(r[3]), "f"),
        "as_of": r[4],
        "corrected": bool(r[5]),
    }


def apply_series(conn: Connection, tables: Tables, changes: Sequence[Change]) -> None:
    """The live projection's part: one multi-row INSERT and one batched UPDATE per batch."""
    series = Series().extend(c.event for c in changes if c.kind == "Partnership")
    table = tables.indicator_reports
    insert_many(conn, table, series.rows())
    if series.corrections:
        statement = (
            update(table)
            .where(table.c.partnership_id == bindparam("pid"), table.c.report == bindparam("n"))
            .values(actual=bindparam("figure"), corrected=True)
        )
        conn.execute(
            statement,
            [
                {"pid": str(p), "n": n, "figure": format(Decimal(f), "f")}
                for (p, n), f in series.corrections.items()
            ],
        )


def series_rows(
    conn: Connection, tables: Tables, partnership_id: str, indicator_ids: Iterable[str]
) -> list[Row]:
    """A partnership's rows in the live tables: each indicator's latest `SHOWN_PERIODS`
    reports (periods are reported in order: the latest reported are the latest periods),
    each with `reports`, how many its indicator has in all. Per indicator, two reads of
    the (partnership, indicator, report) index: the cost of what is shown."""
    t = tables.indicator_reports
    columns = [t.c[name] for name in ("indicator_id", *SHOWN)]
    found: list[Row] = []
    for indicator_id in indicator_ids:
        mine = (t.c.partnership_id == partnership_id, t.c.indicator_id == indicator_id)
        count = conn.execute(select(func.count()).where(*mine)).scalar_one()
        latest = select(*columns).where(*mine).order_by(t.c.report.desc()).limit(SHOWN_PERIODS)
        rows = [dict(r) for r in conn.execute(latest).mappings()]
        for r in rows:
            r["reports"] = count
        found += reversed(rows)
    return found


def fold_with_series(
    app: Application[UUID], stream: UUID, position: int
) -> tuple[Aggregate | None, int, list[Row]]:
    """`collab.stores.streams.fold`, also giving the stream's series rows at `position`."""
    aggregate: Aggregate | None = None
    last = 0
    series = Series()
    for n in stream_notifications(app.recorder, stream, position):
        event: Any = app.mapper.to_domain_event(n)
        aggregate = event.mutate(aggregate)
        series.add(event)
        last = n.id
    return aggregate, last, series.rows(SHOWN_PERIODS)


def with_series(indicators: list[Row], rows: Iterable[Row]) -> list[Row]:
    """Each indicator with its `series` (its latest `SHOWN_PERIODS` reports, in period
    order) and `reports` (how many it has in all), from `series_rows` or `Series.rows`.
    The rows are the caller's own, made for this view: taken apart, not copied."""
    by_indicator: dict[str, list[Row]] = {}
    counted: dict[str, int] = {}
    for r in rows:
        r.pop("partnership_id", None)
        indicator = r.pop("indicator_id")
        counted[indicator] = r.pop("reports")
        by_indicator.setdefault(indicator, []).append(r)
    for entries in by_indicator.values():
        entries.sort(key=PERIOD_ORDER)  # linear when in order, as periods are reported
    return [
        {
            **i,
            "reports": counted.get(i["indicator_id"], 0),
            "series": by_indicator.get(i["indicator_id"], []),
        }
        for i in indicators
    ]


SHOWN = ("report", "period_start", "period_end", "actual", "as_of", "corrected")
PERIOD_ORDER = itemgetter("period_start", "period_end", "report")
# A view shows an indicator's latest periods (25 years of quarters, 8 of months): a view's
# size and cost stay bounded however many are reported; the history has every report.
SHOWN_PERIODS = 100
