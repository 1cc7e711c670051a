"""The collaboration map: which sectors and organisations collaborate, where, with what.

Aggregates (counts and totals) are visible to every authenticated caller; named detail
only for the partnerships the caller may see (DESIGN §3).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from itertools import combinations
from typing import Any

from sqlalchemy import Connection, select

from collab.domain.partnership_rules import DEPARTED, STANDING
from projections.rows import dec
from projections.tables import Tables
from projections.visibility import Viewer
from projections.visibility import seen as seen_by

ONGOING = ("withdrawn", "released")


def collaboration_map(conn: Connection, t: Tables, viewer: Viewer) -> dict[str, Any]:
    """Named detail only where the caller sees the partnership as it is now: a former
    member's window ends at its exit, and the map shows the present."""
    visible = seen_by(conn, t, viewer)
    p, m, o = t.partnerships, t.members, t.organisations
    query = select(p.c.partnership_id).where(visible.where(p.c.partnership_id, lambda w: w.current))
    seen = set(conn.execute(query).scalars())
    places = {
        r.partnership_id: (r.country, r.nuts)
        for r in conn.execute(select(p).where(p.c.status != "cancelled"))
    }
    names = dict(conn.execute(select(o.c.organisation_id, o.c.legal_name)).tuples().all())
    members: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in conn.execute(
        select(m).where(m.c.status.in_((*STANDING, *DEPARTED))).order_by(m.c.organisation_id)
    ):
        if r.partnership_id in places:
            members[r.partnership_id].append((r.organisation_id, r.sector))
    pairs: dict[tuple[str, str, str, str | None], set[str]] = defaultdict(set)
    detail = []
    for pid, orgs in sorted(members.items()):
        country, nuts = places[pid]
        for (a, sa), (b, sb) in combinations(orgs, 2):
            sectors = tuple(sorted((sa, sb)))
            pairs[(sectors[0], sectors[1], country, nuts)].add(pid)
            if pid in seen:
                detail.append(
                    {
                        "partnership_id": pid,
                        "organisations": [
                            {"organisation_id": a, "legal_name": names.get(a), "sector": sa},
                            {"organisation_id": b, "legal_name": names.get(b), "sector": sb},
                        ],
                    }
                )
    return {
        "sector_pairs": [
            {"sectors": [s1, s2], "country": country, "nuts": nuts, "partnerships": len(ids)}
            for (s1, s2, country, nuts), ids in sorted(pairs.items(), key=lambda kv: str(kv[0]))
        ],
        "commitments_by_sector": commitments_by_sector(conn, t),
        "transfers": transfers(conn, t, seen),
        "organisation_pairs": detail,
    }


def commitments_by_sector(conn: Connection, t: Tables) -> list[dict[str, Any]]:
    c, m = t.commitments, t.members
    sums: dict[tuple[str, str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    query = select(c, m.c.sector).join(
        m, (m.c.partnership_id == c.c.partnership_id) & (m.c.organisation_id == c.c.organisation_id)
    )
    for r in conn.execute(query):
        if r.status in ONGOING:
            continue
        row = sums[(r.sector, r.contribution_type, r.unit)]
        row[0] += Decimal(r.quantity)
        row[1] += Decimal(r.confirmed)
    return [
        {
            "sector": s,
            "contribution_type": k,
            "unit": u,
            "committed": dec(v[0]),
            "confirmed": dec(v[1]),
        }
        for (s, k, u), v in sorted(sums.items())
    ]


def transfers(conn: Connection, t: Tables, seen: set[str]) -> list[dict[str, Any]]:
    """Practices transferred between territories; the partnerships named where visible."""
    p, r = t.partnerships, t.related
    rows = conn.execute(
        select(r, p.c.country.label("from_country"), p.c.nuts.label("from_nuts"))
        .join(p, p.c.partnership_id == r.c.partnership_id)
        .where(r.c.relation == "replicated_by")
        .order_by(r.c.partnership_id, r.c.seq)
    )
    out = []
    for row in rows:
        item: dict[str, Any] = {
            "from": {"country": row.from_country, "nuts": row.from_nuts},
            "to": {"country": row.country, "nuts": row.nuts},
        }
        if row.partnership_id in seen:
            item["source_partnership_id"] = row.partnership_id
        if row.related_id in seen:
            item["new_partnership_id"] = row.related_id
        out.append(item)
    return out
