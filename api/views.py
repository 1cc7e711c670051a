"""Reads: partnership views (live and as of), histories, lists, ledger, inbox and the map.

Visibility (DESIGN §3): a partnership the caller may not see is a 404, and never appears in
a list, a ledger, an inbox or the map's named detail. Of a partnership it may see, a
partner sees everything while its organisation is a member, everything up to its exit once
it has left, and only its own invitation while invited or after declining.

An organisation's ledger and inbox are for its own partners (all of it), and for brokers,
admins and auditors as far as the partnerships they can see; a partner of another
organisation is refused (403): the register is public, another organisation's books are
not. The partnerships an organisation is in are listed to anyone, filtered the same way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, func, select

from api.auth import current_actor
from api.errors import ApiProblem
from api.events import Window, partner_window
from api.http import Blueprint, decode_cursor, encode_cursor, wait_for_views
from api.schemas import events as es
from api.schemas import views as s
from api.schemas.common import ReadOptions
from api.service import service
from collab.domain import values as v
from collab.domain.actor import ALL
from collab.domain.envelope import rfc3339
from collab.domain.errors import InvalidInputError, NotFoundError
from projections.asof import position_at, view_as_of
from projections.collaboration_map import collaboration_map
from projections.queries import (
    inbox,
    ledger,
    ledger_totals,
    list_partnerships,
    organisation_partnerships,
)
from projections.tables import Tables
from projections.views import field_history, history, view_for
from projections.visibility import Viewer, visible

blp = Blueprint("views", __name__, url_prefix="/v1", description=__doc__)

POSITION_RE = re.compile(r"^[0-9]{1,16}$")
T = TypeVar("T")


def window(conn: Connection, t: Tables, who: Viewer, pid: str) -> Window:
    """404 unless the caller sees the partnership; then how much of it."""
    p, m = t.partnerships, t.members
    found = conn.execute(
        select(p.c.partnership_id).where(
            p.c.partnership_id == pid, visible(t, who, invitations=True)
        )
    ).first()
    if found is None:
        raise NotFoundError(f"no partnership {pid}")
    org = who.actor.organisation_id
    if who.actor.role != "partner" or org is None:
        return Window()
    status = conn.execute(
        select(m.c.status).where(m.c.partnership_id == pid, m.c.organisation_id == org)
    ).scalar()
    return partner_window(conn, t, org, pid, status)


def content_window(conn: Connection, t: Tables, who: Viewer, pid: str) -> Window:
    """As `window`, refusing a caller that sees only its invitation (404 for content)."""
    win = window(conn, t, who, pid)
    if not win.content:
        raise NotFoundError(f"no partnership {pid}")
    return win


def commitment_window(conn: Connection, t: Tables, who: Viewer, cid: str) -> Window:
    """As its partnership's content; a former member sees only commitments from before
    its exit (a later one is not visible to it at all: 404)."""
    c, h = t.commitments, t.history
    pid = conn.execute(select(c.c.partnership_id).where(c.c.commitment_id == cid)).scalar()
    if pid is None:
        raise NotFoundError(f"no commitment {cid}")
    win = content_window(conn, t, who, pid)
    if win.until is not None:
        first = conn.execute(select(func.min(h.c.position)).where(h.c.stream_id == cid)).scalar()
        if first is None or first > win.until:
            raise NotFoundError(f"no commitment {cid}")
    return win


def viewer() -> Viewer:
    """The caller, with an auditor's grants as recorded ("*": every partnership)."""
    actor, svc = current_actor(), service()
    grants = None
    if actor.role == "auditor":
        held = svc.app.get_binding(actor.id).grants
        grants = None if ALL in held else frozenset(held)
    return Viewer(actor, svc.now().date().isoformat(), grants)


def as_of_position(query: Mapping[str, Any]) -> int | None:
    """The position an as-of read asks for (422 for both, a bad time, or past the head)."""
    position, moment = query.get("as_of_position"), query.get("as_of")
    app = service().app
    if position is not None and moment is not None:
        raise ApiProblem(
            422,
            "invalid-input",
            "as_of_position and as_of exclude each other",
            errors={"as_of": ["not with as_of_position"]},
        )
    if moment is not None:
        try:
            when = datetime.fromisoformat(moment)
        except ValueError:
            raise InvalidInputError("as_of", "is not a valid RFC 3339 UTC time") from None
        return position_at(app, rfc3339(when), service().read)  # the history view's index
    head = app.recorder.max_notification_id() or 0
    if position is not None and position > head:
        raise InvalidInputError("as_of_position", f"is beyond the head of the log ({head})")
    return position


def position_cursor(raw: str) -> int:
    if not POSITION_RE.match(raw):
        raise ApiProblem(422, "invalid-input", "unknown cursor", errors={"cursor": ["invalid"]})
    return int(raw)


