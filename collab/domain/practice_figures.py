"""What a practice computes from the ledger as of its publishing (DESIGN §8): the sector mix
of the partners, the resources committed and delivered, the indicators' outcomes.

Each figure names the events it rests on as (stream, version) pairs; a reader finds their
log positions and leaf entries and checks each one's inclusion proof. Pure: the handler
hands in the partnership, its commitments and the partnership's own events.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from collab.domain import commitment_rules as rules
from collab.domain.commitment import Commitment
from collab.domain.partnership import Partnership
from collab.domain.partnership_rules import STANDING
from collab.domain.practice_terms import bucket

Figure = dict[str, Any]
REPORTED = ("ResultReported", "ResultReportedForPeriod")
SECTORS = ("public", "civil_society", "private")
COUNTED_OUT = ("withdrawn", "released")  # as the partnership view's totals leave them out


def text(value: Decimal) -> str:
    return format(Decimal(value), "f")


def cite(stream: object, version: int) -> dict[str, Any]:
    return {"stream": str(stream), "version": int(version)}


def names(event: Any, organisation: str) -> bool:
    """Whether a partnership event is about this organisation's membership."""
    return getattr(event, "org_id", None) == organisation or invites(event, organisation)


def invites(event: Any, organisation: str) -> bool:
    """Whether a partnership event states this organisation's membership (its sector)."""
    membership = getattr(event, "membership", None)
    return isinstance(membership, Mapping) and membership.get("organisation") == organisation


def sector_mix(p: Partnership, events: list[Any]) -> Figure:
    """Members in standing by sector; for each, the event stating its membership (the
    sector) and the latest event about it (its standing)."""
    standing = {o: m for o, m in p.members.items() if m.status in STANDING}
    counts = {s: sum(1 for m in standing.values() if m.sector == s) for s in SECTORS}
    rests_on = []
    for organisation in sorted(standing):
        about = [e.originator_version for e in events if names(e, organisation)]
        stated = [e.originator_version for e in events if invites(e, organisation)]
        # A lead named when the partnership was initiated has no later event of its own.
        rests_on.append(cite(p.id, max(about, default=1)))
        rests_on.append(cite(p.id, max(stated, default=1)))
    return {
        "bucket": bucket(m.sector for m in standing.values()),
        "members": counts,
        "rests_on": sorted({(r["stream"], r["version"]): r for r in rests_on}.values(), key=at),
    }


def at(citation: Mapping[str, Any]) -> tuple[str, int]:
    return citation["stream"], citation["version"]


def resources(commitments: Iterable[Commitment]) -> Figure:
    """Committed, delivered (reported, not refused) and confirmed per contribution type and
    unit, as the partnership view's totals count them; each commitment as last recorded."""
    sums: dict[tuple[str, str], list[Decimal]] = {}
    rests_on = []
    for c in sorted(commitments, key=lambda c: str(c.id)):
        rests_on.append(cite(c.id, c.version))
        if c.status in COUNTED_OUT:
            continue
        row = sums.setdefault((c.contribution_type, c.quantity["unit"]), [Decimal(0)] * 4)
        confirmed = c.confirmed_total()
        delivered = rules.reported_total(c.deliveries.values())
        for i, figure in enumerate((c.committed(), delivered, confirmed, c.surplus())):
            row[i] += figure
    lines = [
        {
            "contribution_type": kind,
            "unit": unit,
            "committed": text(s[0]),
            "delivered": text(s[1]),
            "confirmed": text(s[2]),
            "surplus": text(s[3]),
        }
        for (kind, unit), s in sorted(sums.items())
    ]
    return {"lines": lines, "rests_on": rests_on}


def outcomes(p: Partnership, events: list[Any]) -> Figure:
    """Each indicator with its baseline, target and per-period actuals (as corrected)."""
    defined: dict[str, int] = {}
    periods: dict[str, dict[int, dict[str, Any]]] = {}
    for e in events:
        name = type(e).__name__
        if name == "IndicatorSet":
            defined[e.indicator["indicator_id"]] = e.originator_version
        elif name in REPORTED:
            span = getattr(e, "period", None) or {"start": e.as_of, "end": e.as_of}
            periods.setdefault(e.indicator_id, {})[e.originator_version] = {
                "start": span["start"],
                "end": span["end"],
                "actual": text(e.actual),
                "as_of": e.as_of,
                "corrected": False,
                "rests_on": [cite(p.id, e.originator_version)],
            }
        elif name == "ResultCorrected":
            found = periods.get(e.indicator_id, {}).get(int(e.report))
            if found is not None:
                found.update(actual=text(e.actual), corrected=True)
                found["rests_on"].append(cite(p.id, e.originator_version))
    indicators = []
    for i in sorted(p.indicators.values(), key=lambda i: i.indicator_id):
        series = [periods[i.indicator_id][n] for n in sorted(periods.get(i.indicator_id, {}))]
        indicators.append(
            {
                "indicator_id": i.indicator_id,
                "kind": i.kind,
                "name": i.name,
                "unit": i.unit,
                "baseline": text(i.baseline),
                "target": text(i.target),
                "periods": series,
                "rests_on": [cite(p.id, defined.get(i.indicator_id, 1))],
            }
        )
    return {"indicators": indicators}


def compute(
    publishes: Iterable[str],
    p: Partnership,
    commitments: Iterable[Commitment],
    events: list[Any],
) -> dict[str, Figure]:
    """The figures a publishing decision lists, computed from the ledger as it stands."""
    found: dict[str, Figure] = {}
    for name in publishes:
        if name == "sector_mix":
            found[name] = sector_mix(p, events)
        elif name == "resources":
            found[name] = resources(commitments)
        elif name == "outcomes":
            found[name] = outcomes(p, events)
    return found


def citations(figures: Mapping[str, Figure]) -> list[dict[str, Any]]:
    """Every (stream, version) the figures rest on, once each, in order."""
    seen: dict[tuple[str, int], dict[str, Any]] = {}
    for figure in figures.values():
        for c in figure.get("rests_on", []):
            seen[at(c)] = c
        for i in figure.get("indicators", []):
            for c in [*i["rests_on"], *(r for p in i["periods"] for r in p["rests_on"])]:
                seen[at(c)] = c
    return [seen[k] for k in sorted(seen)]
