"""Lists and the inbox, filtered by visibility (the ledger: projections/ledger.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, select

from projections.tables import Tables
from projections.visibility import Seen, Viewer
from projections.visibility import seen as visible

LIMIT_MAX = 500


AtCut = Callable[[str, int], dict[str, Any]]  # (partnership id, cut) -> the view at the cut


def list_partnerships(
    conn: Connection,
    t: Tables,
    viewer: Viewer,
    at_cut: AtCut,
    *,
    country: str | None = None,
    nuts: str | None = None,
    status: str | None = None,
    partnership_type: str | None = None,
    classification: tuple[str, str] | None = None,
    after: str = "",
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Visible partnerships by territory, status, type and classification, in id order;
    one a former member sees is listed (and filtered) as it was at its exit."""
    seen = visible(conn, t, viewer)
    p = t.partnerships
    limit = min(limit, LIMIT_MAX)
    query = (
        select(p)
        .where(seen.where(p.c.partnership_id, lambda w: w.current), p.c.partnership_id > after)
        .order_by(p.c.partnership_id)
    )
    for column, value in (
        ("country", country),
        ("status", status),
        ("partnership_type", partnership_type),
    ):
        if value is not None:
            query = query.where(p.c[column] == value)
    if nuts is not None:
        query = query.where(p.c.nuts.startswith(nuts, autoescape=True))
    rows = [dict(r._mapping) for r in conn.execute(query)]
    rows += [
        r
        for r in cut_rows(seen, at_cut, after)
        if matches(r, country, nuts, status, partnership_type)
    ]
    found = []
    for row in sorted(rows, key=lambda r: str(r["partnership_id"])):
        codes = {(c["vocabulary"], c["code"]) for c in json.loads(row["classifications"])}
        if classification is None or classification in codes:
            found.append(summary(row))
        if len(found) >= limit:
            break
    return found


def cut_rows(seen: Seen, at_cut: AtCut, after: str = "") -> list[dict[str, Any]]:
    """The partnerships seen through a cut, as partnership rows at the cut."""
    out = []
    for pid in seen.ids(lambda w: w.content and not w.current) or ():
        if pid > after:
            view = at_cut(pid, seen.of(pid).until or 0)
            out.append({**view, "classifications": json.dumps(view["classifications"])})
    return out


def matches(
    row: dict[str, Any],
    country: str | None,
    nuts: str | None,
    status: str | None,
    partnership_type: str | None,
) -> bool:
    wanted = {"country": country, "status": status, "partnership_type": partnership_type}
    if any(value is not None and row[k] != value for k, value in wanted.items()):
        return False
    return nuts is None or str(row["nuts"] or "").startswith(nuts)


def summary(row: Any) -> dict[str, Any]:
    keys = ("partnership_id", "title", "status", "partnership_type", "country", "nuts", "lau")
    return {k: row[k] for k in keys}


def list_organisations(
    conn: Connection,
    t: Tables,
    *,
    sector: str | None = None,
    org_type: int | None = None,
    country: str | None = None,
    nuts: str | None = None,
    after: str = "",
    limit: int = 100,
) -> list[dict[str, Any]]:
    """The register is visible to every authenticated caller."""
    o = t.organisations
    query = select(o).where(o.c.organisation_id > after).order_by(o.c.organisation_id)
    for column, value in (("sector", sector), ("org_type", org_type), ("country", country)):
        if value is not None:
            query = query.where(o.c[column] == value)
    if nuts is not None:
        query = query.where(o.c.nuts.startswith(nuts, autoescape=True))
    rows = conn.execute(query.limit(min(limit, LIMIT_MAX)))
    return [{**r._mapping, "identifiers": json.loads(r.identifiers)} for r in rows]


def organisation_partnerships(
    conn: Connection, t: Tables, viewer: Viewer, at_cut: AtCut, organisation_id: str
) -> list[dict[str, Any]]:
    """The partnerships an organisation is or was in, as far as the viewer may see them
    (through a cut: the partnership and the membership as they were at the cut)."""
    seen = visible(conn, t, viewer)
    p, m = t.partnerships, t.members
    query = (
        select(p, m.c.status.label("membership_status"), m.c.roles)
        .join(m, m.c.partnership_id == p.c.partnership_id)
        .where(
            m.c.organisation_id == organisation_id,
            seen.where(p.c.partnership_id, lambda w: w.current),
        )
    )
    found = [
        {
            **summary(r._mapping),
            "membership_status": r.membership_status,
            "roles": json.loads(r.roles),
        }
        for r in conn.execute(query)
    ]
    for row in cut_rows(seen, at_cut):
        for member in row["members"]:
            if member["organisation_id"] == organisation_id:
                found.append(
                    {
                        **summary(row),
                        "membership_status": member["status"],
                        "roles": member["roles"],
                    }
                )
    return sorted(found, key=lambda r: str(r["partnership_id"]))


