"""Seeing change: the diff between agreement versions, the commitments chart, the map.

Each page reads as the JSON API's read of the same thing does, through the same gates:
the versions as `GET /v1/partnerships/<id>/versions` reads them (404 of an unknown id for
a person who may not see the partnership, before the query is looked at), the map as
`GET /v1/collaboration-map` reads it for the person. The chart is drawn from the view the
partnership page already holds, with the times of pledges and confirmations from the
history the person may see. Pictures are SVG made here, with the same numbers in tables.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _
from marshmallow import fields, validate
from sqlalchemy import Connection, select

from api.errors import ApiProblem
from api.partnerships import content_for_caller
from api.schemas.common import ReadOptions, Whole
from api.seen import read, viewer, window_on
from api.service import service
from collab.domain import values as v
from collab.domain.partnership import Partnership
from projections.collaboration_map import collaboration_map
from projections.tables import Tables
from web import charts, diff, map_picture
from web.arguments import query_of
from web.frame import page, pages, views_reached
from web.names import chunks, ids_in, names_for

blp = pages("change_pages")
TIMED = ("Pledged", "Confirmed")  # the events whose recorded time dates an amount


class DiffQuery(ReadOptions):
    from_ = fields.Integer(data_key="from", validate=validate.Range(1, v.MAX_SAFE_INTEGER))
    to = fields.Integer(validate=validate.Range(1, v.MAX_SAFE_INTEGER))


class MapQuery(ReadOptions):
    country = fields.String(validate=Whole(r"^[A-Z]{2}$"))
    nuts = fields.String(validate=Whole(v.NUTS_RE.pattern))


# -- the diff between two agreement versions -----------------------------------------------


def no_version(field: str, number: int) -> ApiProblem:
    """The 422 of a version number the partnership does not have, in the reader's words."""
    said = str(_("no version %(number)s", number=number))
    return ApiProblem(422, "invalid-input", f"{field}: {said}", errors={field: [said]})


def chosen(numbers: list[int], query: Mapping[str, Any]) -> tuple[int, int]:
    """The versions to compare (from, to): as asked, else the latest and the one before."""
    for field, number in (("from", query.get("from_")), ("to", query.get("to"))):
        if number is not None and number not in numbers:
            raise no_version(field, number)
    to = query.get("to") or numbers[-1]
    return query.get("from_") or max(1, to - 1), to


def compared(p: Partnership, query: Mapping[str, Any]) -> dict[str, Any]:
    """The page's versions, the two chosen and their terms compared, with the names of
    the organisations they mention (signatories, members with objectives)."""
    texts = {t.number: t for t in p.versions}
    signed = {t.hash: sorted(p.signatures.get(t.hash, {})) for t in p.versions}
    old = new = None
    changes: list[diff.Change] = []
    if texts:
        a, b = chosen(sorted(texts), query)
        old, new = texts[a], texts[b]
        changes = diff.compare(old.terms, new.terms)
    mentioned = [[c.organisation for c in changes], list(signed.values())]
    return {
        "versions": [texts[n] for n in sorted(texts)],
        "signed": signed,
        "old": old,
        "new": new,
        "changes": changes,
        "names": names_for(ids_in(mentioned)),
    }


@blp.route("/partnerships/<partnership_id>/versions/diff", methods=["GET"])
def version_diff(partnership_id: str) -> str:
    """Two agreement versions compared term by term (by default the two latest)."""
    views_reached()
    pid = v.identifier(partnership_id, "partnership_id")
    window_on(pid)  # before the query is looked at: a 404 tells nothing of it
    p = content_for_caller(pid)  # what the API's versions read gives this person
    context = compared(p, query_of(DiffQuery()))
    return page("diff.html", partnership_id=pid, title=p.title, **context)


# -- the commitments chart, for the partnership page ---------------------------------------


def commitment_times(pid: str, at: int | None) -> dict[str, dict[str, str]]:
    """When each commitment the person sees was pledged and confirmed (recorded times),
    from the history it may see, up to the position `at` of an as-of page."""
    win = window_on(pid)
    h = service().read.tables.history
    query = (
        select(h.c.stream_id, h.c.event_type, h.c.recorded_at, h.c.position, h.c.data)
        .where(h.c.partnership_id == pid, h.c.event_type.in_(TIMED))
        .order_by(h.c.position)
    )
    if at is not None:
        query = query.where(h.c.position <= at)
    times: dict[str, dict[str, str]] = {}
    for r in read(lambda conn, _: conn.execute(query).all()):
        if win.sees(r.position, json.loads(r.data)):
            times.setdefault(r.stream_id, {}).setdefault(r.event_type, r.recorded_at)
    return times


def commitment_chart(
    view: Mapping[str, Any], as_of: Mapping[str, Any] | None = None
) -> list[charts.Group]:
    """The chart's groups for a partnership view (live, or as of `as_of["position"]`)."""
    commitments = [c for m in view.get("members") or [] for c in m.get("commitments") or []]
    if not commitments:
        return []
    at = as_of["position"] if as_of else None
    return charts.groups(commitments, commitment_times(view["partnership_id"], at))


def month_label(month: str) -> str:
    """A "YYYY-MM" month in the reader's locale (e.g. "May 2030")."""
    return str(format_date(date(int(month[:4]), int(month[5:7]), 1), "MMM y"))


@blp.app_context_processor
def change_helpers() -> dict[str, Any]:
    """For the partnership page's commitments section (web/templates/_chart.html)."""
    return {
        "month_label": month_label,
        "chart_frame": charts.FRAME,
    }


# -- the collaboration map as a picture ----------------------------------------------------


def places_of(conn: Connection, t: Tables, pids: list[str]) -> dict[str, dict[str, Any]]:
    """Title and territory of partnerships the person sees as they are now."""
    p = t.partnerships
    found: dict[str, dict[str, Any]] = {}
    for chunk in chunks(pids):
        query = select(p.c.partnership_id, p.c.title, p.c.country, p.c.nuts)
        for r in conn.execute(query.where(p.c.partnership_id.in_(chunk))):
            found[r.partnership_id] = {"title": r.title, "country": r.country, "nuts": r.nuts}
    return found


def seen_map(conn: Connection, t: Tables) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The API's collaboration map for the person, and its partnerships' places."""
    body = collaboration_map(conn, t, viewer())
    pids = sorted({pair["partnership_id"] for pair in body["organisation_pairs"]})
    return body, places_of(conn, t, pids)


@blp.route("/map", methods=["GET"])
def collaboration_picture() -> str:
    """Who collaborates with whom: a picture of the partnerships the person sees and their
    organisations, by territory, with tables of the same."""
    views_reached()
    query = query_of(MapQuery())
    country, nuts = query.get("country"), query.get("nuts")
    body, places = read(seen_map)
    shown = {pid: pl for pid, pl in places.items() if map_picture.within(pl, country, nuts)}
    members = map_picture.members_of(body["organisation_pairs"])
    pairs = [x for x in body["sector_pairs"] if map_picture.within(x, country, nuts)]
    return page(
        "map.html",
        picture=map_picture.picture(shown, members),
        members=members,
        sector_pairs=pairs,
        country=country,
        nuts=nuts,
    )
