"""A partner's home: what awaits its organisation, its notices and deadlines, its books
(the commitments it made and those made to it).

Everything is read as the API reads it for this person (`inbox`, `ledger`,
`organisation_partnerships`), so a partnership the person may not see is never named.
Notices come from the same views, in the partnerships the person sees as they are now.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, select

from api.seen import read, viewer
from api.service import service
from api.views import at_cut
from collab.domain.commitment import OPEN
from collab.visibility import Viewer
from projections.ledger import ledger
from projections.queries import inbox, organisation_partnerships
from projections.tables import Tables
from projections.views import legal_names
from projections.visibility import seen

SOON = timedelta(days=30)  # a deadline this close is a notice; a date this recent too


@dataclass(frozen=True)
class Notice:
    """A date to know about: `kind` says what happens on it, `subject` is the recorded name
    or title it is about (a commitment's contribution type), `detail` a code the page says
    in words (a commitment's status, a mandate's scope: "one" or "all" partnerships),
    `amount` a commitment's quantity and unit."""

    when: str
    kind: str  # commitment_ends/ended, member_leaves/left, mandate_ends/ended, milestone_*
    partnership_id: str | None
    subject: str
    detail: str = ""
    amount: tuple[str, str] = ("", "")


@dataclass(frozen=True)
class Days:
    """Today, and the edges of "soon" and "recent" as ISO dates (stored dates compare as
    text)."""

    today: str
    soon: str
    recent: str

    @classmethod
    def around(cls, day: date) -> Days:
        return cls(day.isoformat(), (day + SOON).isoformat(), (day - SOON).isoformat())

    def kind(self, when: str, ahead: str, past: str) -> str:
        return ahead if when >= self.today else past


def partner_home(org_id: str) -> dict[str, Any]:
    """The partner home's context: the inbox, notices, commitments (made and received)
    and partnerships."""
    who, days = viewer(), Days.around(service().now().date())

    def gather(conn: Connection, t: Tables) -> dict[str, Any]:
        books = ledger(conn, t, who, at_cut, org_id)
        found = notices(conn, t, who, org_id, books["commitments"], days)
        box = inbox(conn, t, who, org_id)
        members = [n.subject for n in found if n.kind.startswith("member_")]
        askers = [r["organisation_id"] for r in box["revisions_to_answer"]]
        names = legal_names(conn, t, [org_id, *members, *askers])
        return {
            "box": box,
            "ledger": books,
            "memberships": organisation_partnerships(conn, t, who, at_cut, org_id),
            "notices": found,
            "names": names,
        }

    context = read(gather)
    context["notices"] = [broker_named(n) for n in context["notices"]]
    context["titles"] = {p["partnership_id"]: p["title"] for p in context["memberships"]}
    context["org_name"] = context["names"].get(org_id, org_id)
    return context


def notices(
    conn: Connection,
    t: Tables,
    who: Viewer,
    org_id: str,
    commitments: list[dict[str, Any]],
    days: Days,
) -> list[Notice]:
    """Deadlines and dates, soonest first."""
    found = [
        *commitment_notices(commitments, days),
        *exits_and_milestones(conn, t, who, days),
        *mandate_notices(conn, t, org_id, days),
    ]
    return sorted(found, key=lambda n: (n.when, n.kind, n.subject))


def commitment_notices(commitments: list[dict[str, Any]], days: Days) -> list[Notice]:
    """Open commitments whose period ends soon, or has ended while not fulfilled."""
    out = []
    for c in commitments:
        end = c.get("period_end")
        if c["status"] in OPEN and end and end <= days.soon:
            kind = days.kind(end, "commitment_ends", "commitment_ended")
            what, amount = c["contribution_type"], (str(c["quantity"]), c["unit"])
            out.append(Notice(end, kind, c["partnership_id"], what, c["status"], amount))
    return out


def exits_and_milestones(conn: Connection, t: Tables, who: Viewer, days: Days) -> list[Notice]:
    """Members leaving (or recently gone) and planned milestones due soon or overdue, in the
    partnerships the person sees as they are now."""
    current = seen(conn, t, who)
    m, ms = t.members, t.milestones
    exits = conn.execute(
        select(m.c.partnership_id, m.c.organisation_id, m.c.exit_date, m.c.status).where(
            current.where(m.c.partnership_id, lambda w: w.current),
            m.c.exit_date.is_not(None),
            m.c.exit_date >= days.recent,
        )
    )
    out = [
        Notice(
            r.exit_date,
            # Leaving until the processor records the exit, even past the date (invariant 8)
            "member_leaves"
            if r.status == "leaving"
            else days.kind(r.exit_date, "member_leaves", "member_left"),
            r.partnership_id,
            r.organisation_id,  # shown by its legal name
        )
        for r in exits
    ]
    due = conn.execute(
        select(ms.c.partnership_id, ms.c.title, ms.c.due_date).where(
            current.where(ms.c.partnership_id, lambda w: w.current),
            ms.c.status == "planned",
            ms.c.due_date <= days.soon,
        )
    )
    out += [
        Notice(
            r.due_date,
            days.kind(r.due_date, "milestone_due", "milestone_overdue"),
            r.partnership_id,
            r.title,
        )
        for r in due
    ]
    return out


def mandate_notices(conn: Connection, t: Tables, org_id: str, days: Days) -> list[Notice]:
    """The organisation's own mandates that end soon or ended lately (not revoked)."""
    d = t.mandates
    rows = conn.execute(
        select(d).where(
            d.c.organisation_id == org_id,
            d.c.revoked.is_not(True),
            d.c.until.is_not(None),
            d.c.until >= days.recent,
            d.c.until <= days.soon,
        )
    ).all()
    return [
        Notice(
            r.until,
            days.kind(r.until, "mandate_ends", "mandate_ended"),
            r.partnership_id,
            r.broker_id,  # shown by the broker's display name (broker_named)
            "one" if r.partnership_id else "all",
        )
        for r in rows
    ]


def broker_named(notice: Notice) -> Notice:
    """A mandate's notice names its broker by display name (an erasable table, read
    outside the views' connection); others are left as they are."""
    if not notice.kind.startswith("mandate_"):
        return notice
    name = service().credentials.name_of(notice.subject)
    return replace(notice, subject=name or notice.subject)
