"""Explorer pages: the field history of a partnership or a commitment, each tracked field
value by value, with when, by whom and by which event (DESIGN §7).

Read as the JSON API reads it (api/views.py `fields_until`): only the values the person's
window on the partnership reaches.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from api.seen import commitment_window, content_on, read
from api.service import service
from api.views import fields_until
from collab.domain import values as v
from projections.follower import TRACKED_FIELDS
from projections.tables import Tables
from projections.views import field_history
from web import words
from web.frame import page, pages, views_reached
from web.names import chunks, ids_in, names_for

blp = pages("fields")


def recorded_of(positions: set[int]) -> dict[int, dict[str, Any]]:
    """When, by whom, for whom and under which mandate each of these positions was recorded."""
    h = service().read.tables.history

    def when(conn: Connection, _: Tables) -> dict[int, dict[str, Any]]:
        query = select(h.c.position, h.c.recorded_at, h.c.actor, h.c.on_behalf_of, h.c.mandate)
        return {
            r.position: dict(r._mapping)
            for part in chunks(map(str, positions))
            for r in conn.execute(query.where(h.c.position.in_([int(p) for p in part])))
        }

    found: dict[int, dict[str, Any]] = read(when) if positions else {}
    return found


def fields_page(stream_id: str, kind: str, found: dict[str, Any], **heading: Any) -> str:
    """Each tracked field, value by value: when, by whom and by which event."""
    recorded = recorded_of({x["position"] for xs in found.values() for x in xs})
    mentioned = [found, [list(r.values()) for r in recorded.values()], heading]
    names = names_for(ids_in(mentioned))
    order = [f for f in TRACKED_FIELDS.get(kind, ()) if f in found] + sorted(
        set(found) - set(TRACKED_FIELDS.get(kind, ()))
    )
    fields = [
        {
            "name": f,
            "changes": [
                {
                    **x,
                    **recorded.get(x["position"], {}),
                    "words": words.field_value(f, x["value"], names),
                    "who": words.who(recorded.get(x["position"], {}), names),
                }
                for x in found[f]
            ],
        }
        for f in order
    ]
    return page(
        "fields.html", stream_id=stream_id, kind=kind, fields=fields, names=names, **heading
    )


@blp.route("/partnerships/<partnership_id>/fields", methods=["GET"])
def partnership_fields(partnership_id: str) -> str:
    """Each tracked field of the partnership, value by value."""
    views_reached()
    pid = v.identifier(partnership_id, "partnership_id")
    win = content_on(pid)
    found: dict[str, Any] = fields_until(read(lambda conn, t: field_history(conn, t, pid)), win)
    titles = found.get("title") or [{"value": None}]
    return fields_page(pid, "Partnership", found, partnership_id=pid, title=titles[-1]["value"])


@blp.route("/commitments/<commitment_id>/fields", methods=["GET"])
def commitment_fields(commitment_id: str) -> str:
    """Each tracked field of a commitment, value by value."""
    views_reached()
    cid = v.identifier(commitment_id, "commitment_id")
    win = commitment_window(cid)
    found = fields_until(read(lambda conn, t: field_history(conn, t, cid)), win)
    c = service().read.tables.commitments
    query = select(c.c.partnership_id, c.c.organisation_id, c.c.contribution_type)
    row = read(lambda conn, _: conn.execute(query.where(c.c.commitment_id == cid)).one())
    return fields_page(
        cid,
        "Commitment",
        found,
        partnership_id=row.partnership_id,
        organisation_id=row.organisation_id,
        contribution_type=row.contribution_type,
        title=None,
    )
