"""The read models' facts for the visibility rule; `collab.visibility` decides.

Every read — views, histories, lists, ledgers, the inbox, the map, the feed, proofs and
exports — asks `seen()` for the caller's windows. Here are only the queries that gather
what the rule needs (memberships, partnership brokers, mandates, exits placed in the
log); no part of the rule is repeated.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Connection, exists, func, select, true, tuple_

from collab import visibility
from collab.domain.organisation import Mandate
from collab.domain.partnership_rules import CLOSED, STANDING
from collab.visibility import ALL, NONE, Facts, Membership, Ties, Viewer, Window
from projections.tables import Tables

__all__ = ["Seen", "Viewer", "commitment_visible", "seen", "ties", "window"]


@dataclass(frozen=True)
class Seen:
    """The caller's windows: on every partnership everything (admins, auditors granted
    all), or on the partnerships listed (any other is not visible)."""

    everything: bool = False
    windows: dict[str, Window] = field(default_factory=dict)

    def of(self, partnership_id: str) -> Window:
        return ALL if self.everything else self.windows.get(partnership_id, NONE)

    def ids(self, test: Callable[[Window], bool] = lambda w: w.content) -> list[str] | None:
        """The partnerships whose window passes `test`; None: every partnership."""
        if self.everything:
            return None
        return sorted(pid for pid, w in self.windows.items() if test(w))

    def where(
        self, column: ColumnElement[str], test: Callable[[Window], bool] = lambda w: w.content
    ) -> ColumnElement[bool]:
        """A filter on a partnership id column: the partnerships whose window passes."""
        ids = self.ids(test)
        return true() if ids is None else column.in_(ids)


# Fellow members see each other's contacts: active, or leaving (active until the exit).
FELLOWS = ("active", "leaving")


def seen(conn: Connection, t: Tables, viewer: Viewer, among: Collection[str] | None = None) -> Seen:
    """The caller's windows on the partnerships it may see (restricted to `among`)."""
    actor = viewer.actor
    if actor.role == "admin" or (actor.role == "auditor" and viewer.grants is None):
        return Seen(everything=True)
    candidates = _candidates(conn, t, viewer)
    if among is not None:
        candidates &= set(among)
    facts = _facts(conn, t, viewer, candidates)
    windows = {pid: visibility.window(viewer, f) for pid, f in facts.items()}
    return Seen(windows={pid: w for pid, w in windows.items() if w.visible})


def window(conn: Connection, t: Tables, viewer: Viewer, partnership_id: str) -> Window:
    """The caller's window on one partnership (NONE: unknown, or not visible).

    The caller's facts are read first and existence only where they give a window, so an
    unknown id and another's partnership run the same queries (DESIGN §3: the same answer
    and no more detail, in time too)."""
    found = seen(conn, t, viewer, [partnership_id]).of(partnership_id)
    if not found.visible:
        return NONE
    known = conn.execute(
        select(t.partnerships.c.partnership_id).where(
            t.partnerships.c.partnership_id == partnership_id
        )
    ).first()
    return NONE if known is None else found


def commitment_visible(conn: Connection, t: Tables, win: Window, commitment_id: str) -> bool:
    """Whether the commitment is in the window on its partnership (created before a cut)."""

    def existed_at(position: int) -> bool:
        h = t.history
        first = conn.execute(
            select(func.min(h.c.position)).where(h.c.stream_id == commitment_id)
        ).scalar()
        return first is not None and first <= position

    return visibility.sees_commitment(win, existed_at)


def _candidates(conn: Connection, t: Tables, viewer: Viewer) -> set[str]:
    """A superset of the partnerships the caller may see, found through indexes."""
    actor, m = viewer.actor, t.members
    if actor.role == "auditor":
        return set(viewer.grants or ())
    if actor.role == "partner":
        query = select(m.c.partnership_id).where(m.c.organisation_id == actor.organisation_id)
        return set(conn.execute(query).scalars())
    if actor.role == "broker":
        b = t.brokers
        own = set(
            conn.execute(select(b.c.partnership_id).where(b.c.broker_id == actor.id)).scalars()
        )
        # Only live mandates open anything: one for a partnership opens that one, one for
        # all of O's partnerships opens O's (so a partnership the broker does not see is
        # not a candidate, and costs what an unknown id costs).
        live = [m for m in _mandates(conn, t, actor.id) if m.in_force(viewer.today)]
        own |= {mandate.partnership_id for mandate in live if mandate.partnership_id}
        orgs = {mandate.organisation_id for mandate in live if mandate.partnership_id is None}
        if not orgs:
            return own
        query = select(m.c.partnership_id).where(m.c.organisation_id.in_(sorted(orgs)))
        return own | set(conn.execute(query).scalars())
    return set()


