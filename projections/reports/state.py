"""What every report of a partnership reads (DESIGN §9): its view rows as the caller may see
them, the register's entries of the organisations they name, and the dates of the events
that reports date things by.

One `ReportState` per report, built from the same rows as the partnership view and the
budget view (live, or as of a position, or as at a former member's exit), so a report's
totals are the views' totals. Actors never enter it: reports name organisations only.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from collab.domain.errors import NotFoundError
from projections.budget import budget_view
from projections.ledger import ledger_totals
from projections.rows import Rows
from projections.tables import Tables
from projections.views import CHUNK, partnership_rows_from
from projections.visibility import Viewer, window

# The events whose effective dates the reports use, by stream kind.
DATED = {
    "partnership": ("AgreementEnteredIntoForce", "Concluded", "Terminated", "Cancelled"),
    "commitment": ("Pledged", "Confirmed", "Withdrawn", "Released", "Lapsed", "Fulfilled"),
}


@dataclass(frozen=True)
class Org:
    """An organisation as the register holds it (no contact persons: none are in views)."""

    organisation_id: str
    legal_name: str
    org_type: int | None
    sector: str | None
    country: str | None
    nuts: str | None
    identifiers: tuple[tuple[str, str], ...]

    @property
    def ref(self) -> str | None:
        """Its first registered identifier as an org-id: `{scheme}-{id}` (None if none)."""
        return f"{self.identifiers[0][0]}-{self.identifiers[0][1]}" if self.identifiers else None


@dataclass(frozen=True)
class ReportState:
    """A partnership's content at one log position, as one caller sees it."""

    position: int  # the last event counted (the partnership's streams)
    updated: str  # its recorded time, RFC 3339 UTC: the report's only timestamp
    partnership: dict[str, Any]  # the partnerships row, `classifications` parsed
    terms: dict[str, Any] | None  # the terms in force (or the latest version's), parsed
    members: list[dict[str, Any]]  # `roles` parsed
    organisations: dict[str, Org]  # every organisation the state names
    commitments: list[dict[str, Any]]  # rows, plus `dates`: {event type: effective date}
    deliveries: list[dict[str, Any]]
    budget: dict[str, Any]  # `budget_view` of the same rows
    plan: dict[str, Any] | None  # the budget version's content, parsed
    indicators: list[dict[str, Any]]
    indicator_reports: list[dict[str, Any]]
    totals: dict[str, Any]  # `ledger_totals` of the commitments
    dates: dict[str, str]  # partnership event type → its first effective date


def report_state_for(
    conn: Connection,
    t: Tables,
    viewer: Viewer,
    pid: str,
    rows_at: Callable[[str, int], Rows],
    position: int | None = None,
) -> ReportState:
    """The state a report of this partnership shows this caller: live (or as of
    `position`), and never past a former member's exit; 404 for a caller who does not see
    the partnership's content."""
    win = window(conn, t, viewer, pid)
    if not win.content:
        raise NotFoundError(f"no partnership {pid}")
    limit = position
    if win.until is not None:  # a former member: never past its exit (position 0 is a position)
        limit = win.until if position is None else min(win.until, position)
    rows = partnership_rows_from(conn, t, pid) if limit is None else rows_at(pid, limit)
    return report_state(conn, t, rows, limit)


