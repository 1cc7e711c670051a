"""Explorer pages: the partnerships a person sees, one partnership (live or as of a
position or a time), its timeline and field history, and a commitment's (DESIGN §7).

Each page reads as the JSON API's read of the same thing does (api/views.py), through the
same gates and in the same order: a partnership the person may not see is the 404 of an
unknown id on every URL, before any query parameter is looked at. Names are looked up
once per page (one query for organisations, one for actors), never per row.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import marshmallow as ma
from flask import request
from sqlalchemy import Connection, select

from api.credentials import names as actor_names_table
from api.errors import ApiProblem
from api.http import decode_cursor, encode_cursor
from api.schemas import views as s
from api.schemas.common import Choice, Uuid
from api.seen import POSITION_RE, commitment_window, content_on, read, viewer, window_on
from api.service import service
from api.views import as_of_position, at_cut, fields_until, position_cursor
from collab.domain import codes
from collab.domain import values as v
from collab.domain.errors import InvalidInputError
from collab.domain.partnership_rules import BALANCE_LIMIT, STANDING
from projections.asof import view_as_of
from projections.follower import TRACKED_FIELDS
from projections.queries import list_partnerships
from projections.rows import COMMITMENT_TABLES, PARTNERSHIP_TABLES, Rows, assemble
from projections.tables import Tables
from projections.views import field_history, history, view_for
from projections.visibility import Viewer
from projections.visibility import seen as windows
from web import words
from web.frame import page, pages, views_reached

blp = pages("partnerships")

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# What a datetime-local form field sends (no zone): read as UTC, as the form says.
LOCAL_TIME_RE = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?$"
)
CHUNK = 500  # ids per IN list: far below every database's limit on parameters
SECTORS = ("public", "civil_society", "private")
TENTH = Decimal("0.1")


# -- reading the request ---------------------------------------------------------------


def query_of(schema: ma.Schema) -> dict[str, Any]:
    """A page's GET parameters loaded by the API's schema (empty form fields left out,
    others ignored): a 422 page for a bad value."""
    given = {k: val for k, val in request.args.items() if val != ""}
    try:
        loaded: dict[str, Any] = schema.load(given, unknown=ma.EXCLUDE)
    except ma.ValidationError as error:
        problems = error.messages if isinstance(error.messages, dict) else {"": error.messages}
        detail = "; ".join(f"{k}: {' '.join(map(str, m))}" for k, m in problems.items())
        raise ApiProblem(422, "invalid-input", detail, errors=problems) from None
    loaded.pop("min_position", None)  # views_reached() has waited for it
    return loaded


def as_of_asked() -> int | None:
    """The log position an as-of page asks for (`as_of_position` or `as_of`), checked as
    the API checks it; a datetime-local value is read as UTC."""
    position, moment = request.args.get("as_of_position", ""), request.args.get("as_of", "")
    query: dict[str, Any] = {}
    if position:
        if not POSITION_RE.fullmatch(position):
            raise InvalidInputError("as_of_position", "is not a log position (0, 1, 2 …)")
        query["as_of_position"] = int(position)
    if moment:
        if LOCAL_TIME_RE.fullmatch(moment):
            moment += "+00:00"
        elif not re.fullmatch(s.TIME_RE, moment):
            raise InvalidInputError("as_of", "is not a valid RFC 3339 UTC time")
        query["as_of"] = moment
    return as_of_position(query)


def with_args(path: str, **changes: Any) -> str:
    """This page's URL with some GET parameters changed (None: removed)."""
    args = {k: val for k, val in request.args.items() if val != ""}
    args.update({k: str(val) for k, val in changes.items() if val is not None})
    for k in [k for k, val in changes.items() if val is None]:
        args.pop(k, None)
    return f"{path}?{urlencode(args)}" if args else path


# -- names: one query for organisations, one for actors ----------------------------------


