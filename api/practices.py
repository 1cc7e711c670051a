"""Practices (DESIGN §8): published from the ledger by a partnership's decision, versioned,
withdrawn by event; adopted and adapted across territories (a lineage without cycles);
learning exchanges between two partnerships.

A practice is read by every signed-in caller (and by anyone where its decision said so);
its partnership stays 404 to non-members. Each figure names the log positions it rests
on: `GET /v1/practices/{id}/proofs/{position}` proves each one (the bundle of
`GET /v1/audit/proofs/inclusion`), for that practice's readers and for nothing else.
"""

from __future__ import annotations

from typing import Any

from api.auth import optional_actor
from api.authority import before_body
from api.errors import ApiProblem, Unavailable
from api.http import Blueprint, Body, Reply, decode_cursor, encode_cursor, run, wait_for_views
from api.practice_access import (
    answering,
    path_exchange,
    readable,
    seen_exchange,
    stewarded,
    visible_exchanges,
    with_leaves,
)
from api.schemas import practices as s
from api.schemas.audit import InclusionBundle
from api.schemas.common import CommandBody, Outcome, ReadOptions
from api.seen import POSITION_RE, path_content, read
from api.service import service
from collab.audit.log import NotSealedYet
from collab.domain import practice_terms
from collab.domain import values as v
from collab.domain.errors import NotFoundError
from collab.practices.commands import (
    AdoptPractice,
    AnswerExchange,
    AskPractice,
    DeclineExchange,
    PublishPractice,
    WithdrawPractice,
)
from projections.citations import practice_positions
from projections.practices import (
    exchanges_about,
    exchanges_of,
    lineage_of,
    practice_view,
)
from projections.search_query import Query, search, similar

blp = Blueprint("practices", __name__, url_prefix="/v1", description=__doc__)
ONE = "/practices/<practice_id>"
EXCHANGE = "/exchanges/<exchange_id>"


def offset_of(cursor: str | None) -> int:
    """The offset a cursor of this list names: ASCII digits, at most 16 of them (as the
    store's integers take them); anything else is a cursor it never gave."""
    raw = decode_cursor(cursor)
    if raw and not POSITION_RE.fullmatch(raw):
        raise ApiProblem(422, "invalid-input", "unknown cursor", errors={"cursor": ["invalid"]})
    return int(raw or 0)


@blp.route("/practices", methods=["GET"])
@blp.arguments(s.PracticeQuery, location="query")
@blp.response(200, s.PracticePage)
def practices(query: Body) -> dict[str, object]:
    """Search published practices (also withdrawn ones, marked): `q` words (accents, case,
    Greek tonos and Arabic pointing ignored; a word of 4 letters or more also finds the
    words it begins) ranked title > need and approach > other texts > outcomes; `facet`
    values, repeatable; with neither, every practice in the order first published. Each
    facet's values come back with their counts among the matches. Open without sign-in:
    a visitor finds the practices published to anyone."""
    wait_for_views(query.pop("min_position", None))
    offset, limit = offset_of(query.get("cursor")), query["limit"]
    chosen: dict[str, list[str]] = {}
    for item in query["facet"]:
        name, _, value = item.partition(":")
        chosen.setdefault(name, []).append(value)
    if query.get("status"):
        chosen.setdefault("status", []).append(query["status"])
    asked = Query(
        text=query["q"],
        facets={name: tuple(values) for name, values in chosen.items()},
        anyone_only=optional_actor() is None,
        limit=limit,
        offset=offset,
        partnership_id=query.get("partnership_id"),
    )
    found = read(lambda c, t: search(c, t, asked))
    more = offset + limit < found["total"]
    return {**found, "next_cursor": encode_cursor(str(offset + limit)) if more else None}


@blp.route("/practices/vocabularies", methods=["GET"])
@blp.response(200, s.Vocabularies)
def vocabularies() -> dict[str, object]:
    """The closed vocabularies of a practice record (themes, territory kinds …)."""
    return {name: list(values) for name, values in practice_terms.vocabularies().items()}


@blp.route(ONE, methods=["GET"])
@before_body(readable)
@blp.arguments(s.VersionQuery, location="query")
@blp.response(200, s.Practice)
def show(query: Body, practice_id: str) -> dict[str, object]:
    """A practice's latest version (or `version`), each cited event's position and leaf."""
    wait_for_views(query.pop("min_position", None))
    number, pid = query.get("version"), v.identifier(practice_id, "practice_id")
    anyone = optional_actor() is None  # without sign-in: versions published to anyone only
    view = read(lambda c, t: practice_view(c, t, pid, number, anyone_only=anyone))
    if view is None:
        raise NotFoundError(f"no version {number} of practice {practice_id}")
    return with_leaves(view)


@blp.route(f"{ONE}/proofs/<int:position>", methods=["GET"])
@before_body(readable)
@blp.arguments(s.ProofQuery, location="query")
@blp.response(200, InclusionBundle)
def proof(query: Body, practice_id: str, position: int) -> dict[str, object]:
    """The inclusion proof of an event the practice cites or records; 404 for any other."""
    svc = service()
    pid, anyone = v.identifier(practice_id, "practice_id"), optional_actor() is None
    cited = read(lambda c, t: practice_positions(c, t, pid, anyone_only=anyone))
    if position not in cited:
        raise NotFoundError(f"practice {practice_id} cites no event at position {position}")
    try:
        return svc.audit.inclusion(position, query["from_size"])
    except NotSealedYet as e:
        wait = max(1, int(min(svc.settings.seal_interval, 60)))  # the next checkpoint
        raise Unavailable(str(e), retry_after=wait) from None


