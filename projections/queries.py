"""Lists, the commitment ledger, the inbox and the collaboration map, filtered by visibility."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from projections.rows import dec
from projections.tables import Tables
from projections.visibility import Viewer, visible

LIMIT_MAX = 500


def list_partnerships(
    conn: Connection,
    t: Tables,
    viewer: Viewer,
    *,
    country: str | None = None,
    nuts: str | None = None,
    status: str | None = None,
    partnership_type: str | None = None,
    classification: tuple[str, str] | None = None,
    after: str = "",
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Visible partnerships by territory, status, type and classification, in id order."""
    p = t.partnerships
    query = (
        select(p).where(visible(t, viewer), p.c.partnership_id > after).order_by(p.c.partnership_id)
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
    found = []
    for row in conn.execute(query):
        codes = {(c["vocabulary"], c["code"]) for c in json.loads(row.classifications)}
        if classification is None or classification in codes:
            found.append(summary(row._mapping))
        if len(found) >= min(limit, LIMIT_MAX):
            break
    return found


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
    conn: Connection, t: Tables, viewer: Viewer, organisation_id: str
) -> list[dict[str, Any]]:
    """The partnerships an organisation is or was in, as far as the viewer may see them."""
    p, m = t.partnerships, t.members
    query = (
        select(p, m.c.status.label("membership_status"), m.c.roles)
        .join(m, m.c.partnership_id == p.c.partnership_id)
        .where(m.c.organisation_id == organisation_id, visible(t, viewer))
        .order_by(p.c.partnership_id)
    )
    return [
        {
            **summary(r._mapping),
            "membership_status": r.membership_status,
            "roles": json.loads(r.roles),
        }
        for r in conn.execute(query)
    ]


def ledger(conn: Connection, t: Tables, viewer: Viewer, organisation_id: str) -> dict[str, Any]:
    """All the organisation's commitments across visible partnerships, with totals."""
    c, d, p = t.commitments, t.deliveries, t.partnerships
    rows = conn.execute(
        select(c)
        .join(p, p.c.partnership_id == c.c.partnership_id)
        .where(c.c.organisation_id == organisation_id, visible(t, viewer))
        .order_by(c.c.partnership_id, c.c.commitment_id)
    ).all()
    ids = [r.commitment_id for r in rows]
    deliveries: dict[str, list[dict[str, Any]]] = {}
    if ids:
        for r in conn.execute(
            select(d).where(d.c.commitment_id.in_(ids)).order_by(d.c.delivery_id)
        ):
            deliveries.setdefault(r.commitment_id, []).append(dict(r._mapping))
    commitments = [{**r._mapping, "deliveries": deliveries.get(r.commitment_id, [])} for r in rows]
    return {
        "organisation_id": organisation_id,
        "commitments": commitments,
        **ledger_totals(commitments),
    }


def ledger_totals(commitments: list[dict[str, Any]]) -> dict[str, Any]:
    """Quantities per unit and valuations per currency (no exchange rates); fulfilment ratio."""
    units: dict[str, list[Decimal]] = {}
    money: dict[str, Decimal] = {}
    for c in commitments:
        if c["status"] in ("withdrawn", "released"):
            continue
        row = units.setdefault(c["unit"], [Decimal(0)] * 3)
        for i, name in enumerate(("quantity", "delivered", "confirmed")):
            row[i] += Decimal(c[name])
        if c["valuation_amount"] is not None:
            money[c["valuation_currency"]] = money.get(
                c["valuation_currency"], Decimal(0)
            ) + Decimal(c["valuation_amount"])
    return {
        "totals_by_unit": [
            {
                "unit": u,
                "committed": dec(s[0]),
                "delivered": dec(s[1]),
                "confirmed": dec(s[2]),
                "fulfilment_ratio": dec((s[2] / s[0]).quantize(Decimal("0.0001")))
                if s[0]
                else None,
            }
            for u, s in sorted(units.items())
        ],
        "valuation_by_currency": [
            {"currency": k, "amount": dec(v)} for k, v in sorted(money.items())
        ],
    }


def inbox(conn: Connection, t: Tables, organisation_id: str) -> dict[str, list[dict[str, Any]]]:
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
    }
    for r in mine:
        if r.member_status == "invited":
            out["invitations"].append(summary(r._mapping))
        elif r.member_status == "active" and r.signatory:
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
        .where(d.c.status.in_(("reported", "disputed")))
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
        confirmer = r.recipient == organisation_id or (
            r.recipient == "pool" and r.partnership_id in leads
        )
        if r.status == "reported" and confirmer:
            out["deliveries_to_confirm"].append(item)
        elif r.status == "disputed" and r.organisation_id == organisation_id:
            out["deliveries_to_correct"].append(item)
    return out
