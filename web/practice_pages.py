"""Explorer pages of the network of learning (DESIGN §8): the published practices, one
practice with its figures and the log positions they rest on (each checked in the browser,
as a timeline entry is), its versions, its lineage drawn as a picture, and the exchanges
the person may see.

These pages are open to visitors who have not signed in, for the practices published to
anyone; every other page of the explorer still asks them to sign in. A practice's reader
gets the leaf entry, inclusion proof and writer signature of each position it cites, never
the event's stored bytes: publishing reveals nothing else of the partnership.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask.typing import ResponseReturnValue

from api.schemas import practices as s
from api.service import service
from collab.audit.log import NotSealedYet
from collab.domain import values as v
from collab.domain.errors import NotFoundError
from web import practice_reads as reads
from web.arguments import query_of, with_args
from web.frame import page, pages, views_reached
from web.lineage_picture import picture
from web.names import names_for
from web.practice_search import ON_PAGE, asked_for, facet_groups, places
from web.proofs import answer, keys, pending, stored

blp = pages("practices", signed_in=False)
LISTED = 50


@blp.route("/practices", methods=["GET"])
def practice_list() -> str:
    """The published practices, searched: all for a signed-in person, those published to
    anyone for a visitor; ranked when there is text, else in the order first published;
    narrowed by facets, a page at a time (one partnership's: listed as before)."""
    views_reached()
    # `status` and `partnership_id` as the API checks them; the words and facets below,
    # where a bad one is left out rather than refused
    query = query_of(s.PracticeQuery(exclude=("q", "facet")))
    asked = asked_for(query.get("status"))
    if query.get("partnership_id"):
        return partnership_list(query["partnership_id"], query.get("status"), asked.offset)
    found = reads.searched(asked.query())
    total, after = int(found["total"]), asked.offset + ON_PAGE
    return page(
        "practices.html",
        asked=asked,
        items=found["items"],
        total=total,
        facets=facet_groups(asked, found["facets"]),
        places=places(found["facets"].get("territory", []), asked),
        previous_url=asked.url(offset=max(asked.offset - ON_PAGE, 0)) if asked.offset else None,
        next_url=asked.url(offset=after) if after < total else None,
    )


def partnership_list(partnership_id: str, status: str | None, offset: int) -> str:
    """One partnership's practices (no search: the search has no partnership facet)."""
    chosen = {"partnership_id": partnership_id, "status": status}
    items = reads.listed(**chosen, offset=offset, limit=LISTED)
    more = len(items) == LISTED
    return page(
        "practices.html",
        asked=None,
        items=items,
        chosen=chosen,
        next_url=with_args("/practices", offset=offset + LISTED) if more else None,
    )


def version_asked() -> int | None:
    query = query_of(s.VersionQuery())
    number = query.get("version")
    return int(number) if number is not None else None


@blp.route("/practices/<practice_id>", methods=["GET"])
def practice_page(practice_id: str) -> ResponseReturnValue:
    """One practice (the latest version, or `?version=N`) as the person may read it."""
    views_reached()
    prid = v.identifier(practice_id, "practice_id")
    view = reads.practice(prid, version_asked())
    if view is None:
        return reads.to_sign_in()
    found = reads.lineage(prid)
    exchanges = reads.exchanges_on(view)
    owners = [view["partnership_id"], *(a["adopter"] for a in found["adoptions"])]
    titles = reads.titles([*owners, *(e["asker"] for e in exchanges)])
    summary = {
        "practice_id": prid,
        "title": view["content"]["title"],
        "territory": view["content"]["territory"],
    }
    return page(
        "practice.html",
        view=view,
        content=view["content"],
        figures=view["figures"],
        cited=cited(view),
        lineage=found,
        picture=picture(summary, found),
        exchanges=exchanges,
        titles=titles,
        names=names_for([view["content"]["contact"]["organisation_id"]]),
        similar=reads.similar(prid),
    )


def cited(view: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every position the shown version cites, once each, in log order: the stream and
    version its leaf entry names (a row without a position is not in the views yet)."""
    found: dict[int, dict[str, Any]] = {}
    for c in citations(view["figures"]):
        if c.get("position") is not None:
            found[int(c["position"])] = {**c, "position": int(c["position"])}
    return [found[p] for p in sorted(found)]


def citations(figures: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    """The `rests_on` entries of every figure (outcomes: per indicator and per period)."""
    for figure in figures.values():
        yield from figure.get("rests_on", [])
        for i in figure.get("indicators", []):
            yield from i["rests_on"]
            for period in i["periods"]:
                yield from period["rests_on"]


@blp.route("/practices/<practice_id>/proofs/<int:position>", methods=["GET"])
def practice_proof(practice_id: str, position: int) -> ResponseReturnValue:
    """The proof of a position the practice (its `?version=N`) cites, or of a version's
    publishing: the bundle, the writer signature and the verifier keys, never the event's
    bytes. Any other position is the 404 of an unknown one."""
    views_reached()
    prid = v.identifier(practice_id, "practice_id")
    view = reads.practice(prid, version_asked())
    if view is None:
        return answer({"position": position, "signed_in": False}, 404)
    if not reads.cites(prid, position):
        raise NotFoundError(f"no position {position} cited by this practice")
    svc = service()
    try:
        bundle = svc.audit.inclusion(position, None)
    except (NotSealedYet, NotFoundError):
        return pending(svc, position)
    body = {"position": position, "bundle": bundle, **signature(position), "keys": keys(svc)}
    return answer(body, 200)


def signature(position: int) -> dict[str, Any]:
    """The writer signature over the leaf's entry (it signs the entry's hashes, not the
    event: reading it reveals nothing more)."""
    return {"signature": stored(service(), position)["signature"]}