def paged(
    items: list[dict[str, Any]], key: str, query: Mapping[str, Any], parse: Any = str
) -> dict[str, Any]:
    """One page of a list ordered by `key`, after the cursor's value."""
    raw = decode_cursor(query.get("cursor"))
    rest = [i for i in items if i[key] > parse(raw)] if raw else items
    chosen = rest[: query["limit"]]
    more = len(rest) > len(chosen)
    return {"items": chosen, "next_cursor": encode_cursor(str(chosen[-1][key])) if more else None}


def read(fn: Callable[[Connection, Tables], T]) -> T:
    """Run a query on a read-model connection."""
    side = service().read
    with side.reader() as conn:
        return fn(conn, side.tables)


# -- one partnership -----------------------------------------------------------------------


@blp.route("/partnerships/<partnership_id>/view", methods=["GET"])
@blp.arguments(s.ViewQuery, location="query")
@blp.response(200, s.PartnershipView)
def partnership_view(query: dict[str, Any], partnership_id: str) -> dict[str, Any]:
    """A partnership as the caller may see it: live, or as of a log position or a time."""
    wait_for_views(query.pop("min_position", None))
    pid = v.identifier(partnership_id, "partnership_id")
    position = as_of_position(query)
    app, who = service().app, viewer()
    if position is None:
        view = read(lambda c, t: view_for(c, t, who, pid, lambda p, n: view_as_of(app, p, n)))
    else:
        until = read(lambda c, t: content_window(c, t, who, pid)).until
        view = view_as_of(app, pid, position if until is None else min(position, until))
    if "invitation" in view:  # the membership row keeps roles as JSON text
        view["invitation"]["roles"] = json.loads(view["invitation"]["roles"])
    return view


@blp.route("/partnerships/<partnership_id>/history", methods=["GET"])
@blp.arguments(s.ReadListQuery, location="query")
@blp.response(200, es.EventHistory)
def partnership_history(query: dict[str, Any], partnership_id: str) -> dict[str, Any]:
    """Every event of a partnership and of its commitments, in log order."""
    position = wait_for_views(query.pop("min_position", None))
    pid, who = v.identifier(partnership_id, "partnership_id"), viewer()
    win = read(lambda c, t: window(c, t, who, pid))
    entries = read(lambda c, t: history(c, t, partnership_id=pid))
    return history_page(pid, win, entries, query, position)


def history_page(
    stream_id: str, win: Window, entries: list[dict[str, Any]], query: Any, position: int
) -> dict[str, Any]:
    seen = [e for e in entries if win.sees(e["position"], e["data"])]
    page = paged(seen, "position", query, position_cursor)
    return {"stream_id": stream_id, **page, "position": position}


@blp.route("/commitments/<commitment_id>/history", methods=["GET"])
@blp.arguments(s.ReadListQuery, location="query")
@blp.response(200, es.EventHistory)
def commitment_history(query: dict[str, Any], commitment_id: str) -> dict[str, Any]:
    """Every event of a commitment, visible where its partnership is."""
    position = wait_for_views(query.pop("min_position", None))
    cid, who = v.identifier(commitment_id, "commitment_id"), viewer()
    win = read(lambda c, t: commitment_window(c, t, who, cid))
    entries = read(lambda c, t: history(c, t, stream_id=cid))
    return history_page(cid, win, entries, query, position)


def fields_until(found: dict[str, list[dict[str, Any]]], win: Window) -> dict[str, Any]:
    kept = {f: [x for x in xs if win.sees(x["position"], {})] for f, xs in found.items()}
    return {f: xs for f, xs in kept.items() if xs}


@blp.route("/partnerships/<partnership_id>/field-history", methods=["GET"])
@blp.arguments(ReadOptions, location="query")
@blp.response(200, es.FieldHistory)
def partnership_fields(query: dict[str, Any], partnership_id: str) -> dict[str, Any]:
    """Each tracked field of a partnership, value by value, with the event that set it."""
    position = wait_for_views(query.pop("min_position", None))
    pid, who = v.identifier(partnership_id, "partnership_id"), viewer()
    win = read(lambda c, t: content_window(c, t, who, pid))
    found = fields_until(read(lambda c, t: field_history(c, t, pid)), win)
    return {"stream_id": pid, "fields": found, "position": position}


@blp.route("/commitments/<commitment_id>/field-history", methods=["GET"])
@blp.arguments(ReadOptions, location="query")
@blp.response(200, es.FieldHistory)
def commitment_fields(query: dict[str, Any], commitment_id: str) -> dict[str, Any]:
    """Each tracked field of a commitment, value by value, with the event that set it."""
    position = wait_for_views(query.pop("min_position", None))
    cid, who = v.identifier(commitment_id, "commitment_id"), viewer()
    win = read(lambda c, t: commitment_window(c, t, who, cid))
    found = fields_until(read(lambda c, t: field_history(c, t, cid)), win)
    return {"stream_id": cid, "fields": found, "position": position}


@blp.route("/organisations/<organisation_id>/field-history", methods=["GET"])
@blp.arguments(ReadOptions, location="query")
@blp.response(200, es.FieldHistory)
def organisation_fields(query: dict[str, Any], organisation_id: str) -> dict[str, Any]:
    """Each register field of an organisation, value by value (the register is public)."""
    position = wait_for_views(query.pop("min_position", None))
    org_id = str(service().app.get_organisation(organisation_id).id)
    found = read(lambda c, t: field_history(c, t, org_id))
    return {"stream_id": org_id, "fields": found, "position": position}


