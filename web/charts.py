"""The commitments chart: pledged, confirmed and delivered per contribution type and unit,
in total and month by month, as geometry for an SVG drawn on the server (DESIGN §7).

Hours and euros never add up: each (contribution type, unit) is a group of its own, with
its own scale. The totals are the view's (withdrawn and released commitments left out):
pledged is what is committed, confirmed what of it the committers confirmed, delivered
the deliveries their recipients confirmed, up to each commitment's quantity: what was
confirmed beyond it is its surplus, shown beside the chart, never drawn as fulfilment above
100% (invariant 6). Over time, each amount counts from a month:
a pledge from its recorded time (else its period's start), a confirmation from its
recorded time, a delivery from the day it was made. Pure and deterministic: the same
commitments and times give the same numbers and coordinates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

MEASURES = ("pledged", "confirmed", "delivered")
SURPLUS = "surplus"  # confirmed deliveries beyond a commitment's quantity: beside the measures
LEFT_OUT = ("withdrawn", "released")  # as the view's totals leave them out
CONFIRMED = ("confirmed", "in_delivery", "fulfilled", "lapsed")
Times = Mapping[str, Mapping[str, str]]  # commitment id → event type → recorded time

# The bars: a label column, then the bars' room, then room for the amount.
BAR_WIDTH, BAR_LABEL, BAR_ROOM, BAR_ROW = 480, 110, 270, 30
# The time chart: legend above, month labels below, amount labels to the left.
LINE_WIDTH, LINE_HEIGHT, LINE_LEFT, LINE_RIGHT, LINE_TOP, LINE_BOTTOM = 480, 230, 80, 40, 40, 40
TICKS = 5  # month labels at most
FRAME = {  # for the template that draws the geometry
    "bar_width": BAR_WIDTH,
    "bar_label": BAR_LABEL,
    "line_width": LINE_WIDTH,
    "line_height": LINE_HEIGHT,
    "left": LINE_LEFT,
    "right": LINE_WIDTH - LINE_RIGHT,
    "top": LINE_TOP,
    "bottom": LINE_HEIGHT - LINE_BOTTOM,
}


@dataclass(frozen=True)
class Flow:
    """An amount that counts for a measure from a month on (None: no date known)."""

    measure: str
    month: str | None
    amount: Decimal


@dataclass(frozen=True)
class Bar:
    measure: str
    amount: Decimal
    y: float
    width: float


@dataclass(frozen=True)
class Point:
    x: float
    y: float


@dataclass(frozen=True)
class Series:
    """One measure's cumulative amount as a step line, with a mark where it changes."""

    measure: str
    points: str
    marks: tuple[Point, ...]


@dataclass(frozen=True)
class Tick:
    month: str
    x: float


@dataclass(frozen=True)
class Row:
    """A month in which something changed, with the amounts so far."""

    month: str
    amounts: Mapping[str, Decimal]


@dataclass(frozen=True)
class Group:
    """One contribution type in one unit: totals, bars, and its months."""

    contribution_type: str
    unit: str
    totals: Mapping[str, Decimal]
    bars: tuple[Bar, ...]
    series: tuple[Series, ...]
    rows: tuple[Row, ...]
    ticks: tuple[Tick, ...]
    top: Decimal
    undated: int
    surplus: Decimal = Decimal(0)

    @property
    def bars_height(self) -> int:
        return BAR_ROW * len(MEASURES) + 10


def month_of(moment: str | None) -> str | None:
    """ "YYYY-MM" of an RFC 3339 time or a date, None if there is none."""
    return moment[:7] if moment and len(moment) >= 7 else None


def flows(c: Mapping[str, Any], times: Times) -> list[Flow]:
    """What one commitment counts for, and from when."""
    if c["status"] in LEFT_OUT:
        return []
    recorded = times.get(c["commitment_id"], {})
    quantity = Decimal(c["quantity"])
    out = [Flow("pledged", month_of(recorded.get("Pledged") or c.get("period_start")), quantity)]
    if c["status"] in CONFIRMED:
        out.append(Flow("confirmed", month_of(recorded.get("Confirmed")), quantity))
    return out + delivered(c, quantity)


def delivered(c: Mapping[str, Any], quantity: Decimal) -> list[Flow]:
    """The confirmed deliveries, in the order they were made, counted up to the quantity;
    the rest as surplus."""
    out, room = [], quantity
    confirmed = [d for d in c.get("deliveries") or [] if d["status"] == "confirmed"]
    for d in sorted(confirmed, key=lambda d: str(d["delivered_on"])):
        month, amount = month_of(d["delivered_on"]), Decimal(d["quantity"])
        counted = min(amount, room)
        room -= counted
        if counted:
            out.append(Flow("delivered", month, counted))
        if amount > counted:
            out.append(Flow(SURPLUS, month, amount - counted))
    return out


