"""Reads: partnership views (live and as of), histories, lists, ledger, inbox and the map.

Visibility is `collab.visibility`'s (DESIGN §3), on the views' facts
(`projections/visibility.py`): a partnership the caller may not see is a 404, and never
appears in a list, a ledger, an inbox or the map's named detail. A former member (or a
broker under its mandate) sees everything up to its exit, every record in its state then;
an invited or declined organisation only its own invitation.

An organisation's ledger, inbox and partnerships are filtered, not refused: each caller
sees them as far as it sees the partnerships they are in (the register is public).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

from api.authority import before_body
from api.errors import ApiProblem
from api.http import Blueprint, Body, decode_cursor, encode_cursor, wait_for_views
from api.schemas import events as es
from api.schemas import views as s
from api.schemas.common import ReadOptions
from api.seen import (
    POSITION_RE,
    commitment_window,
    content_on,
    path_commitment,
    path_content,
    path_organisation,
    path_partnership,
    read,
    viewer,
    window_on,
)
from api.service import service
from collab.domain import values as v
from collab.domain.envelope import rfc3339
from collab.domain.errors import InvalidInputError
from collab.visibility import Window
from projections.asof import position_at, view_as_of
from projections.collaboration_map import collaboration_map
from projections.ledger import ledger
from projections.queries import inbox, list_partnerships, organisation_partnerships
from projections.views import entry_names, field_history, history, named_view, view_for

blp = Blueprint("views", __name__, url_prefix="/v1", description=__doc__)


def at_cut(pid: str, position: int) -> dict[str, object]:
    """A partnership as a caller with a cut window sees it: the view at the cut."""
    return view_as_of(service().app, pid, position)


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
    return None if position is None else service().within_head(position, "as_of_position")


def position_cursor(raw: str) -> int:
    if not POSITION_RE.fullmatch(raw):
        raise ApiProblem(422, "invalid-input", "unknown cursor", errors={"cursor": ["invalid"]})
    return int(raw)


def paged(
    items: list[dict[str, Any]], key: str, query: Mapping[str, Any], parse: Any = str
) -> dict[str, object]:
    """One page of a list ordered by `key`, after the cursor's value."""
    raw = decode_cursor(query.get("cursor"))
    rest = [i for i in items if i[key] > parse(raw)] if raw else items
    chosen = rest[: query["limit"]]
    more = len(rest) > len(chosen)
    return {"items": chosen, "next_cursor": encode_cursor(str(chosen[-1][key])) if more else None}


# -- one partnership -----------------------------------------------------------------------


@blp.route("/partnerships/<partnership_id>/view", methods=["GET"])
@before_body(path_partnership)
@blp.arguments(s.ViewQuery, location="query")
@blp.response(200, s.PartnershipView)
def partnership_view(query: Body, partnership_id: str) -> dict[str, object]:
    """A partnership as the caller may see it: live, or as of a log position or a time;
    every organisation id with the register's legal name beside it (today's, also as of)."""
    wait_for_views(query.pop("min_position", None))
    pid = v.identifier(partnership_id, "partnership_id")
    position = as_of_position(query)
    if position is None:
        who = viewer()
        view = read(lambda c, t: named_view(c, t, view_for(c, t, who, pid, at_cut)))
    else:
        until = content_on(pid).until
        found = view_as_of(service().app, pid, position if until is None else min(position, until))
        view = read(lambda c, t: named_view(c, t, found))  # the register's names of today
    for invitation in [view.get("invitation"), *view.get("invitations", [])]:
        if invitation is not None:  # the membership row keeps roles as JSON text
            invitation["roles"] = json.loads(invitation["roles"])
    return view


@blp.route("/partnerships/<partnership_id>/history", methods=["GET"])
@before_body(path_partnership)
@blp.arguments(s.ReadListQuery, location="query")
@blp.response(200, es.EventHistory)
def partnership_history(query: Body, partnership_id: str) -> dict[str, object]:
    """Every event of a partnership and of its commitments, in log order."""
    position = wait_for_views(query.pop("min_position", None))
    pid = v.identifier(partnership_id, "partnership_id")
    win = window_on(pid)
    entries = read(lambda c, t: history(c, t, partnership_id=pid))
    return history_page(pid, win, entries, query, position)


def history_page(
    stream_id: str, win: Window, entries: list[dict[str, Any]], query: Any, position: int
) -> dict[str, object]:
    seen = [e for e in entries if win.sees(e["position"], e["data"])]
    page = paged(seen, "position", query, position_cursor)
    items = cast(list[dict[str, Any]], page["items"])
    page["items"] = read(lambda c, t: entry_names(c, t, items))  # one query for the page
    return {"stream_id": stream_id, **page, "position": position}


@blp.route("/commitments/<commitment_id>/history", methods=["GET"])
@before_body(path_commitment)
@blp.arguments(s.ReadListQuery, location="query")
@blp.response(200, es.EventHistory)
def commitment_history(query: Body, commitment_id: str) -> dict[str, object]:
    """Every event of a commitment, visible where its partnership is."""
    position = wait_for_views(query.pop("min_position", None))
    cid = v.identifier(commitment_id, "commitment_id")
    win = commitment_window(cid)
    entries = read(lambda c, t: history(c, t, stream_id=cid))
    return history_page(cid, win, entries, query, position)


def fields_until(found: dict[str, list[dict[str, Any]]], win: Window) -> dict[str, object]:
    kept = {f: [x for x in xs if win.reaches(x["position"])] for f, xs in found.items()}
    return {f: xs for f, xs in kept.items() if xs}


