"""Queries for one partnership: the compiled view, histories, per-field versions, and the
register's names of the organisations they mention."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, select

from collab.domain.errors import NotFoundError
from projections.rows import COMMITMENT_TABLES, PARTNERSHIP_TABLES, Rows, assemble
from projections.series import series_rows
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
    indicators = [i["indicator_id"] for i in rows["indicators"]]
    rows["indicator_reports"] = series_rows(conn, t, partnership_id, indicators)
    assert set(rows) == {*PARTNERSHIP_TABLES, *COMMITMENT_TABLES, "indicator_reports"}
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


# -- names beside ids: the register is public to every caller (DESIGN §3) ------------------

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
CHUNK = 500  # ids per IN list: far below every database's limit on parameters
# Where a view names an organisation: the id's key, and the key of the name set beside it.
NAMED = {"organisation_id": "organisation_name", "recipient": "recipient_name"}


def legal_names(conn: Connection, t: Tables, ids: Iterable[str]) -> dict[str, str]:
    """The register's current legal names of those ids that are organisations: one query
    (one per `CHUNK` ids), never one per row."""
    wanted = sorted(set(ids))
    o = t.organisations
    query = select(o.c.organisation_id, o.c.legal_name)
    return {
        r.organisation_id: r.legal_name
        for part in (wanted[i : i + CHUNK] for i in range(0, len(wanted), CHUNK))
        for r in conn.execute(query.where(o.c.organisation_id.in_(part)))
    }


def ids_in(
    value: Any, found: set[str] | None = None, also: frozenset[str] = frozenset()
) -> set[str]:
    """Every UUID in a JSON value, as a key or a value (a candidate organisation id), and
    any of the strings in `also`."""
    found = set() if found is None else found
    if isinstance(value, str):
        if UUID_RE.fullmatch(value) or value in also:
            found.add(value)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            ids_in(key, found, also)
            ids_in(item, found, also)
    elif isinstance(value, list | tuple):
        for item in value:
            ids_in(item, found, also)
    return found


def beside(row: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    """The row with each organisation's name right after its id (None for the pool, or
    an id the register does not hold); the row's order is kept."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        out[key] = value
        if key in NAMED:
            out[NAMED[key]] = None if value is None else names.get(value)
    return out


def named_view(conn: Connection, t: Tables, view: Mapping[str, Any]) -> dict[str, Any]:
    """A partnership view (live, as of, or an invitation) with the register's legal name
    beside every organisation id: the lead's, each member's, each commitment's maker and
    recipient, each signer's, each decision's subject, an invitation's. The names are the
    register's current ones, also in a view as of an earlier position: register data,
    public to every caller, not part of the partnership's record."""
    rows = [
        *view.get("members", []),
        *(c for m in view.get("members", []) for c in m["commitments"]),
        *view.get("signatures", []),
        *view.get("decisions", []),
        *([view["invitation"]] if "invitation" in view else []),
        *view.get("invitations", []),
    ]
    ids = {r[k] for r in rows for k in NAMED if r.get(k)} | {view.get("lead_organisation")}
    names = legal_names(conn, t, (i for i in ids if i and i != "pool"))
    out: dict[str, Any] = {}
    for key, value in view.items():
        if key == "members":
            value = [
                {**beside(m, names), "commitments": [beside(c, names) for c in m["commitments"]]}
                for m in value
            ]
        elif key in ("signatures", "decisions", "invitations"):
            value = [beside(x, names) for x in value]
        elif key == "invitation":
            value = beside(value, names)
        out[key] = value
        if key == "lead_organisation":
            out["lead_organisation_name"] = None if value is None else names.get(value)
    return out


def entry_names(conn: Connection, t: Tables, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """History entries, each with `names`: the legal name of every organisation its data
    and envelope mention (on behalf of, member, signer, recipient, voter …), from one
    query for the whole list."""
    mentioned = [ids_in([e["on_behalf_of"], e["data"]]) for e in entries]
    names = legal_names(conn, t, set().union(*mentioned))
    return [
        {**e, "names": {i: names[i] for i in sorted(ids) if i in names}}
        for e, ids in zip(entries, mentioned, strict=True)
    ]