# -- lists, an organisation's books, the map -----------------------------------------------


@blp.route("/partnerships", methods=["GET"])
@blp.arguments(s.PartnershipListQuery, location="query")
@blp.response(200, s.PartnershipList)
def partnerships(query: dict[str, Any]) -> dict[str, Any]:
    """The partnerships the caller sees, by territory, status, type and classification."""
    position = wait_for_views(query.pop("min_position", None))
    limit, after = query.pop("limit"), decode_cursor(query.pop("cursor", None))
    if "classification" in query:
        vocabulary, code = query.pop("classification").split(":", 1)
        query["classification"] = (vocabulary, code)
    who = viewer()
    items = read(lambda c, t: list_partnerships(c, t, who, after=after, limit=limit, **query))
    last = items[-1]["partnership_id"] if len(items) == limit else None
    return {
        "items": items,
        "next_cursor": encode_cursor(last) if last else None,
        "position": position,
    }


def visible_among(conn: Connection, t: Tables, who: Viewer, pids: list[str]) -> set[str]:
    pid = t.partnerships.c.partnership_id
    query = select(pid).where(pid.in_(pids), visible(t, who))
    return set(conn.execute(query).scalars())


def books_of(organisation_id: str) -> tuple[str, Viewer, bool]:
    """The organisation (404 unknown), the caller, and whether it is one of its partners.

    Like the lists, an organisation's books are filtered, not refused: each caller sees
    the partnerships it may see (its own partners: all of the organisation's)."""
    org_id = str(service().app.get_organisation(organisation_id).id)
    who = viewer()
    own = who.actor.role == "partner" and who.actor.organisation_id == org_id
    return org_id, who, own


@blp.route("/organisations/<organisation_id>/ledger", methods=["GET"])
@blp.arguments(ReadOptions, location="query")
@blp.response(200, s.Ledger)
def organisation_ledger(query: dict[str, Any], organisation_id: str) -> dict[str, Any]:
    """The organisation's commitments across the partnerships the caller sees, with totals."""
    position = wait_for_views(query.pop("min_position", None))
    org_id, who, own = books_of(organisation_id)
    body = read(lambda c, t: ledger(c, t, who, org_id))
    if not own and who.actor.role == "partner":
        # A former member sees the partnership as it was when it left: not the
        # commitments made there afterwards (as GET /commitments/{id} answers 404).
        kept = read(lambda c, t: [x for x in body["commitments"] if in_window(c, t, who, x)])
        body = {**body, "commitments": kept, **ledger_totals(kept)}
    return {**body, "position": position}


def in_window(conn: Connection, t: Tables, who: Viewer, commitment: dict[str, Any]) -> bool:
    try:
        commitment_window(conn, t, who, commitment["commitment_id"])
    except NotFoundError:
        return False
    return True


@blp.route("/organisations/<organisation_id>/inbox", methods=["GET"])
@blp.arguments(ReadOptions, location="query")
@blp.response(200, s.Inbox)
def organisation_inbox(query: dict[str, Any], organisation_id: str) -> dict[str, Any]:
    """What awaits the organisation's action: invitations, texts to sign, deliveries."""
    position = wait_for_views(query.pop("min_position", None))
    org_id, who, own = books_of(organisation_id)
    box = read(lambda c, t: inbox(c, t, org_id))
    if not own:
        named = sorted({i["partnership_id"] for items in box.values() for i in items})
        seen = read(lambda c, t: visible_among(c, t, who, named))
        box = {k: [i for i in items if i["partnership_id"] in seen] for k, items in box.items()}
    return {"organisation_id": org_id, **box, "position": position}


@blp.route("/organisations/<organisation_id>/partnerships", methods=["GET"])
@blp.arguments(s.ReadListQuery, location="query")
@blp.response(200, s.OrganisationPartnerships)
def organisation_memberships(query: dict[str, Any], organisation_id: str) -> dict[str, Any]:
    """The partnerships an organisation is or was in, as far as the caller sees them."""
    position = wait_for_views(query.pop("min_position", None))
    org_id = str(service().app.get_organisation(organisation_id).id)
    who = viewer()
    found = read(lambda c, t: organisation_partnerships(c, t, who, org_id))
    page = paged(found, "partnership_id", query)
    return {"organisation_id": org_id, **page, "position": position}


@blp.route("/collaboration-map", methods=["GET"])
@blp.arguments(ReadOptions, location="query")
@blp.response(200, s.CollaborationMap)
def collaboration(query: dict[str, Any]) -> dict[str, Any]:
    """Who collaborates with whom, where, with what: aggregates, and detail where visible."""
    position = wait_for_views(query.pop("min_position", None))
    who = viewer()
    body = read(lambda c, t: collaboration_map(c, t, who))
    return {**body, "position": position}
