"""An organisation's books: the commitments it made and those it receives, with totals,
as far as the caller sees the partnerships they are in."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, select

from collab.domain import commitment_rules as rules
from projections.queries import AtCut, cut_rows
from projections.rows import commitment_view, dec
from projections.tables import Tables
from projections.views import beside, legal_names
from projections.visibility import Seen, Viewer
from projections.visibility import seen as visible

QUANTITIES = ("quantity", "delivered", "confirmed")


def ledger(
    conn: Connection, t: Tables, viewer: Viewer, at_cut: AtCut, organisation_id: str
) -> dict[str, Any]:
    """The organisation's books across the partnerships the viewer sees: the commitments it
    made and those it receives, each list with its totals; through a cut, the commitments
    that existed at the cut, in their state then. It receives a commitment whose recipient
    it is; a commitment to the pool is received by the partnership, not by an organisation
    (not even its lead, who only confirms its deliveries), so it is no one's received one.
    Every commitment carries its maker's and its recipient's registered names."""
    seen = visible(conn, t, viewer)
    books = with_deliveries(conn, t, current_books(conn, t, seen, organisation_id))
    for view in cut_rows(seen, at_cut):
        books += [x for member in view["members"] for x in member["commitments"]]
    books = [x for x in books if organisation_id in (x["organisation_id"], x["recipient"])]
    parties = {x[k] for x in books for k in ("organisation_id", "recipient")} - {"pool"}
    names = legal_names(conn, t, parties)
    books = sorted(
        (beside(x, names) for x in books),
        key=lambda x: (str(x["partnership_id"]), str(x["commitment_id"])),
    )
    own = [x for x in books if x["organisation_id"] == organisation_id]
    theirs = [x for x in books if x["recipient"] == organisation_id]
    return {
        "organisation_id": organisation_id,
        "commitments": own,
        **ledger_totals(own),
        "received": theirs,
        "received_totals": ledger_totals(theirs),
    }


def current_books(conn: Connection, t: Tables, seen: Seen, organisation_id: str) -> list[Any]:
    """The commitment rows the organisation made or receives in the partnerships seen as
    they are now."""
    c, m, p = t.commitments, t.members, t.partnerships
    now = seen.where(p.c.partnership_id, lambda w: w.current)
    made = select(c).join(p, p.c.partnership_id == c.c.partnership_id)
    made = made.where(c.c.organisation_id == organisation_id, now)
    # A recipient is a member of the commitment's partnership: found through the members'
    # index and the commitments' partnership index, never a scan of every commitment.
    member = and_(m.c.partnership_id == p.c.partnership_id, m.c.organisation_id == c.c.recipient)
    received = (
        select(c)
        .join(p, p.c.partnership_id == c.c.partnership_id)
        .join(m, member)
        .where(m.c.organisation_id == organisation_id, c.c.recipient == organisation_id, now)
    )
    return [*conn.execute(made), *conn.execute(received)]


def with_deliveries(conn: Connection, t: Tables, rows: list[Any]) -> list[dict[str, Any]]:
    """Commitment rows with their deliveries, in one query."""
    d, ids = t.deliveries, [r.commitment_id for r in rows]
    deliveries: dict[str, list[dict[str, Any]]] = {}
    if ids:
        for r in conn.execute(
            select(d).where(d.c.commitment_id.in_(ids)).order_by(d.c.delivery_id)
        ):
            deliveries.setdefault(r.commitment_id, []).append(dict(r._mapping))
    return [commitment_view(dict(r._mapping), deliveries.get(r.commitment_id, [])) for r in rows]


def ledger_totals(commitments: list[dict[str, Any]]) -> dict[str, Any]:
    """Quantities per unit, and per contribution type and unit; valuations per currency,
    overall and per contribution type and unit (no exchange rates); fulfilment ratios.
    Withdrawn and released commitments count for nothing."""
    counted = [c for c in commitments if c["status"] not in ("withdrawn", "released")]
    by_unit = grouped(counted, lambda c: (c["unit"],))
    by_type = grouped(counted, lambda c: (c["contribution_type"], c["unit"]))
    return {
        "totals_by_unit": [{"unit": k[0], **quantities(xs)} for k, xs in by_unit.items()],
        "valuation_by_currency": valuations(counted),
        "totals_by_type": [
            {
                "contribution_type": k[0],
                "unit": k[1],
                **quantities(xs),
                "valuation_by_currency": valuations(xs),
            }
            for k, xs in by_type.items()
        ],
    }


Group = Callable[[dict[str, Any]], tuple[str, ...]]


def grouped(commitments: list[dict[str, Any]], key: Group) -> dict[tuple[str, ...], list[Any]]:
    out: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for c in commitments:
        out.setdefault(key(c), []).append(c)
    return dict(sorted(out.items()))


def quantities(commitments: list[dict[str, Any]]) -> dict[str, str | None]:
    """Committed, delivered (reported, not refused) and confirmed; the fulfilment ratio
    counts each commitment's confirmed deliveries up to its quantity (at most 100%), and
    what lies beyond is the surplus, shown beside it (invariant 6)."""
    s = [sum((Decimal(c[n]) for c in commitments), Decimal(0)) for n in QUANTITIES]
    pairs = [(Decimal(c["confirmed"]), Decimal(c["quantity"])) for c in commitments]
    counted = sum((rules.counted(done, due) for done, due in pairs), Decimal(0))
    surplus = sum((rules.surplus(done, due) for done, due in pairs), Decimal(0))
    ratio = (counted / s[0]).quantize(Decimal("0.0001")) if s[0] else None
    return {
        "committed": dec(s[0]),
        "delivered": dec(s[1]),
        "confirmed": dec(s[2]),
        "fulfilment_ratio": dec(ratio),
        "surplus": dec(surplus),
    }


def valuations(commitments: list[dict[str, Any]]) -> list[dict[str, str | None]]:
    """The valued commitments' amounts, summed per currency."""
    money: dict[str, Decimal] = {}
    for c in commitments:
        if c["valuation_amount"] is not None:
            currency = c["valuation_currency"]
            money[currency] = money.get(currency, Decimal(0)) + Decimal(c["valuation_amount"])
    return [{"currency": k, "amount": dec(v)} for k, v in sorted(money.items())]
