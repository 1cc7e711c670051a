"""Queries for one partnership: the compiled view, histories, per-field versions."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, select

from collab.domain.errors import NotFoundError
from projections.rows import COMMITMENT_TABLES, PARTNERSHIP_TABLES, Rows, assemble
from projections.tables import Tables
from projections.visibility import Viewer, window


def partnership_rows_from(conn: Connection, t: Tables, partnership_id: str) -> Rows:
    rows: Rows = {}
    for name in PARTNERSHIP_TABLES:
        table = getattr(t, name)
        rows[name] = [
            dict(r._mapping)
            for r in conn.execute(select(table).where(table.c.partnership_id == partnership_id))
        ]
    if not rows["partnerships"]:
        raise NotFoundError(f"no partnership {partnership_id}")
    rows["commitments"] = [
        dict(r._mapping)
        for r in conn.execute(
            select(t.commitments).where(t.commitments.c.partnership_id == partnership_id)
        )
    ]
    ids = [c["commitment_id"] for c in rows["commitments"]]
    rows["deliveries"] = (
        [
            dict(r._mapping)
            for r in conn.execute(select(t.deliveries).where(t.deliveries.c.commitment_id.in_(ids)))
        ]
        if ids
        else []
    )
    assert set(rows) == set(PARTNERSHIP_TABLES) | set(COMMITMENT_TABLES)
    return rows


def partnership_view(conn: Connection, t: Tables, partnership_id: str) -> dict[str, Any]:
    """The compiled partnership view (status, members, texts, signatures, commitments …)."""
    return assemble(partnership_rows_from(conn, t, partnership_id))


def history(
    conn: Connection, t: Tables, *, partnership_id: str | None = None, stream_id: str | None = None
) -> list[dict[str, Any]]:
    """Every event of a partnership (all its streams) or of one stream, in log order."""
    h = t.history
    query = select(h).order_by(h.c.position)
    if partnership_id is not None:
        query = query.where(h.c.partnership_id == partnership_id)
    if stream_id is not None:
        query = query.where(h.c.stream_id == stream_id)
    return [{**r._mapping, "data": json.loads(r.data)} for r in conn.execute(query)]


def field_history(conn: Connection, t: Tables, stream_id: str) -> dict[str, list[dict[str, Any]]]:
    """Each tracked field's successive values with the event that set them."""
    f = t.field_history
    out: dict[str, list[dict[str, Any]]] = {}
    for r in conn.execute(
        select(f).where(f.c.stream_id == stream_id).order_by(f.c.field, f.c.position)
    ):
        out.setdefault(r.field, []).append(
            {
                "value": json.loads(r.value),
                "position": r.position,
                "stream_version": r.stream_version,
                "event_type": r.event_type,
            }
        )
    return out


def view_for(
    conn: Connection,
    t: Tables,
    viewer: Viewer,
    partnership_id: str,
    as_of: Callable[[str, int], dict[str, Any]],
) -> dict[str, Any]:
    """The partnership as this caller may see it (DESIGN §3), or NotFoundError.

    A former member sees the partnership as it was when it left; an invited or declined
    organisation (or a broker under its mandate) sees its invitation only.
    """
    win = window(conn, t, viewer, partnership_id)
    if not win.visible:
        raise NotFoundError(f"no partnership {partnership_id}")
    if win.current:
        return partnership_view(conn, t, partnership_id)
    if win.content:
        assert win.until is not None
        return as_of(partnership_id, win.until)
    p, m = t.partnerships, t.members
    head = conn.execute(select(p).where(p.c.partnership_id == partnership_id)).one()
    invited = conn.execute(
        select(m)
        .where(
            m.c.partnership_id == partnership_id,
            m.c.organisation_id.in_(sorted(win.invitations)),
        )
        .order_by(m.c.organisation_id)
    ).all()
    invitations = [
        {k: v for k, v in r._mapping.items() if k not in ("partnership_id", "exit_version")}
        for r in invited
    ]
    view: dict[str, Any] = {
        "partnership_id": partnership_id,
        "title": head.title,
        "need_statement": head.need_statement,
    }
    if len(invitations) == 1:
        view["invitation"] = invitations[0]
    else:  # a broker under mandates of several invited organisations
        view["invitations"] = invitations
    return view