@blp.route("/partnerships/<partnership_id>/field-history", methods=["GET"])
@before_body(path_content)
@blp.arguments(ReadOptions, location="query")
@blp.response(200, es.FieldHistory)
def partnership_fields(query: Body, partnership_id: str) -> dict[str, object]:
    """Each tracked field of a partnership, value by value, with the event that set it."""
    position = wait_for_views(query.pop("min_position", None))
    pid = v.identifier(partnership_id, "partnership_id")
    win = content_on(pid)
    found = fields_until(read(lambda c, t: field_history(c, t, pid)), win)
    return {"stream_id": pid, "fields": found, "position": position}


@blp.route("/commitments/<commitment_id>/field-history", methods=["GET"])
@before_body(path_commitment)
@blp.arguments(ReadOptions, location="query")
@blp.response(200, es.FieldHistory)
def commitment_fields(query: Body, commitment_id: str) -> dict[str, object]:
    """Each tracked field of a commitment, value by value, with the event that set it."""
    position = wait_for_views(query.pop("min_position", None))
    cid = v.identifier(commitment_id, "commitment_id")
    win = commitment_window(cid)
    found = fields_until(read(lambda c, t: field_history(c, t, cid)), win)
    return {"stream_id": cid, "fields": found, "position": position}


@blp.route("/organisations/<organisation_id>/field-history", methods=["GET"])
@before_body(path_organisation)
@blp.arguments(ReadOptions, location="query")
@blp.response(200, es.FieldHistory)
def organisation_fields(query: Body, organisation_id: str) -> dict[str, object]:
    """Each register field of an organisation, value by value (the register is public)."""
    position = wait_for_views(query.pop("min_position", None))
    org_id = organisation_of(organisation_id)
    found = read(lambda c, t: field_history(c, t, org_id))
    return {"stream_id": org_id, "fields": found, "position": position}


# -- lists, an organisation's books, the map -----------------------------------------------


@blp.route("/partnerships", methods=["GET"])
@blp.arguments(s.PartnershipListQuery, location="query")
@blp.response(200, s.PartnershipList)
def partnerships(query: Body) -> dict[str, object]:
    """The partnerships the caller sees, by territory, status, type and classification."""
    position = wait_for_views(query.pop("min_position", None))
    limit, after = query.pop("limit"), decode_cursor(query.pop("cursor", None))
    if "classification" in query:
        vocabulary, code = query.pop("classification").split(":", 1)
        query["classification"] = (vocabulary, code)
    who = viewer()
    items = read(
        lambda c, t: list_partnerships(c, t, who, at_cut, after=after, limit=limit, **query)
    )
    last = items[-1]["partnership_id"] if len(items) == limit else None
    return {
        "items": items,
        "next_cursor": encode_cursor(last) if last else None,
        "position": position,
    }


def organisation_of(organisation_id: str) -> str:
    """The organisation's canonical id (the gate, `path_organisation`, refused an unknown
    one). Its books are filtered, not refused: each caller sees them as far as it sees the
    partnerships they are in."""
    return v.identifier(organisation_id, "organisation_id")


@blp.route("/organisations/<organisation_id>/ledger", methods=["GET"])
@before_body(path_organisation)
@blp.arguments(ReadOptions, location="query")
@blp.response(200, s.Ledger)
def organisation_ledger(query: Body, organisation_id: str) -> dict[str, object]:
    """The commitments the organisation made and those it receives (not those to the pool:
    the partnership receives them) across the partnerships the caller sees, with totals per
    unit, per contribution type and per currency."""
    position = wait_for_views(query.pop("min_position", None))
    org_id, who = organisation_of(organisation_id), viewer()
    body = read(lambda c, t: ledger(c, t, who, at_cut, org_id))
    return {**body, "position": position}


@blp.route("/organisations/<organisation_id>/inbox", methods=["GET"])
@before_body(path_organisation)
@blp.arguments(ReadOptions, location="query")
@blp.response(200, s.Inbox)
def organisation_inbox(query: Body, organisation_id: str) -> dict[str, object]:
    """What awaits the organisation's action: invitations, texts to sign, deliveries."""
    position = wait_for_views(query.pop("min_position", None))
    org_id, who = organisation_of(organisation_id), viewer()
    box = read(lambda c, t: inbox(c, t, who, org_id))
    return {"organisation_id": org_id, **box, "position": position}


@blp.route("/organisations/<organisation_id>/partnerships", methods=["GET"])
@before_body(path_organisation)
@blp.arguments(s.ReadListQuery, location="query")
@blp.response(200, s.OrganisationPartnerships)
def organisation_memberships(query: Body, organisation_id: str) -> dict[str, object]:
    """The partnerships an organisation is or was in, as far as the caller sees them."""
    position = wait_for_views(query.pop("min_position", None))
    org_id, who = organisation_of(organisation_id), viewer()
    found = read(lambda c, t: organisation_partnerships(c, t, who, at_cut, org_id))
    page = paged(found, "partnership_id", query)
    return {"organisation_id": org_id, **page, "position": position}


@blp.route("/collaboration-map", methods=["GET"])
@blp.arguments(ReadOptions, location="query")
@blp.response(200, s.CollaborationMap)
def collaboration(query: Body) -> dict[str, object]:
    """Who collaborates with whom, where, with what: aggregates, and detail where visible."""
    position = wait_for_views(query.pop("min_position", None))
    who = viewer()
    body = read(lambda c, t: collaboration_map(c, t, who))
    return {**body, "position": position}