@dataclass
class Names:
    """A `words.Lookup` over names read once for a page, and facts from its entries."""

    organisations: dict[str, str] = field(default_factory=dict)
    actors: dict[str, str] = field(default_factory=dict)
    facts: dict[tuple[str, str], str] = field(default_factory=dict)

    def __call__(self, kind: str, key: str) -> str | None:
        if kind == "organisation":
            return self.organisations.get(key)
        if kind == "actor":
            return self.actors.get(key)
        return self.facts.get((kind, key))


def ids_in(value: Any, found: set[str] | None = None) -> set[str]:
    """Every id (a UUID, or the operator) in a JSON value, as a key or a value."""
    found = set() if found is None else found
    if isinstance(value, str):
        if UUID_RE.fullmatch(value) or value == "operator":
            found.add(value)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            ids_in(key, found)
            ids_in(item, found)
    elif isinstance(value, list | tuple):
        for item in value:
            ids_in(item, found)
    return found


def chunks(ids: Iterable[str]) -> list[list[str]]:
    ordered = sorted(set(ids))
    return [ordered[i : i + CHUNK] for i in range(0, len(ordered), CHUNK)]


def names_for(ids: Iterable[str], facts: dict[tuple[str, str], str] | None = None) -> Names:
    """The register's legal names and the actors' display names of these ids."""
    wanted = chunks(ids)
    o = service().read.tables.organisations

    def organisations(conn: Connection, _: Tables) -> dict[str, str]:
        query = select(o.c.organisation_id, o.c.legal_name)
        return {
            r.organisation_id: r.legal_name
            for part in wanted
            for r in conn.execute(query.where(o.c.organisation_id.in_(part)))
        }

    actors: dict[str, str] = {}
    if wanted:
        n = actor_names_table
        with service().credentials.reader.connect() as conn:
            for part in wanted:
                rows = conn.execute(select(n.c.actor_id, n.c.name).where(n.c.actor_id.in_(part)))
                actors.update({r.actor_id: r.name for r in rows})
    found = read(organisations) if wanted else {}
    return Names(found, actors, facts or {})


# -- voting shares and the CLLD balance --------------------------------------------------


def percentages(weights: Mapping[str, int]) -> dict[str, Decimal]:
    """Each share of the total in percent, to a tenth, summing to exactly 100 (largest
    remainders round up)."""
    total = sum(weights.values())
    if total <= 0:
        return {k: Decimal("0.0") for k in weights}
    exact = {k: Decimal(w) * 1000 / total for k, w in weights.items()}
    tenths = {k: int(x) for k, x in exact.items()}
    left = 1000 - sum(tenths.values())
    for k in sorted(exact, key=lambda k: (tenths[k] - exact[k], k))[:left]:
        tenths[k] += 1
    return {k: (Decimal(t) / 10).quantize(TENTH) for k, t in tenths.items()}


