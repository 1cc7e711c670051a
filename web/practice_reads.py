"""What the practice pages read, through the same views and visibility rule as the API
(DESIGN §3, §8): a published practice is readable by every signed-in person, and by anyone
where its publishing decision said so; its partnership stays unseen to non-members; an
exchange is seen by those who see the asking or the answering partnership.

A visitor who has not signed in asking for a practice it may not read is sent to sign in,
as on every other page of the explorer (an unknown id alike: nothing is told of it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from flask import g, redirect, request
from sqlalchemy import Connection, select
from werkzeug.wrappers import Response

from api.seen import read, viewer
from collab.domain.errors import NotFoundError
from collab.visibility import Viewer, sees_exchange, sees_practice
from projections import practices as pr
from projections import search_query as sq
from projections.tables import Tables
from projections.visibility import seen as windows


def signed_in() -> bool:
    return g.get("person") is not None


def to_sign_in() -> Response:
    """The sign-in page, coming back here afterwards."""
    here = request.full_path.rstrip("?")
    return redirect("/signin?" + urlencode({"next": here}))


def practice(practice_id: str, number: int | None = None) -> dict[str, Any] | None:
    """The practice (a version of it) as this person may read it: a 404 for an unknown id
    or version; None for a visitor the practice is not published to (who is to sign in)."""
    anyone = not signed_in()  # a visitor: versions published to anyone only
    found = read(lambda conn, t: pr.practice_view(conn, t, practice_id, number, anyone_only=anyone))
    actor = g.get("actor") if signed_in() else None
    if found is None or not sees_practice(actor, str(found["audience"])):
        if not signed_in():
            return None
        raise NotFoundError(f"no practice {practice_id}")
    return found


def content_seen(ids: Iterable[str]) -> set[str]:
    """Of these partnerships, those whose content the signed-in person sees (none for a
    visitor)."""
    wanted = sorted(set(ids))
    if not wanted or not signed_in():
        return set()
    who = viewer()

    def ask(conn: Connection, t: Tables) -> set[str]:
        found = windows(conn, t, who, wanted)
        return {i for i in wanted if found.of(i).content}

    return read(ask)


def titles(ids: Iterable[str]) -> dict[str, str]:
    """The titles of these partnerships, for those whose content the person sees."""
    shown = sorted(content_seen(ids))
    if not shown:
        return {}

    def ask(conn: Connection, t: Tables) -> dict[str, str]:
        table = t.partnerships
        query = select(table.c.partnership_id, table.c.title)
        rows = conn.execute(query.where(table.c.partnership_id.in_(shown)))
        return {r.partnership_id: r.title for r in rows}

    return read(ask)


def exchanges_on(view: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The exchanges about this practice that the person sees (`sees_exchange`: the
    asking or the answering partnership's content, as it stands)."""
    if not signed_in():
        return []
    owner, prid, who = str(view["partnership_id"]), str(view["practice_id"]), viewer()

    def ask(conn: Connection, t: Tables) -> list[dict[str, Any]]:
        about = pr.exchanges_of(conn, t, [owner], prid)
        found = windows(conn, t, who, sorted({owner, *(e["asker"] for e in about)}))
        return [e for e in about if sees_exchange(found.of(e["asker"]), found.of(owner))]

    return read(ask)


def cites(practice_id: str, position: int) -> bool:
    """Whether the practice reveals this position: cited by a version's figures, or its
    own event."""
    anyone = not signed_in()
    return position in read(
        lambda conn, t: pr.practice_positions(conn, t, practice_id, anyone_only=anyone)
    )


def lineage(practice_id: str) -> dict[str, Any]:
    """The practice's lineage; for a visitor, of the other practices in it (its ancestors,
    the adopters' own) only those published to anyone: the adoptions stay, as the
    practice's page tells them."""
    found: dict[str, Any] = read(lambda conn, t: pr.lineage_of(conn, t, practice_id))
    if signed_in():
        return found

    def readable(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [x for x in items if sees_practice(None, str(x["audience"]))]

    adoptions = [{**a, "practices": readable(a["practices"])} for a in found["adoptions"]]
    return {**found, "ancestors": readable(found["ancestors"]), "adoptions": adoptions}


def listed(
    *,
    partnership_id: str | None = None,
    status: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> list[Any]:
    """Published practices a page lists: every one for a signed-in person, the ones
    published to anyone for a visitor."""
    anyone = not signed_in()

    def ask(conn: Connection, t: Tables) -> list[Any]:
        return pr.practice_list(
            conn,
            t,
            partnership_id=partnership_id,
            status=status,
            anyone_only=anyone,
            limit=limit,
            offset=offset,
        )

    return read(ask)


def exchanges_seen(
    conn: Connection, t: Tables, who: Viewer, partnership_id: str
) -> list[dict[str, Any]]:
    """The exchanges a partnership asked or was asked that the person sees (`sees_exchange`:
    a former member's page of the partnership shows none, as the API's list)."""
    about = pr.exchanges_of(conn, t, [partnership_id])
    if not about:
        return []
    ids = sorted({p for e in about for p in (e["asker"], e["owner"])})
    found = windows(conn, t, who, ids)
    return [e for e in about if sees_exchange(found.of(e["asker"]), found.of(e["owner"]))]


ON_PAGE = 50  # practices a partnership page lists


def learning_in(conn: Connection, t: Tables, who: Viewer, partnership_id: str) -> dict[str, Any]:
    """For the partnership page (whose content the person sees, signed in), on the page's
    own read-model connection: its practices, and the exchanges it asked or was asked
    that the person sees."""
    return {
        "practices": pr.practice_list(conn, t, partnership_id=partnership_id, limit=ON_PAGE),
        "exchanges": exchanges_seen(conn, t, who, partnership_id),
    }


def searched(query: sq.Query) -> dict[str, Any]:
    """The practices a search finds, ranked, with its facets' counts: every published one
    for a signed-in person, those published to anyone for a visitor (in the results and
    in the counts alike)."""
    asked = replace(query, anyone_only=not signed_in())
    return read(lambda conn, t: sq.search(conn, t, asked))


SIMILAR = 5  # practices like this one a practice's page shows


def similar(practice_id: str) -> list[dict[str, Any]]:
    """Practices like this one (itself left out), best first, of those the person may
    read."""
    anyone = not signed_in()
    return read(lambda conn, t: sq.similar(conn, t, practice_id, anyone_only=anyone, limit=SIMILAR))