def _facts(conn: Connection, t: Tables, viewer: Viewer, pids: set[str]) -> dict[str, Facts]:
    """What the rule needs of each partnership, for this caller, in a few queries."""
    if not pids:
        return {}
    actor, ids = viewer.actor, sorted(pids)
    if actor.role == "auditor":
        return {pid: Facts(pid) for pid in ids}
    brokers: dict[str, set[str]] = {pid: set() for pid in ids}
    mandates: tuple[Mandate, ...] = ()
    orgs: set[str] = set()
    if actor.role == "partner" and actor.organisation_id is not None:
        orgs = {actor.organisation_id}
    if actor.role == "broker":
        b = t.brokers
        query = select(b.c.partnership_id).where(
            b.c.broker_id == actor.id, b.c.partnership_id.in_(ids)
        )
        for pid in conn.execute(query).scalars():
            brokers[pid].add(actor.id)
        mandates = tuple(_mandates(conn, t, actor.id))
        orgs = {mandate.organisation_id for mandate in mandates}
    members = _memberships(conn, t, ids, orgs)
    return {pid: Facts(pid, frozenset(brokers[pid]), members.get(pid, {}), mandates) for pid in ids}


def _mandates(conn: Connection, t: Tables, broker_id: str) -> Iterable[Mandate]:
    d = t.mandates
    for r in conn.execute(select(d).where(d.c.broker_id == broker_id)):
        yield Mandate(
            r.mandate_id, r.organisation_id, r.broker_id, r.partnership_id, r.until, r.revoked
        )


def _memberships(
    conn: Connection, t: Tables, pids: list[str], orgs: set[str]
) -> dict[str, dict[str, Membership]]:
    """These organisations' memberships in these partnerships, exits placed in the log."""
    if not orgs:
        return {}
    m, h = t.members, t.history
    rows = conn.execute(
        select(m.c.partnership_id, m.c.organisation_id, m.c.status, m.c.exit_version).where(
            m.c.partnership_id.in_(pids), m.c.organisation_id.in_(sorted(orgs))
        )
    ).all()
    exits = {(r.partnership_id, r.exit_version) for r in rows if r.exit_version is not None}
    placed: dict[tuple[str, int], int] = {}
    if exits:
        query = select(h.c.stream_id, h.c.stream_version, h.c.position).where(
            tuple_(h.c.stream_id, h.c.stream_version).in_(sorted(exits))
        )
        placed = {(r.stream_id, r.stream_version): r.position for r in conn.execute(query)}
    out: dict[str, dict[str, Membership]] = {}
    for r in rows:
        exit = placed.get((r.partnership_id, r.exit_version))
        out.setdefault(r.partnership_id, {})[r.organisation_id] = Membership(r.status, exit)
    return out


def ties(conn: Connection, t: Tables, viewer: Viewer, organisation_id: str) -> Ties:
    """The caller's ties to organisation O through partnerships, from the views: the open
    partnerships it brokers where O is a member in standing (an invitation O has not
    answered is no tie: a broker cannot reach O's contacts by inviting it), and (a partner)
    an open partnership where its organisation and O are both active members. Mandates are
    read from O itself, where a revocation counts at once (collab.organisations.contacts)."""
    actor, m, p = viewer.actor, t.members, t.partnerships
    open_ = p.c.status.not_in(CLOSED)
    if actor.role == "broker":
        b = t.brokers
        brokered = (
            select(b.c.partnership_id)
            .join(m, m.c.partnership_id == b.c.partnership_id)
            .join(p, p.c.partnership_id == b.c.partnership_id)
            .where(
                b.c.broker_id == actor.id,
                m.c.organisation_id == organisation_id,
                m.c.status.in_(STANDING),
                open_,
            )
        )
        return Ties(brokers_it=bool(conn.execute(select(exists(brokered))).scalar()))
    if actor.role == "partner" and actor.organisation_id is not None:
        own = m.alias("own")
        shared = (
            select(m.c.partnership_id)
            .join(own, own.c.partnership_id == m.c.partnership_id)
            .join(p, p.c.partnership_id == m.c.partnership_id)
            .where(
                own.c.organisation_id == actor.organisation_id,
                own.c.status.in_(FELLOWS),
                m.c.organisation_id == organisation_id,
                m.c.status.in_(FELLOWS),
                open_,
            )
        )
        return Ties(fellow=bool(conn.execute(select(exists(shared))).scalar()))
    return Ties()