def report_state(conn: Connection, t: Tables, rows: Rows, limit: int | None) -> ReportState:
    head = dict(rows["partnerships"][0])
    head["classifications"] = json.loads(head["classifications"] or "[]")
    pid = head["partnership_id"]
    events = dated_events(conn, t, pid, limit)
    plan = json.loads(rows["budgets"][0]["budget"]) if rows.get("budgets") else None
    commitments = [{**c, "dates": events.get(c["commitment_id"], {})} for c in rows["commitments"]]
    members = [{**m, "roles": json.loads(m["roles"])} for m in rows["members"]]
    named = organisation_ids(members, commitments, plan, head)
    last = last_event(conn, t, pid, limit)
    return ReportState(
        position=last[0],
        updated=last[1],
        partnership=head,
        terms=terms_of(rows["versions"], head),
        members=sorted(members, key=lambda m: m["organisation_id"]),
        organisations=register(conn, t, named),
        commitments=sorted(commitments, key=lambda c: c["commitment_id"]),
        deliveries=sorted(rows["deliveries"], key=lambda d: (d["delivered_on"], d["delivery_id"])),
        budget=budget_view(rows),
        plan=plan,
        indicators=sorted(rows["indicators"], key=lambda i: i["indicator_id"]),
        indicator_reports=sorted(
            rows["indicator_reports"], key=lambda r: (r["indicator_id"], r["period_start"])
        ),
        totals=ledger_totals(rows["commitments"]),
        dates=events.get(pid, {}),
    )


def terms_of(versions: list[dict[str, Any]], head: dict[str, Any]) -> dict[str, Any] | None:
    """The terms in force, else those of the latest version drafted (None before any)."""
    wanted = head["in_force_version"] or max((v["number"] for v in versions), default=None)
    found = [v for v in versions if v["number"] == wanted]
    return json.loads(found[0]["terms"]) if found else None


def organisation_ids(
    members: list[dict[str, Any]],
    commitments: list[dict[str, Any]],
    plan: dict[str, Any] | None,
    head: dict[str, Any],
) -> set[str]:
    ids = {m["organisation_id"] for m in members}
    for c in commitments:
        ids.update((c["organisation_id"], c["recipient"]))
    for s in (plan or {}).get("sources", []):
        if s.get("organisation_id"):
            ids.add(s["organisation_id"])
    if head.get("lead_organisation"):
        ids.add(head["lead_organisation"])
    ids.discard("pool")
    return ids


def register(conn: Connection, t: Tables, ids: Iterable[str]) -> dict[str, Org]:
    o = t.organisations
    wanted = sorted(ids)
    found: dict[str, Org] = {}
    for i in range(0, len(wanted), CHUNK):
        query = select(o).where(o.c.organisation_id.in_(wanted[i : i + CHUNK]))
        for r in conn.execute(query):
            claimed = json.loads(r.identifiers or "[]")
            found[r.organisation_id] = Org(
                organisation_id=r.organisation_id,
                legal_name=r.legal_name,
                org_type=r.org_type,
                sector=r.sector,
                country=r.country,
                nuts=r.nuts,
                identifiers=tuple((x["scheme"], x["id"]) for x in claimed),
            )
    return found


def dated_events(
    conn: Connection, t: Tables, pid: str, limit: int | None
) -> dict[str, dict[str, str]]:
    """Per stream, the first effective date of each event type the reports date by."""
    h = t.history
    kinds = {name for names in DATED.values() for name in names}
    query = (
        select(h.c.stream_id, h.c.event_type, h.c.effective_date)
        .where(h.c.partnership_id == pid, h.c.event_type.in_(sorted(kinds)))
        .order_by(h.c.position)
    )
    if limit is not None:
        query = query.where(h.c.position <= limit)
    found: dict[str, dict[str, str]] = {}
    for r in conn.execute(query):
        found.setdefault(r.stream_id, {}).setdefault(r.event_type, r.effective_date)
    return found


def last_event(conn: Connection, t: Tables, pid: str, limit: int | None) -> tuple[int, str]:
    """The position and recorded time of the partnership's last event counted."""
    h = t.history
    query = select(h.c.position, h.c.recorded_at).where(h.c.partnership_id == pid)
    if limit is not None:
        query = query.where(h.c.position <= limit)
    found = conn.execute(query.order_by(h.c.position.desc()).limit(1)).first()
    if found is None:
        raise NotFoundError(f"no partnership {pid}")
    return int(found.position), str(found.recorded_at)
