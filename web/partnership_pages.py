"""Explorer pages: the partnerships a person sees, and one partnership, live or as of a
position or a time (DESIGN §7).

Each page reads as the JSON API's read of the same thing does (api/views.py), through the
same gates and in the same order: a partnership the person may not see is the 404 of an
unknown id on every URL, before any query parameter is looked at. Names are looked up
once per page (web/names.py), never per row.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flask import request
from sqlalchemy import Connection, select

from api.http import decode_cursor, encode_cursor
from api.schemas import views as s
from api.seen import content_on, read, viewer, window_on
from api.service import service
from api.views import at_cut
from collab.domain import codes
from collab.domain import values as v
from projections.asof import view_as_of
from projections.queries import list_partnerships
from projections.tables import Tables
from projections.views import view_for
from projections.visibility import seen as windows
from web import words
from web.arguments import as_of_asked, query_of, with_args
from web.balance import members_by_sector
from web.change_pages import commitment_chart
from web.frame import page, pages, views_reached
from web.names import Names, ids_in, names_for
from web.practice_reads import learning_in
from web.turns import turn_views

blp = pages("partnerships")


@blp.route("/partnerships", methods=["GET"])
def partnership_list() -> str:
    """The partnerships the person sees, filtered, a page at a time, with whose turn it is."""
    views_reached()
    query = query_of(s.PartnershipListQuery())
    limit, after = query.pop("limit"), decode_cursor(query.pop("cursor", None))
    if "classification" in query:
        vocabulary, code = query.pop("classification").split(":", 1)
        query["classification"] = (vocabulary, code)
    who = viewer()

    def listed(conn: Connection, t: Tables) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        items = list_partnerships(conn, t, who, at_cut, after=after, limit=limit, **query)
        return items, turn_views(conn, t, who, [i["partnership_id"] for i in items])

    items, views = read(listed)
    names = names_for(
        ids_in([[m["organisation_id"] for m in w["members"]] for w in views.values()])
    )
    for item in items:
        found = views.get(item["partnership_id"])
        item["turn"] = None if found is None else words.whose_turn(found, names)
    last = items[-1]["partnership_id"] if len(items) == limit else None
    return page(
        "partnerships.html",
        items=items,
        statuses=s.STATUSES,
        types=codes.PARTNERSHIP_TYPES,
        next_url=with_args("/partnerships", cursor=encode_cursor(last)) if last else None,
    )


def recorded_at(position: int) -> str | None:
    h = service().read.tables.history
    query = select(h.c.recorded_at).where(h.c.position == position)
    found: str | None = read(lambda conn, _: conn.execute(query).scalar())
    return found


def related_of(view: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Related partnerships: a link where the person sees it (its title where it sees it
    as it is now); elsewhere its territory and relationship only (DESIGN §3)."""
    related = view.get("related") or []
    ids = [r["related_id"] for r in related]
    if not ids:
        return []
    who, p = viewer(), service().read.tables.partnerships

    def ask(conn: Connection, t: Tables) -> tuple[set[str], dict[str, str]]:
        seen = windows(conn, t, who, ids)
        shown = {i for i in ids if seen.of(i).visible}
        current = sorted(i for i in ids if seen.of(i).current)
        query = select(p.c.partnership_id, p.c.title).where(p.c.partnership_id.in_(current))
        return shown, {r.partnership_id: r.title for r in conn.execute(query)}

    shown, titles = read(ask)
    return [
        {**r, "visible": r["related_id"] in shown, "title": titles.get(r["related_id"])}
        for r in related
    ]


def view_names(view: Mapping[str, Any]) -> Names:
    """Every organisation and actor a partnership view names."""
    members = view.get("members") or []
    ids = ids_in(
        [
            view.get("brokers"),
            view.get("lead_organisation"),
            [(m["organisation_id"], [c["recipient"] for c in m["commitments"]]) for m in members],
            [(x["organisation_id"], x["actor"], x["mandate"]) for x in view.get("signatures", [])],
            [x["organisation_id"] for x in view.get("decisions", [])],
            view.get("invitation"),
            view.get("invitations"),
        ]
    )
    return names_for(ids)


def live_or_as_of(pid: str, position: int | None) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The partnership's view as the person sees it now, or as of a position (no further
    than its window reaches), with that position and when it was recorded."""
    if position is None:
        who = viewer()
        return read(lambda conn, t: view_for(conn, t, who, pid, at_cut)), None
    until = content_on(pid).until  # a former member sees no further than its exit
    at = position if until is None else min(position, until)
    view = view_as_of(service().app, pid, at)
    return view, {"position": at, "recorded_at": recorded_at(at) if at else None}


def live_with_learning(pid: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The live view and, where the person sees its content, the partnership's practices
    and exchanges, on one read-model connection."""
    who = viewer()

    def ask(conn: Connection, t: Tables) -> tuple[dict[str, Any], dict[str, Any] | None]:
        view = view_for(conn, t, who, pid, at_cut)
        return view, learning_in(conn, t, who, pid) if "members" in view else None

    return read(ask)


@blp.route("/partnerships/<partnership_id>", methods=["GET"])
def partnership_page(partnership_id: str) -> str:
    """A partnership as the person may see it: live, or as of a log position or a time."""
    views_reached()
    pid = v.identifier(partnership_id, "partnership_id")
    window_on(pid)  # before the query is looked at: a 404 tells nothing of it
    position = as_of_asked()
    learned = None  # its practices and exchanges: on the live page only
    if position is None:
        view, learned = live_with_learning(pid)
        as_of = None
    else:
        view, as_of = live_or_as_of(pid, position)
    for invitation in [view.get("invitation"), *view.get("invitations", [])]:
        if invitation is not None and isinstance(invitation["roles"], str):
            invitation["roles"] = json.loads(invitation["roles"])
    names = view_names(view)
    return page(
        "partnership.html",
        view=view,
        names=names,
        turn=words.whose_turn(view, names),
        sectors=members_by_sector(view),
        balance=view.get("balance"),
        related=related_of(view),
        as_of=as_of,
        chart=commitment_chart(view, as_of) if "members" in view else [],
        asked=request.args,
        learned=learned,
    )