def inbox(
    conn: Connection, t: Tables, viewer: Viewer, organisation_id: str
) -> dict[str, list[dict[str, Any]]]:
    """What awaits this organisation's action, across its partnerships, as far as the
    viewer sees them: an invitation where it sees the invitation, anything else where it
    sees the partnership as it is now (not through a cut)."""
    box = awaiting(conn, t, organisation_id)
    seen = visible(conn, t, viewer)
    return {
        kind: [
            i
            for i in items
            if (
                seen.of(i["partnership_id"]).sees_invitation(organisation_id)
                if kind == "invitations"
                else seen.of(i["partnership_id"]).current
            )
        ]
        for kind, items in box.items()
    }


def awaiting(conn: Connection, t: Tables, organisation_id: str) -> dict[str, list[dict[str, Any]]]:
    """What awaits this organisation's action, across its partnerships."""
    p, m, s, c, d = t.partnerships, t.members, t.signatures, t.commitments, t.deliveries
    mine = conn.execute(
        select(p, m.c.status.label("member_status"), m.c.signatory, m.c.needs_accession)
        .join(m, m.c.partnership_id == p.c.partnership_id)
        .where(m.c.organisation_id == organisation_id)
        .order_by(p.c.partnership_id)
    ).all()
    signed = {
        (r.partnership_id, r.text_hash)
        for r in conn.execute(select(s).where(s.c.organisation_id == organisation_id))
    }
    out: dict[str, list[dict[str, Any]]] = {
        "invitations": [],
        "to_sign": [],
        "deliveries_to_confirm": [],
        "deliveries_to_correct": [],
        "revisions_to_answer": [],
    }
    for r in mine:
        if r.member_status == "invited":
            out["invitations"].append(summary(r._mapping))
        elif r.member_status in ("active", "leaving") and r.signatory:  # leaving: still signs
            if r.needs_accession and (r.partnership_id, r.in_force_hash) not in signed:
                out["to_sign"].append(
                    {**summary(r._mapping), "kind": "accession", "text_hash": r.in_force_hash}
                )
            elif (
                not r.needs_accession
                and r.pending_hash
                and r.status in ("awaiting_signatures", "in_modification")
                and (r.partnership_id, r.pending_hash) not in signed
            ):
                kind = "amendment" if r.status == "in_modification" else "agreement"
                out["to_sign"].append(
                    {
                        **summary(r._mapping),
                        "kind": kind,
                        "text_hash": r.pending_hash,
                        "agreement_version": r.pending_version,
                    }
                )
    leads = {r.partnership_id for r in mine if r.lead_organisation == organisation_id}
    pending = conn.execute(
        select(d, c.c.partnership_id, c.c.organisation_id, c.c.recipient, c.c.unit)
        .join(c, c.c.commitment_id == d.c.commitment_id)
        .where(d.c.status.in_(("reported", "disputed")) | d.c.correction.is_not(None))
        .order_by(d.c.commitment_id, d.c.delivery_id)
    )
    for r in pending:
        item = {
            k: r._mapping[k]
            for k in (
                "commitment_id",
                "delivery_id",
                "partnership_id",
                "quantity",
                "unit",
                "delivered_on",
                "status",
            )
        }
        item["corrected_quantity"] = None
        confirmer = r.recipient == organisation_id or (
            r.recipient == "pool" and r.partnership_id in leads
        )
        if r.correction is not None:  # a confirmed delivery's correction (invariant 6)
            correction = json.loads(r.correction)
            if confirmer and correction["status"] == "proposed":
                proposed = {"status": "correction", "corrected_quantity": correction["quantity"]}
                out["deliveries_to_confirm"].append({**item, **proposed})
        elif r.status == "reported" and confirmer:
            out["deliveries_to_confirm"].append(item)
        elif r.status == "disputed" and r.organisation_id == organisation_id:
            out["deliveries_to_correct"].append(item)
    out["revisions_to_answer"] = revisions_for(conn, t, organisation_id, leads)
    return out


def revisions_for(
    conn: Connection, t: Tables, organisation_id: str, leads: set[str]
) -> list[dict[str, Any]]:
    """Revisions of commitments this organisation receives (for the pool: leads) that
    await its consent (invariant 6)."""
    c = t.commitments
    found = []
    for r in conn.execute(select(c).where(c.c.revision.is_not(None)).order_by(c.c.commitment_id)):
        if r.recipient == organisation_id or (r.recipient == "pool" and r.partnership_id in leads):
            revision = json.loads(r.revision)
            period = revision.get("period") or {}
            found.append(
                {
                    "commitment_id": r.commitment_id,
                    "partnership_id": r.partnership_id,
                    "organisation_id": r.organisation_id,
                    "revision_id": revision["revision_id"],
                    "unit": r.unit,
                    "quantity": r.quantity,
                    "proposed_quantity": revision.get("quantity"),
                    "proposed_start": period.get("start"),
                    "proposed_end": period.get("end"),
                }
            )
    return found