@blp.route(f"{ONE}/similar", methods=["GET"])
@before_body(readable)
@blp.arguments(ReadOptions, location="query")
@blp.response(200, s.SimilarList)
def like_this(query: Body, practice_id: str) -> dict[str, object]:
    """Practices like this one (up to 5): the words that mark its title, need and approach,
    and the themes, SDG goals, territory kind, sector mix and country it shares."""
    wait_for_views(query.pop("min_position", None))
    pid, anyone = v.identifier(practice_id, "practice_id"), optional_actor() is None
    return {"items": read(lambda c, t: similar(c, t, pid, anyone_only=anyone))}


@blp.route(f"{ONE}/lineage", methods=["GET"])
@before_body(readable)
@blp.arguments(ReadOptions, location="query")
@blp.response(200, s.Lineage)
def lineage(query: Body, practice_id: str) -> dict[str, object]:
    """Its ancestors, and generation by generation who took it up, where, and how it fared."""
    wait_for_views(query.pop("min_position", None))
    pid = v.identifier(practice_id, "practice_id")
    return read(lambda c, t: lineage_of(c, t, pid))


@blp.route("/practices", methods=["POST"])
@blp.arguments(s.PublishNew)
@blp.response(201, Outcome)
def publish(body: Body) -> Reply:
    """A steward publishes a practice under the partnership's passed decision to publish."""
    return run(body, lambda a: PublishPractice(**a))


@blp.route(f"{ONE}/versions", methods=["POST"])
@before_body(stewarded)
@blp.arguments(s.PublishVersion)
@blp.response(201, Outcome)
def publish_version(body: Body, practice_id: str) -> Reply:
    """Publish a new version under another passed decision; earlier versions stay."""
    owner = readable(practice_id).partnership_id
    return run(body, lambda a: PublishPractice(owner, practice_id=practice_id, **a))


@blp.route(f"{ONE}/withdraw", methods=["POST"])
@before_body(stewarded)
@blp.arguments(CommandBody)
@blp.response(200, Outcome)
def withdraw(body: Body, practice_id: str) -> Reply:
    """Withdraw the practice, stating a reason (`reason`); it stays in history, withdrawn."""
    return run(body, lambda a: WithdrawPractice(practice_id))


@blp.route(f"{ONE}/adoptions", methods=["POST"])
@before_body(readable)
@blp.arguments(s.AdoptPractice)
@blp.response(201, Outcome)
def adopt(body: Body, practice_id: str) -> Reply:
    """A partnership's steward records it adopts or adapts the practice (a cycle is 409)."""
    return run(body, lambda a: AdoptPractice(practice_id=practice_id, **a))


@blp.route(f"{ONE}/exchanges", methods=["GET"])
@before_body(readable)
@blp.arguments(ReadOptions, location="query")
@blp.response(200, s.ExchangeList)
def practice_exchanges(query: Body, practice_id: str) -> dict[str, object]:
    """The learning exchanges about the practice that the caller sees."""
    wait_for_views(query.pop("min_position", None))
    found = read(lambda c, t: exchanges_about(c, t, v.identifier(practice_id, "practice_id")))
    return {"items": visible_exchanges(found)}


@blp.route(f"{ONE}/exchanges", methods=["POST"])
@before_body(readable)
@blp.arguments(s.AskPractice)
@blp.response(201, Outcome)
def ask(body: Body, practice_id: str) -> Reply:
    """A partnership's member, broker or lead asks a question of the practice's partnership."""
    return run(body, lambda a: AskPractice(practice_id=practice_id, **a))


@blp.route(EXCHANGE, methods=["GET"])
@before_body(path_exchange)
@blp.arguments(ReadOptions, location="query")
@blp.response(200, s.Exchange)
def exchange(query: Body, exchange_id: str) -> Any:
    """A learning exchange, for the two partnerships only (ETag: its version)."""
    wait_for_views(query.pop("min_position", None))
    found = seen_exchange(exchange_id)
    return found, {"ETag": f'"{found["version"]}"'}


@blp.route(f"{EXCHANGE}/answer", methods=["POST"])
@before_body(answering)
@blp.arguments(s.AnswerExchange)
@blp.response(200, Outcome)
def answer(body: Body, exchange_id: str) -> Reply:
    """The practice's partnership answers the question."""
    return run(body, lambda a: AnswerExchange(exchange_id, **a))


@blp.route(f"{EXCHANGE}/decline", methods=["POST"])
@before_body(answering)
@blp.arguments(s.DeclineExchange)
@blp.response(200, Outcome)
def decline(body: Body, exchange_id: str) -> Reply:
    """The practice's partnership declines the question (`reason`: why)."""
    return run(body, lambda a: DeclineExchange(exchange_id))


@blp.route("/partnerships/<partnership_id>/exchanges", methods=["GET"])
@before_body(path_content)
@blp.arguments(ReadOptions, location="query")
@blp.response(200, s.ExchangeList)
def partnership_exchanges(query: Body, partnership_id: str) -> dict[str, object]:
    """The learning exchanges the partnership asked or was asked, as the caller sees them."""
    wait_for_views(query.pop("min_position", None))
    pid = v.identifier(partnership_id, "partnership_id")
    return {"items": visible_exchanges(read(lambda c, t: exchanges_of(c, t, [pid])))}
