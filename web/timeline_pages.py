"""Explorer pages: the timeline of a partnership or a commitment, each event in words,
newest first, filtered by kind and organisation (DESIGN §7).

Only the entries the person's window on the partnership lets it see are listed, counted
or filtered on: a partnership it may not see is the 404 of an unknown id.
"""

from __future__ import annotations

from typing import Any

from api.schemas import views as s
from api.schemas.common import Choice, Uuid
from api.seen import commitment_window, read, window_on
from api.views import position_cursor
from collab.domain import values as v
from projections.views import history
from web import words
from web.arguments import query_of, with_args
from web.frame import page, pages, views_reached
from web.names import ids_in, names_for

blp = pages("timelines")


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