def members_by_sector(view: Mapping[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Members grouped by sector, each with its voting share among members in standing."""
    members = view.get("members") or []
    standing = {m["organisation_id"]: m["weight"] for m in members if m["status"] in STANDING}
    shares = percentages(standing)
    groups: dict[str, list[dict[str, Any]]] = {}
    for m in members:
        row = {**m, "share": shares.get(m["organisation_id"])}
        groups.setdefault(m["sector"], []).append(row)
    order = [*SECTORS, *sorted(set(groups) - set(SECTORS))]
    return [(sector, groups[sector]) for sector in order if sector in groups]


def balance(view: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The share of votes of each interest group among members in standing; `over`: more
    than the 49% a single group may hold (Reg. (EU) 2021/1060 art. 31(2)(b), invariant 4)."""
    weights: dict[str, int] = {}
    for m in view.get("members") or []:
        if m["status"] in STANDING:
            weights[m["interest_group"]] = weights.get(m["interest_group"], 0) + m["weight"]
    total, shares = sum(weights.values()), percentages(weights)
    return [
        {
            "group": group,
            "weight": weight,
            "share": shares[group],
            "over": total > 0 and Decimal(weight) * 100 > BALANCE_LIMIT * total,
        }
        for group, weight in sorted(weights.items())
    ]


# -- the list ----------------------------------------------------------------------------

OPEN_COMMITMENTS = ("pledged", "confirmed", "in_delivery")
AWAITING_DELIVERIES = ("reported", "disputed")


def turn_views(conn: Connection, t: Tables, who: Viewer, ids: list[str]) -> dict[str, Any]:
    """For the listed partnerships the person sees as they are now (not through a cut),
    what `words.whose_turn` reads, in a few queries for the whole page."""
    seen = windows(conn, t, who, ids)
    current = [pid for pid in ids if seen.of(pid).current]
    rows: dict[str, Rows] = {
        pid: {name: [] for name in (*PARTNERSHIP_TABLES, *COMMITMENT_TABLES)} for pid in current
    }
    for name in ("partnerships", "members", "versions", "signatures"):
        table = getattr(t, name)
        for r in conn.execute(select(table).where(table.c.partnership_id.in_(current))):
            rows[r.partnership_id][name].append(dict(r._mapping))
    c, d = t.commitments, t.deliveries
    open_ = c.c.partnership_id.in_(current), c.c.status.in_(OPEN_COMMITMENTS)
    for r in conn.execute(select(c).where(*open_)):
        rows[r.partnership_id]["commitments"].append(dict(r._mapping))
    query = select(d, c.c.partnership_id).join(c, c.c.commitment_id == d.c.commitment_id)
    for r in conn.execute(query.where(*open_, d.c.status.in_(AWAITING_DELIVERIES))):
        rows[r.partnership_id]["deliveries"].append(dict(r._mapping))
    return {pid: assemble(found) for pid, found in rows.items() if found["partnerships"]}


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


# -- one partnership, live or as of ------------------------------------------------------


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


@blp.route("/partnerships/<partnership_id>", methods=["GET"])
def partnership_page(partnership_id: str) -> str:
    """A partnership as the person may see it: live, or as of a log position or a time."""
    views_reached()
    pid = v.identifier(partnership_id, "partnership_id")
    window_on(pid)  # before the query is looked at: a 404 tells nothing of it
    position = as_of_asked()
    as_of = None
    if position is None:
        who = viewer()
        view = read(lambda conn, t: view_for(conn, t, who, pid, at_cut))
    else:
        until = content_on(pid).until  # a former member sees no further than its exit
        at = position if until is None else min(position, until)
        view = view_as_of(service().app, pid, at)
        as_of = {"position": at, "recorded_at": recorded_at(at) if at else None}
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
        balance=balance(view),
        related=related_of(view),
        as_of=as_of,
        asked=request.args,
    )


# -- timelines ---------------------------------------------------------------------------


class TimelineQuery(s.ReadListQuery):
    kind = Choice(words.EVENT_TYPES)
    organisation = Uuid()


def commitment_parties(entries: list[dict[str, Any]]) -> dict[str, set[str]]:
    """Each commitment's organisation and recipient, from its pledge."""
    parties: dict[str, set[str]] = {}
    for e in entries:
        if e["event_type"] == "Pledged":
            d = e["data"]
            parties[e["stream_id"]] = {d.get("organisation_id"), d.get("recipient")} - {None}
    return parties


def concerns(e: dict[str, Any], org: str, parties: dict[str, set[str]]) -> bool:
    """Whether an event is about this organisation: acted for it, names it, or is about
    one of its commitments."""
    d = e["data"]
    membership, subject = d.get("membership") or {}, d.get("subject") or {}
    named = (
        e.get("on_behalf_of"),
        d.get("org_id"),
        d.get("organisation_id"),
        d.get("recipient"),
        membership.get("organisation") if isinstance(membership, dict) else None,
        subject.get("organisation") if isinstance(subject, dict) else None,
    )
    voters = d.get("votes") if isinstance(d.get("votes"), dict) else {}
    signers = d.get("signatories") if isinstance(d.get("signatories"), list) else []
    return org in named or org in voters or org in signers or org in parties.get(e["stream_id"], ())


def member_ids(entries: list[dict[str, Any]]) -> set[str]:
    """The organisations the entries name as members or committers."""
    found: set[str] = set()
    for e in entries:
        d = e["data"]
        for part in (d.get("membership"), d.get("lead")):
            if isinstance(part, dict) and isinstance(part.get("organisation"), str):
                found.add(part["organisation"])
        if e["event_type"] == "Pledged" and isinstance(d.get("organisation_id"), str):
            found.add(d["organisation_id"])
    return found


def timeline(path: str, entries: list[dict[str, Any]], **heading: Any) -> str:
    """Visible entries, newest first, a page at a time, filtered by kind and organisation,
    each in words."""
    query = query_of(TimelineQuery())
    before = position_cursor(query["cursor"]) if query.get("cursor") else None
    parties, kind, org = commitment_parties(entries), query.get("kind"), query.get("organisation")
    chosen = [
        e
        for e in reversed(entries)
        if (before is None or e["position"] < before)
        and (kind is None or e["event_type"] == kind)
        and (org is None or concerns(e, org, parties))
    ]
    shown, members = chosen[: query["limit"]], member_ids(entries)
    mentioned = [(e["actor"], e["on_behalf_of"], e["stream_id"], e["data"]) for e in shown]
    names = names_for(ids_in(mentioned) | members, words.known(entries))
    more = len(chosen) > len(shown)
    return page(
        "timeline.html",
        path=path,
        entries=[{**e, "sentence": words.describe(e, names)} for e in shown],
        kinds=sorted({e["event_type"] for e in entries}),
        members=sorted(members, key=lambda o: (names("organisation", o) or "", o)),
        names=names,
        chosen={"kind": kind, "organisation": org, "limit": query["limit"]},
        next_url=with_args(path, cursor=shown[-1]["position"]) if more else None,
        **heading,
    )


def title_of(entries: list[dict[str, Any]]) -> str | None:
    """The partnership's latest title among the entries the person sees."""
    title = None
    for e in entries:
        d = e["data"]
        if e["event_type"] == "Initiated":
            title = d.get("title")
        elif e["event_type"] == "DetailsCorrected" and e["stream_kind"] == "partnership":
            title = (d.get("changes") or {}).get("title", title)
    return title


@blp.route("/partnerships/<partnership_id>/timeline", methods=["GET"])
def partnership_timeline(partnership_id: str) -> str:
    """Every event of the partnership and its commitments that the person sees, in words."""
    views_reached()
    pid = v.identifier(partnership_id, "partnership_id")
    win = window_on(pid)
    entries = read(lambda conn, t: history(conn, t, partnership_id=pid))
    seen = [e for e in entries if win.sees(e["position"], e["data"])]
    path = f"/partnerships/{pid}/timeline"
    return timeline(path, seen, partnership_id=pid, title=title_of(seen), commitment=None)


@blp.route("/commitments/<commitment_id>/timeline", methods=["GET"])
def commitment_timeline(commitment_id: str) -> str:
    """Every event of a commitment, where its partnership is visible, in words."""
    views_reached()
    cid = v.identifier(commitment_id, "commitment_id")
    win = commitment_window(cid)
    entries = read(lambda conn, t: history(conn, t, stream_id=cid))
    seen = [e for e in entries if win.sees(e["position"], e["data"])]
    pid = next((e["partnership_id"] for e in seen if e["partnership_id"]), None)
    path = f"/commitments/{cid}/timeline"
    return timeline(path, seen, partnership_id=pid, title=None, commitment=cid)


# -- field histories ---------------------------------------------------------------------


def fields_page(stream_id: str, kind: str, found: dict[str, Any], **heading: Any) -> str:
    """Each tracked field, value by value: when, by whom and by which event."""
    positions = {x["position"] for xs in found.values() for x in xs}
    h = service().read.tables.history

    def when(conn: Connection, _: Tables) -> dict[int, dict[str, Any]]:
        query = select(h.c.position, h.c.recorded_at, h.c.actor, h.c.on_behalf_of, h.c.mandate)
        return {
            r.position: dict(r._mapping)
            for part in chunks(map(str, positions))
            for r in conn.execute(query.where(h.c.position.in_([int(p) for p in part])))
        }

    recorded = read(when) if positions else {}
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