def groups(commitments: Iterable[Mapping[str, Any]], times: Times) -> list[Group]:
    """A group per (contribution type, unit), in that order."""
    found: dict[tuple[str, str], list[Flow]] = {}
    for c in commitments:
        if c["status"] not in LEFT_OUT:
            key = (c["contribution_type"], c["unit"])
            found.setdefault(key, []).extend(flows(c, times))
    return [group(kind, unit, found[(kind, unit)]) for kind, unit in sorted(found)]


def group(kind: str, unit: str, flowing: list[Flow]) -> Group:
    surplus = sum((f.amount for f in flowing if f.measure == SURPLUS), Decimal(0))
    moves = [f for f in flowing if f.measure in MEASURES]
    totals = {m: sum((f.amount for f in moves if f.measure == m), Decimal(0)) for m in MEASURES}
    dated = [f for f in moves if f.month is not None]
    rows = cumulative(dated)
    top = max([*totals.values(), Decimal(0)])
    axis = axis_of([r.month for r in rows]) if rows else (0, 1)
    return Group(
        contribution_type=kind,
        unit=unit,
        totals=totals,
        bars=bars(totals),
        series=tuple(series(m, rows, axis, top) for m in MEASURES),
        rows=tuple(rows),
        ticks=ticks(axis) if rows else (),
        top=top,
        undated=len(moves) - len(dated),
        surplus=surplus,
    )


def bars(totals: Mapping[str, Decimal]) -> tuple[Bar, ...]:
    """A horizontal bar per measure, the largest amount filling the room."""
    top = max(totals.values())
    return tuple(
        Bar(m, totals[m], 5.0 + i * BAR_ROW, scaled(totals[m], top, BAR_ROOM))
        for i, m in enumerate(MEASURES)
    )


def scaled(amount: Decimal, top: Decimal, room: int) -> float:
    return round(float(amount / top) * room, 1) if top > 0 else 0.0


def cumulative(dated: list[Flow]) -> list[Row]:
    """The months in which an amount was added, each with every measure's sum so far."""
    so_far = dict.fromkeys(MEASURES, Decimal(0))
    rows = []
    for month in sorted({f.month for f in dated if f.month}):
        for f in dated:
            if f.month == month:
                so_far[f.measure] += f.amount
        rows.append(Row(month, dict(so_far)))
    return rows


def index(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def month_at(i: int) -> str:
    return f"{i // 12:04d}-{i % 12 + 1:02d}"


def axis_of(months: list[str]) -> tuple[int, int]:
    """The time axis: from the month before the first change (where every amount is
    still 0) to the month of the last."""
    return index(months[0]) - 1, index(months[-1])


def x_of(month: str, axis: tuple[int, int]) -> float:
    """Where a month is on the time axis, months evenly spaced."""
    room = LINE_WIDTH - LINE_LEFT - LINE_RIGHT
    first, last = axis
    return round(LINE_LEFT + room * (index(month) - first) / (last - first), 1)


def y_of(amount: Decimal, top: Decimal) -> float:
    return round(LINE_HEIGHT - LINE_BOTTOM - scaled(amount, top, plot_height()), 1)


def plot_height() -> int:
    return LINE_HEIGHT - LINE_TOP - LINE_BOTTOM


def series(measure: str, rows: list[Row], axis: tuple[int, int], top: Decimal) -> Series:
    """The measure's steps: flat until a month with a change, then up to its new sum."""
    points = [Point(float(LINE_LEFT), y_of(Decimal(0), top))]
    marks: list[Point] = []
    before = Decimal(0)
    for row in rows:
        x, now = x_of(row.month, axis), row.amounts[measure]
        points += [Point(x, y_of(before, top)), Point(x, y_of(now, top))]
        if now != before:
            marks.append(Point(x, y_of(now, top)))
        before = now
    text = " ".join(f"{p.x},{p.y}" for p in points)
    return Series(measure, text, tuple(marks))


def ticks(axis: tuple[int, int]) -> tuple[Tick, ...]:
    """Up to `TICKS` month labels along the axis: the first, the last, evenly between."""
    first, last = axis
    steps = min(TICKS - 1, last - first)
    picked = sorted({first + round(k * (last - first) / steps) for k in range(steps + 1)})
    return tuple(Tick(month_at(i), x_of(month_at(i), axis)) for i in picked)
